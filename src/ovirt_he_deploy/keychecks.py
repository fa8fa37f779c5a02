"""Per-key checks of hosted-engine.conf values: (message, fix) for a value that would hurt.

Evidence next to each check names the reader's file and line at these commits of the
mirrors: ovirt-hosted-engine-ha 9d39eb07c0 (HA), ovirt-hosted-engine-setup af825aac21
(setup), vdsm fd4b0df20b (VDSM).
"""

import re
import socket

from . import confkeys, envkeys, safety
from .compat import TYPE_CHECKING, ascii

if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Tuple

    Check = Callable[[str, Dict[str, str]], Optional[Tuple[str, str]]]

# VDSM accepts only lower-case UUIDs (VDSM lib/vdsm/storage/misc.py:150, "having uuids with
# upper case letters will cause unexpected bug so we filter them out", :159-161).
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12}$")
# Host names as resolvers take them: labels of letters, digits, '-' and '_' (engine FQDNs
# with '_' work: urllib, ping and nc pass the name to getaddrinfo), none starting with '-'
# (ping and nc would read it as an option, HA broker/submonitors/network.py:98-101,125-132).
HOSTNAME_PATTERN = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9_][A-Za-z0-9_-]{0,62}(?:\.[A-Za-z0-9_][A-Za-z0-9_-]{0,62})*"
    r"\.?$")
FILE_STORAGE_PATTERN = re.compile(r"^(?P<server>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+):(?P<path>/.*)$")
INTERFACE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
IQN_PATTERN = re.compile(r"^(iqn\.\d{4}-\d{2}\.[^:]+(:.+)?|eui\.[0-9A-Fa-f]{16}"
                         r"|naa\.[0-9A-Fa-f]{16,32})$")
# What int() reads (HA agent/hosted_engine.py:349, client/client.py:196) without blanks, on
# every Python the agent runs on: Python 3 also reads 1_0 as 10, EL7's Python 2.7 refuses it.
INT_PATTERN = re.compile(r"^\+?[0-9]+$")
BLACKLIST_KEY = "iscsi_paths_blacklist"
BLACKLIST_SEPARATOR = "<>"
# hosted-engine uses ${vmid} and ${conf} (setup src/bin/hosted-engine.in:181-198, 44):
# for them bash's reading is the one that counts.
BASH_USED_KEYS = frozenset(("vmid", "conf"))
# hosted-engine reads ${type} when --type is not given (hosted-engine.in:466-468, 496-498).
SCRIPT_VARIABLES = frozenset(("type",))
# The NFS versions VDSM mounts, after the broker's v/_ rewrite (HA lib/storage_server.py:
# 100-107: 'v4_1' -> '4.1'; VDSM storageServer.py:505-515 takes one or two numbers).
NFS_VERSIONS_READ = ("auto", "3", "4", "4.0", "4.1", "4.2")


def shown(key, value):
    # type: (str, object) -> str
    """A value as messages may show it: secrets never, everything else escaped."""
    if key in envkeys.SECRET_CONF_KEYS or key in envkeys.SECRET_ENV_KEYS:
        return "(hidden)"
    return ascii(value)


def is_address(text):
    # type: (str) -> bool
    """An IPv4 address in dotted decimal or an IPv6 address, as the resolver reads them.

    inet_pton takes no leading zeros in IPv4 (octal to some readers) and no IPv6 zone
    (fe80::1%eth0), on every Python; the ipaddress module is not in Python 2.
    """
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, text)
        # ValueError, TypeError: a NUL or non-ASCII character (Python 3, Python 2).
        except (socket.error, ValueError, TypeError):
            continue
        return True
    return False


def is_host(text):
    # type: (str) -> bool
    return is_address(text) or bool(HOSTNAME_PATTERN.match(text))


def is_port(text):
    # type: (str) -> bool
    return safety.is_digits(text) and 1 <= int(text) <= 65535


def comma_list(text):
    # type: (str) -> List[str]
    return text.split(",")


# -- per-key checks: (message, fix) or None --------------------------------------------


def check_host_id(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA agent/hosted_engine.py:348-349 and client/client.py:195-196: int(value) if value
    # else None (0 or empty: "not configured"); the broker scans MAX_HOST_ID_SCAN = 2000
    # slots (HA env/constants.py.in:25, broker/storage_broker.py:142).
    if not INT_PATTERN.match(value) or not (
            confkeys.HOST_ID_MIN <= int(value) <= confkeys.HOST_ID_MAX):
        return ("value {} is not an integer between {} and {}.".format(
            ascii(value), confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX),
            "send the host's vds_spm_id from the engine database, e.g. host_id=2.")
    return None


def check_uuid_shape(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # VDSM lib/vdsm/api/vdsm-api.yml:214-220 and the connection parameters: a UUID. The
    # broker passes connectionUUID as the connection id only (lib/storage_server.py:95), so
    # its case does not matter.
    if UUID_PATTERN.match(value):
        return None
    return ("value {} is not a UUID.".format(ascii(value)),
            "copy the UUID from the hosted-engine.conf of a running Hosted Engine host.")


def check_uuid(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    shape = check_uuid_shape(value, config)
    if shape:
        return shape
    # VDSM misc.py:150 (lower case only, validateUUID for sdUUID, imgUUID, volUUID: hsm.py:
    # 1392-1393, 2712); HA env/path.py:91-93 joins the mount path with sdUUID, and VDSM's
    # directories and VM ids are lower case.
    if value != value.lower():
        return ("value {} has upper-case letters; VDSM takes only lower-case UUIDs and names "
                "its storage paths with them, so this one points at nothing.".format(
                    ascii(value)), "write it in lower case: {}.".format(value.lower()))
    return None


def check_sp_uuid(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA lib/upgrade.py:1032-1035: a non-blank spUUID means "not up to date" -> upgrade path.
    if value == confkeys.BLANK_POOL_UUID:
        return None
    return ("value {} is not the blank pool UUID; a real storage pool id makes "
            "ovirt-ha-agent run its 3.5 upgrade path (score -1000, pool reconnects).".format(
                ascii(value)),
            "set spUUID={}.".format(confkeys.BLANK_POOL_UUID))


def check_domain_type(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA lib/storage_server.py:353-374: anything else raises "Storage type not supported".
    if value in confkeys.DOMAIN_TYPES:
        return None
    return ("value {} is not a storage type ovirt-ha-broker supports.".format(ascii(value)),
            "use one of {} (posixfs and others are rejected by the broker).".format(
                ", ".join(confkeys.DOMAIN_TYPES)))


def check_storage(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA lib/storage_server.py:91-93,120-132: the connection VDSM mounts is this value
    # (normpath'ed); iSCSI: each comma entry is a portal address (:309-319).
    domain_type = config.get("domainType", "")
    if domain_type in confkeys.FILE_DOMAIN_TYPES:
        match = FILE_STORAGE_PATTERN.match(value)
        server = match.group("server") if match else ""
        # Brackets are only for IPv6 addresses, whose ':' would end the server part.
        if server.startswith("["):
            server_ok = ":" in server and is_address(server[1:-1])
        else:
            server_ok = is_host(server)
        if not match or not server_ok:
            return ("value {} is not a {} path of the form server:/path.".format(
                ascii(value), domain_type),
                "write e.g. storage=nfs.example.com:/exports/he.")
    elif domain_type == "iscsi":
        bad = [item for item in comma_list(value) if not is_host(item)]
        if bad:
            return ("value {} is not a comma list of iSCSI portal addresses ({} is not an "
                    "address).".format(ascii(value), ascii(bad[0])),
                    "write e.g. storage=192.0.2.10 or storage=192.0.2.10,192.0.2.11.")
    return None


def check_fqdn(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # setup check_liveliness.py:168-176 fetches http://{fqdn}/ovirt-engine/services/health;
    # a bare IPv6 address there is read as host:port, so the check connects elsewhere,
    # the broker's engine-health turns bad and the agent restarts the engine VM.
    if is_host(value) and ":" not in value:
        return None
    if value.startswith("[") and value.endswith("]") and ":" in value and \
            is_address(value[1:-1]):
        return None
    return ("value {} is not a host name, an IPv4 address or a bracketed IPv6 address; "
            "hosted-engine --check-liveliness fetches http://{}/ovirt-engine/services/health"
            ", which would go elsewhere.".format(ascii(value), safety.printable(value)),
            "write the engine VM's FQDN, e.g. fqdn=engine.example.com.")


def check_host(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA broker/submonitors/network.py:98-101 (ping) and :125-132 (nc) pass the value as
    # one argument.
    if is_host(value):
        return None
    return ("value {} is neither an IP address nor a host name.".format(ascii(value)),
            "write an IP address or a fully qualified host name.")


def check_conf(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA env/config.py:49: the agent writes vm.conf at this path; hosted-engine.in:44,196.
    if value.startswith("/"):
        return None
    return ("value {} is not an absolute path.".format(ascii(value)),
            "set conf={}.".format(confkeys.DEFAULT_VM_CONF))


def check_network_test(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA broker/submonitors/network.py:51-59: empty means ping, unknown raises.
    if value in confkeys.NETWORK_TESTS or value == "":
        return None
    return ("value {} is not a network test ovirt-ha-broker knows.".format(ascii(value)),
            "use one of {}.".format(", ".join(confkeys.NETWORK_TESTS)))


def check_tcp_port(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA broker/submonitors/network.py:125-132: nc -z ADDRESS PORT.
    if value == "" or is_port(value):
        return None
    return ("value {} is not a TCP port between 1 and 65535.".format(ascii(value)),
            "write the port as a number, e.g. 443.")


def nfs_version_read(value):
    # type: (str) -> str
    """The NFS version the broker hands VDSM (HA lib/storage_server.py:100-107)."""
    return "auto" if value == "" else value.replace("v", "").replace("_", ".")


def check_nfs_version(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # Used only with domainType nfs (HA lib/storage_server.py:98-107); VDSM takes one or two
    # numbers (storageServer.py:505-515) and the kernel mounts 3, 4, 4.0, 4.1, 4.2.
    if config.get("domainType") != "nfs" or nfs_version_read(value) in NFS_VERSIONS_READ:
        return None
    return ("value {} is read by ovirt-ha-broker as NFS version {}, which VDSM cannot "
            "mount.".format(ascii(value), ascii(nfs_version_read(value))),
            "use one of auto, v3, v4, v4_0, v4_1, v4_2 (or 3, 4, 4.1, ...), or leave it "
            "empty for auto.")


def check_configured(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA agent/hosted_engine.py:354-357: configured is None or == "True".
    if value == "True":
        return None
    return ("value {} makes ovirt-ha-agent refuse to run: only an absent key or exactly "
            "'True' means configured.".format(ascii(value)), "drop the configured line.")


def check_iscsi_ports(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # VDSM storageServer.py:1072: int(port).
    if value == "" or all(is_port(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of TCP ports.".format(ascii(value)),
            "write e.g. port=3260.")


def check_portal(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # VDSM storageServer.py:1074: int(tpgt).
    if value == "" or all(safety.is_digits(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of target portal group tags (numbers); the "
            "portal address belongs in storage.".format(ascii(value)), "write e.g. portal=1.")


def check_blacklist(value, config):
    # type: (str, Dict[str, str]) -> Optional[Tuple[str, str]]
    # HA lib/storage_server.py:76-88: every comma entry is split at '<>' and its second
    # part taken; an IndexError is not caught, so the broker never connects the storage
    # (lib/storage_backends.py:373). An empty value is one empty entry.
    for pair in comma_list(value.strip()):
        if BLACKLIST_SEPARATOR not in pair:
            return ("entry {} has no '<>'; ovirt-ha-broker splits every entry at '<>' and "
                    "fails on this one, so it never connects the storage.".format(
                        ascii(pair)),
                    "write comma-separated <iface><><portal address> pairs, e.g. "
                    "iscsi_paths_blacklist=eth1<>192.0.2.10, or drop the key.")
    return None


VALUE_CHECKS = {  # type: Dict[str, Check]
    "host_id": check_host_id,
    "spUUID": check_sp_uuid,
    "domainType": check_domain_type,
    "storage": check_storage,
    "fqdn": check_fqdn,
    "gateway": check_host,
    "tcp_t_address": check_host,
    "conf": check_conf,
    "network_test": check_network_test,
    "tcp_t_port": check_tcp_port,
    "nfs_version": check_nfs_version,
    "configured": check_configured,
    "port": check_iscsi_ports,
    "portal": check_portal,
    BLACKLIST_KEY: check_blacklist,
}
VALUE_CHECKS.update({key: check_uuid for key in confkeys.UUID_KEYS})
VALUE_CHECKS["connectionUUID"] = check_uuid_shape
# Empty values are "not set" for every check but these, where empty is itself wrong.
CHECKED_WHEN_EMPTY = frozenset(("configured", BLACKLIST_KEY))
