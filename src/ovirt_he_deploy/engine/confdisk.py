"""Read hosted-engine.conf from the Hosted Engine configuration disk through an image transfer."""

import http.client
import io
import ssl
import tarfile
import time
import urllib.error
import urllib.request
from typing import Any, Callable, List, Optional

from .connection import EngineError, EngineSettings, import_sdk

HE_VM_NAME = "HostedEngine"
HE_VM_ORIGINS = ("managed_hosted_engine", "hosted_engine")
CONF_DISK_CONTENT_TYPE = "hosted_engine_configuration"
CONF_DISK_NAME = "HostedEngineConfigurationImage"
CONF_MEMBER = "hosted-engine.conf"
# The archive is written raw at offset 0 with tar --record-size=20480 (heconflib EXPECTED_SIZE).
CONF_ARCHIVE_SIZE = 20480
TRANSFER_TIMEOUT = 120.0
HTTP_TIMEOUT = 60.0


def _enum(value: Any) -> Optional[str]:
    return None if value is None else str(getattr(value, "value", value))


def find_he_vm(connection: Any) -> Any:
    """The engine VM: by origin (as the engine does since 4.x), else by its default name."""
    vms = connection.system_service().vms_service().list()
    by_origin = [vm for vm in vms if _enum(vm.origin) in HE_VM_ORIGINS]
    if by_origin:
        return by_origin[0]
    for vm in vms:
        if vm.name == HE_VM_NAME:
            return vm
    raise EngineError("the engine has no Hosted Engine VM (no VM with origin {} and none named "
                      "{}); is this a Hosted Engine setup?".format(
                          " or ".join(HE_VM_ORIGINS), HE_VM_NAME))


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


def find_conf_disk(connection: Any, domain_id: str) -> Any:
    """By content type hosted_engine_configuration, else by alias/name/description."""
    disks = (connection.system_service().storage_domains_service()
             .storage_domain_service(domain_id).disks_service().list())
    for matches in (is_conf_disk, is_legacy_conf_disk):
        found = [disk for disk in disks if matches(disk)]
        if found:
            return found[0]
    raise EngineError("storage domain {} holds no Hosted Engine configuration disk: none of its "
                      "{} disks has content type {} or alias/description {}".format(
                          domain_id, len(disks), CONF_DISK_CONTENT_TYPE, CONF_DISK_NAME))


def _ssl_context(settings: EngineSettings) -> ssl.SSLContext:
    if settings.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=settings.ca_file)


def ranged_get(url: str, settings: EngineSettings, size: int) -> bytes:
    """The first size bytes of url (imageio), checked to be complete."""
    request = urllib.request.Request(url, headers={"Range": "bytes=0-{}".format(size - 1)})
    context = _ssl_context(settings) if url.startswith("https:") else None
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT, context=context) as response:
        data = bytes(response.read(size))
    if len(data) != size:
        raise EngineError("{} sent {} bytes, expected {}".format(url, len(data), size))
    return data


def _wait_transferring(service: Any, poll_interval: float) -> Any:
    deadline = time.monotonic() + TRANSFER_TIMEOUT
    while True:
        transfer = service.get()
        phase = _enum(transfer.phase)
        if phase == "transferring":
            return transfer
        if phase not in ("initializing", "resuming", "unknown", None):
            raise EngineError("image transfer {} is in phase {} instead of transferring".format(
                transfer.id, phase))
        if time.monotonic() >= deadline:
            raise EngineError("image transfer {} still {} after {:g} s".format(
                transfer.id, phase, TRANSFER_TIMEOUT))
        time.sleep(poll_interval)


def download(connection: Any, disk: Any, settings: EngineSettings, poll_interval: float,
             progress: Callable[[str], None]) -> bytes:
    """The first 20480 bytes of the disk; the transfer is finalized on success, else cancelled."""
    types = import_sdk().types
    transfers = connection.system_service().image_transfers_service()
    transfer = transfers.add(types.ImageTransfer(
        disk=types.Disk(id=disk.id), direction=types.ImageTransferDirection.DOWNLOAD,
        format=types.DiskFormat.RAW, inactivity_timeout=60))
    service = transfers.image_transfer_service(transfer.id)
    progress("image transfer {} started for disk {}".format(transfer.id, disk.id))
    succeeded = False
    try:
        ready = _wait_transferring(service, poll_interval)
        data = _read_any(ready, settings)
        succeeded = True
        return data
    finally:
        if succeeded:
            service.finalize()
            progress("image transfer {} finalized".format(transfer.id))
        else:
            try:
                service.cancel()
            except Exception as error:  # the original failure is what the user must see
                progress("could not cancel image transfer {}: {}".format(transfer.id, error))


def _read_any(transfer: Any, settings: EngineSettings) -> bytes:
    """Try imageio on the host first, then the engine's proxy; report every attempt."""
    urls = [url for url in (transfer.transfer_url, transfer.proxy_url) if url]
    if not urls:
        raise EngineError("image transfer {} has neither transfer_url nor proxy_url".format(
            transfer.id))
    failures: List[str] = []
    for url in urls:
        try:
            return ranged_get(url, settings, CONF_ARCHIVE_SIZE)
        except (OSError, EngineError, http.client.HTTPException) as error:
            failures.append("{}: {}".format(url, _reason(error)))
    raise EngineError("cannot read the configuration disk: {}".format("; ".join(failures)))


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return "HTTP {} {}".format(error.code, error.reason)
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error)


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


def fetch_conf(connection: Any, settings: EngineSettings, poll_interval: float,
               progress: Callable[[str], None]) -> str:
    """hosted-engine.conf as stored on the HE storage domain's configuration disk."""
    vm = find_he_vm(connection)
    domain_id = find_he_domain(connection, vm)
    disk = find_conf_disk(connection, domain_id)
    progress("configuration disk {} ({}) on storage domain {}".format(
        disk.id, disk.alias or disk.name or "no alias", domain_id))
    return conf_from_archive(download(connection, disk, settings, poll_interval, progress),
                             str(disk.id))
