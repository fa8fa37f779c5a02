"""The hosted-engine.conf keys: canonical order, storage requirements, legacy keys."""

from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Dict, FrozenSet, Tuple

BLANK_POOL_UUID = "00000000-0000-0000-0000-000000000000"
DEFAULT_VM_CONF = "/var/run/ovirt-hosted-engine-ha/vm.conf"

# Order of the current first-host template (hosted-engine-conf.md section 2 notes), without the
# legacy keys, followed by the optional keys HA accepts.
CANONICAL_ORDER = (  # type: Tuple[str, ...]
    "fqdn", "vm_disk_id", "vm_disk_vol_id", "vmid", "storage", "nfs_version",
    "mnt_options", "conf", "host_id", "domainType", "spUUID", "sdUUID", "connectionUUID",
    "gateway", "bridge", "network_test", "tcp_t_address", "tcp_t_port",
    "metadata_volume_UUID", "metadata_image_UUID", "lockspace_volume_UUID",
    "lockspace_image_UUID", "conf_volume_UUID", "conf_image_UUID",
    "iqn", "portal", "user", "password", "port",
    "iscsi_paths_blacklist", "configured",
)
KNOWN_KEYS = frozenset(CANONICAL_ORDER)  # type: FrozenSet[str]

# Keys no reader uses any more; old clusters still carry them (ca_subject even quoted).
LEGACY_KEYS = frozenset(("ca_cert", "ca_subject", "console", "vdsm_use_ssl"))  # type: FrozenSet[str]

FILE_DOMAIN_TYPES = frozenset(("nfs", "nfs3", "nfs4", "glusterfs"))  # type: FrozenSet[str]
DOMAIN_TYPES = ("nfs", "nfs3", "nfs4", "glusterfs", "iscsi", "fc")  # type: Tuple[str, ...]

UUID_KEYS = (  # type: Tuple[str, ...]
    "vmid", "sdUUID", "connectionUUID", "vm_disk_id", "vm_disk_vol_id",
    "metadata_volume_UUID", "metadata_image_UUID", "lockspace_volume_UUID",
    "lockspace_image_UUID", "conf_volume_UUID", "conf_image_UUID",
)

REQUIRED_ALWAYS = (  # type: Tuple[str, ...]
    "fqdn", "vmid", "conf", "host_id", "domainType", "spUUID", "sdUUID", "bridge",
    "metadata_volume_UUID", "metadata_image_UUID", "lockspace_volume_UUID",
    "lockspace_image_UUID", "conf_volume_UUID", "conf_image_UUID",
)

if TYPE_CHECKING:
    from typing import Dict, FrozenSet, Tuple
REQUIRED_BY_DOMAIN_TYPE = {  # type: Dict[str, Tuple[str, ...]]
    "nfs": ("storage", "connectionUUID"),
    "nfs3": ("storage", "connectionUUID"),
    "nfs4": ("storage", "connectionUUID"),
    "glusterfs": ("storage", "connectionUUID"),
    "iscsi": ("storage", "iqn", "portal", "port"),
    "fc": (),
}

NETWORK_TESTS = ("ping", "dns", "tcp", "none")  # type: Tuple[str, ...]
NFS_VERSIONS = ("auto", "v3", "v4", "v4_0", "v4_1", "v4_2")  # type: Tuple[str, ...]

HOST_ID_MIN = 1
HOST_ID_MAX = 2000
ENGINE_DEFAULT_HOST_LIMIT = 250

# What each key means, for messages that tell the admin where a value comes from.
MEANING = {  # type: Dict[str, str]
    "fqdn": "the FQDN of the engine VM",
    "vmid": "the UUID of the HostedEngine VM",
    "conf": "the path of the vm.conf the agent generates",
    "host_id": "this host's HA and sanlock id (the engine's vds_spm_id for the host)",
    "domainType": "the type of the hosted_storage domain",
    "spUUID": "the storage pool UUID, which must stay blank (all zeros)",
    "sdUUID": "the UUID of the hosted_storage domain",
    "storage": "the hosted_storage connection",
    "connectionUUID": "the id of the storage connection",
    "bridge": "the management bridge, normally ovirtmgmt",
    "gateway": "the address the ping network test probes",
    "network_test": "the HA network test",
    "tcp_t_address": "the address the tcp network test connects to",
    "tcp_t_port": "the port the tcp network test connects to",
    "iqn": "the iSCSI target name",
    "portal": "the iSCSI target portal group tag",
    "port": "the iSCSI TCP port",
    "user": "the iSCSI CHAP user",
    "password": "the iSCSI CHAP password",
    "nfs_version": "the NFS version",
    "configured": "the HA 'configured' flag",
}


def meaning(key):
    # type: (str) -> str
    """A short human description of a key, or a generic one for unknown keys."""
    if key in MEANING:
        return MEANING[key]
    if key.endswith("_UUID") or key in UUID_KEYS:
        return "a volume, image or object UUID on hosted_storage"
    return "a hosted-engine.conf setting"


def required_keys(domain_type):
    # type: (str) -> Tuple[str, ...]
    """Keys that must be present and non-empty for a storage domain type."""
    return REQUIRED_ALWAYS + REQUIRED_BY_DOMAIN_TYPE.get(domain_type, ())


def order_key(key):
    # type: (str) -> Tuple[int, str]
    """Sort key: known keys in canonical order, unknown keys after them, sorted."""
    if key in KNOWN_KEYS:
        return (CANONICAL_ORDER.index(key), "")
    return (len(CANONICAL_ORDER), key)
