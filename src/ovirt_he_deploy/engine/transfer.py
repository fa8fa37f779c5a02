"""Read the start of a disk through an engine image transfer and ovirt-imageio, and finish the
transfer the way the engine expects: finalized and seen finished_success, or cancelled."""

import http.client
import socket
import ssl
import time
from typing import Any, Callable, List, Optional
from urllib.parse import urlsplit

from .connection import EngineError, EngineSettings, import_sdk

# ovirt_disk connects to transfer_url with a 10 s timeout before it tries proxy_url
# (create_transfer_connection); reads then get their own timeout.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
# The engine pauses a transfer whose client was silent this long (the engine's default is
# TransferImageClientInactivityTimeoutInSeconds=60); trying both URLs must fit well inside.
INACTIVITY_TIMEOUT = 120
PHASE_TIMEOUT = 120.0
FINALIZE_TIMEOUT = 300.0
# Phases a new transfer passes before transferring (ImageTransferPhase).
STARTING = ("initializing", "resuming", "unknown")


def both_urls_fit(connect: float, read: float, inactivity: float) -> bool:
    """Whether two attempts (transfer_url, then proxy_url) end before the engine gives up
    on a silent client."""
    return 2 * (connect + read) < inactivity


assert both_urls_fit(CONNECT_TIMEOUT, READ_TIMEOUT, INACTIVITY_TIMEOUT)


def _enum(value: Any) -> Optional[str]:
    return None if value is None else str(getattr(value, "value", value))


def _ssl_context(settings: EngineSettings) -> ssl.SSLContext:
    if settings.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=settings.ca_file)


class ReadFailed(Exception):
    """One imageio URL could not give the bytes; the message says why."""


def ranged_get(url: str, settings: EngineSettings, size: int,
               connect_timeout: float, read_timeout: float) -> bytes:
    """The first size bytes of url (imageio): connect (TCP and TLS) within connect_timeout,
    then each read within read_timeout; the data must be complete."""
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=connect_timeout,
            context=_ssl_context(settings))
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port,
                                                timeout=connect_timeout)
    try:
        try:
            connection.connect()
        except (OSError, ssl.SSLError) as error:
            raise ReadFailed("cannot connect within {:g} s: {}".format(
                connect_timeout, _reason(error))) from None
        assert connection.sock is not None
        connection.sock.settimeout(read_timeout)
        path = parts.path + ("?" + parts.query if parts.query else "")
        try:
            connection.request("GET", path, headers={"Range": "bytes=0-{}".format(size - 1)})
            response = connection.getresponse()
            if response.status not in (200, 206):
                raise ReadFailed("HTTP {} {}".format(response.status, response.reason))
            data = response.read(size)
        except (OSError, http.client.HTTPException) as error:
            raise ReadFailed("no complete answer within {:g} s per read: {}".format(
                read_timeout, _reason(error))) from None
    finally:
        connection.close()
    if len(data) != size:
        raise ReadFailed("sent {} bytes, expected {}".format(len(data), size))
    return data


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return "timed out"
    if isinstance(error, http.client.IncompleteRead):
        return "connection closed after {} bytes".format(len(error.partial))
    return str(error) or type(error).__name__


def read_any(transfer: Any, settings: EngineSettings, size: int,
             progress: Callable[[str], None]) -> bytes:
    """imageio on the host first (transfer_url), then the engine's proxy (proxy_url)."""
    urls = [url for url in (transfer.transfer_url, transfer.proxy_url) if url]
    if not urls:
        raise EngineError("image transfer {} has neither transfer_url nor proxy_url".format(
            transfer.id))
    failures: List[str] = []
    for url in urls:
        try:
            return ranged_get(url, settings, size, CONNECT_TIMEOUT, READ_TIMEOUT)
        except ReadFailed as error:
            failures.append("{}: {}".format(url, error))
            if url != urls[-1]:
                progress("cannot read {} ({}); trying {}".format(url, error, urls[-1]))
    raise EngineError("cannot read the configuration disk through imageio: {}".format(
        "; ".join(failures)))


def _wait_transferring(service: Any, transfer_id: str, poll_interval: float) -> Any:
    deadline = time.monotonic() + PHASE_TIMEOUT
    while True:
        transfer = service.get()
        phase = _enum(transfer.phase)
        if phase == "transferring":
            return transfer
        if phase not in STARTING and phase is not None:
            raise EngineError("image transfer {} is in phase {} instead of transferring".format(
                transfer_id, phase))
        if time.monotonic() >= deadline:
            raise EngineError("image transfer {} still {} after {:g} s".format(
                transfer_id, phase, PHASE_TIMEOUT))
        time.sleep(poll_interval)


def finalize(connection: Any, service: Any, transfer_id: str, disk_id: str,
             poll_interval: float) -> None:
    """Finalize and wait for finished_success: finalize only starts it, and until it is
    finished the engine keeps the disk locked (TransferDiskImageCommand)."""
    sdk = import_sdk()
    service.finalize()
    deadline = time.monotonic() + FINALIZE_TIMEOUT
    phase = "finalizing_success"
    while True:
        try:
            phase = _enum(service.get().phase) or "unknown"
        except sdk.NotFoundError:
            # Engines before 4.4.7 drop a finished transfer; the disk status tells the end
            # (ovirt_disk's finalize_transfer does the same).
            _check_disk_after(connection, transfer_id, disk_id)
            return
        if phase == "finished_success":
            return
        if phase in ("finished_failure", "finalizing_failure"):
            raise EngineError("image transfer {} ended in {} after finalize: the engine did not "
                              "accept the download, so no deploy unit was written; rerun, and "
                              "look at the engine's events for disk {}".format(
                                  transfer_id, phase, disk_id))
        if time.monotonic() >= deadline:
            raise EngineError("image transfer {} is still {} {:g} s after finalize; the engine "
                              "keeps disk {} locked until it finishes. No deploy unit was "
                              "written: rerun once the transfer has finished".format(
                                  transfer_id, phase, FINALIZE_TIMEOUT, disk_id))
        time.sleep(poll_interval)


def _check_disk_after(connection: Any, transfer_id: str, disk_id: str) -> None:
    sdk = import_sdk()
    try:
        disk = connection.system_service().disks_service().disk_service(disk_id).get()
    except sdk.NotFoundError:
        raise EngineError("image transfer {} is gone after finalize and so is disk {}".format(
            transfer_id, disk_id)) from None
    status = _enum(disk.status)
    if status != "ok":
        raise EngineError("image transfer {} is gone after finalize and disk {} is {}, not ok"
                          .format(transfer_id, disk_id, status))


def start(connection: Any, disk: Any) -> Any:
    """A new download transfer of disk; a locked disk is explained."""
    sdk = import_sdk()
    types = sdk.types
    transfers = connection.system_service().image_transfers_service()
    try:
        return transfers.add(types.ImageTransfer(
            disk=types.Disk(id=disk.id), direction=types.ImageTransferDirection.DOWNLOAD,
            format=types.DiskFormat.RAW, inactivity_timeout=INACTIVITY_TIMEOUT))
    except sdk.Error as error:
        if getattr(error, "code", None) != 409:
            raise
        raise EngineError("the engine refused to start an image transfer of disk {} ({}): {}. "
                          "A transfer of it that has not finished yet keeps it locked (the "
                          "engine unlocks it once that transfer is finished): wait a minute and "
                          "rerun".format(disk.id, disk.alias or disk.name, error)) from None


def download(connection: Any, disk: Any, settings: EngineSettings, size: int,
             poll_interval: float, progress: Callable[[str], None]) -> bytes:
    """The first size bytes of the disk; the transfer is finalized and seen finished on
    success, else cancelled."""
    transfer = start(connection, disk)
    transfer_id = str(transfer.id)
    service = connection.system_service().image_transfers_service().image_transfer_service(
        transfer_id)
    progress("image transfer {} started for disk {}".format(transfer_id, disk.id))
    try:
        ready = _wait_transferring(service, transfer_id, poll_interval)
        data = read_any(ready, settings, size, progress)
    except BaseException:
        try:
            service.cancel()
        except Exception as error:  # the original failure is what the user must see
            progress("could not cancel image transfer {}: {}".format(transfer_id, error))
        raise
    finalize(connection, service, transfer_id, str(disk.id), poll_interval)
    progress("image transfer {} finished (finished_success)".format(transfer_id))
    return data
