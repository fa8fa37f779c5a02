"""Read hosted-engine.conf from the Hosted Engine configuration disk through an image transfer."""

import io
import tarfile
from typing import Any, Callable, List, Optional

from . import transfer
from .connection import EngineError, EngineSettings
from .topology import require_he_vm

CONF_DISK_CONTENT_TYPE = "hosted_engine_configuration"
# The alias node-0 setup gives the disk and the volume description legacy setups wrote
# (ovirt-hosted-engine-setup CONF_IMAGE_DESC).
CONF_DISK_NAME = "HostedEngineConfigurationImage"
CONF_MEMBER = "hosted-engine.conf"
HOST_CONF = "/etc/ovirt-hosted-engine/hosted-engine.conf"
# The archive is written raw at offset 0 with tar --record-size=20480 (heconflib EXPECTED_SIZE).
CONF_ARCHIVE_SIZE = 20480


def _enum(value: Any) -> Optional[str]:
    return None if value is None else str(getattr(value, "value", value))


def find_he_domain(connection: Any, vm: Any) -> str:
    """The id of the storage domain of the HE VM's first disk (what the engine used)."""
    system = connection.system_service()
    attachments = system.vms_service().vm_service(vm.id).disk_attachments_service().list()
    if not attachments or attachments[0].disk is None:
        raise EngineError("the Hosted Engine VM {} ({}) has no disk attached, so its storage "
                          "domain is unknown".format(vm.name, vm.id))
    disk_id = attachments[0].disk.id
    disk = system.disks_service().disk_service(disk_id).get()
    if not disk.storage_domains:
        raise EngineError("disk {} of the Hosted Engine VM has no storage domain".format(disk_id))
    return str(disk.storage_domains[0].id)


def is_conf_disk(disk: Any) -> bool:
    return _enum(disk.content_type) == CONF_DISK_CONTENT_TYPE


def is_legacy_conf_disk(disk: Any) -> bool:
    return CONF_DISK_NAME in (disk.alias, disk.name, disk.description)


def describe_disk(disk: Any) -> str:
    return "{} (alias {}, content type {}, description {})".format(
        disk.id, disk.alias or disk.name or "-", _enum(disk.content_type) or "-",
        ascii(disk.description or ""))


def choose_conf_disk(disks: List[Any], disk_id: Optional[str], domain: str,
                     get_file_hint: Callable[[], str]) -> Any:
    """The configuration disk among the domain's disks: by content type (node-0 setups,
    engine 4.3.3+), else by alias or description; more than one candidate is an error."""
    if disk_id is not None:
        for disk in disks:
            if str(disk.id) == disk_id:
                return disk
        raise EngineError("--disk-id {}: storage domain {} has no such disk".format(
            disk_id, domain))
    for matches in (is_conf_disk, is_legacy_conf_disk):
        found = [disk for disk in disks if matches(disk)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise EngineError(
                "storage domain {} has {} disks that could be the Hosted Engine configuration "
                "disk, and picking one by chance could build the unit from a stale copy:\n{}\n"
                "Give the right one with --disk-id ID: it is conf_image_UUID in {} on a "
                "running Hosted Engine host".format(
                    domain, len(found), "\n".join("  " + describe_disk(disk) for disk in found),
                    HOST_CONF))
    raise EngineError(
        "the engine lists no Hosted Engine configuration disk on storage domain {}: none of "
        "its {} disks has content type {} or alias/description {}. Setups deployed with oVirt "
        "4.1 or earlier wrote that volume without registering it as a disk in the engine, so "
        "it cannot be read through an image transfer. Get the file instead: {}".format(
            domain, len(disks), CONF_DISK_CONTENT_TYPE, CONF_DISK_NAME, get_file_hint()))


def conf_from_archive(data: bytes, disk_id: str) -> str:
    """The hosted-engine.conf member of the configuration tar."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            names = archive.getnames()
            if CONF_MEMBER not in names:
                raise EngineError("the configuration disk {} holds no {} (members: {})".format(
                    disk_id, CONF_MEMBER, ", ".join(names) or "none"))
            member = archive.extractfile(CONF_MEMBER)
            if member is None:
                raise EngineError("{} on the configuration disk {} is not a regular file".format(
                    CONF_MEMBER, disk_id))
            content = member.read()
    except tarfile.TarError as error:
        raise EngineError("the first {} bytes of the configuration disk {} are not a tar "
                          "archive: {}".format(len(data), disk_id, error)) from None
    return content.decode("ascii", errors="surrogateescape")


def answer_file_hint(connection: Any, vm: Any) -> str:
    """How to build the unit from a running Hosted Engine host's file instead."""
    host = "a host running the engine VM"
    if vm.host is not None and vm.host.id is not None:
        running = connection.system_service().hosts_service().host_service(vm.host.id).get()
        host = "{} (it runs the engine VM)".format(running.name)
    return ("copy {} from {} and run `ovirt-he-deploy answer-file --from-conf hosted-engine.conf "
            "--host-id N -o unit.conf`".format(HOST_CONF, host))


def fetch_conf(connection: Any, settings: EngineSettings, poll_interval: float,
               progress: Callable[[str], None], disk_id: Optional[str] = None) -> str:
    """hosted-engine.conf as stored on the HE storage domain's configuration disk."""
    vm = require_he_vm(connection)
    domain_id = find_he_domain(connection, vm)
    domain = connection.system_service().storage_domains_service().storage_domain_service(
        domain_id)
    name = domain.get().name
    where = "{} ({})".format(name, domain_id) if name else domain_id
    disks = domain.disks_service().list()
    disk = choose_conf_disk(disks, disk_id, where, lambda: answer_file_hint(connection, vm))
    progress("configuration disk {} ({}) on storage domain {}".format(
        disk.id, disk.alias or disk.name or "no alias", where))
    data = transfer.download(connection, disk, settings, CONF_ARCHIVE_SIZE, poll_interval,
                             progress)
    return conf_from_archive(data, str(disk.id))
