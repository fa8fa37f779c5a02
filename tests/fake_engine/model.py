"""What the fake engine knows: hosts changing state over time, events, the HE VM, its disks and
image transfers, each rendered as the REST API's XML."""

import datetime
import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from xml.sax.saxutils import escape, quoteattr

API = "/ovirt-engine/api"
HE_SCORE = 3400


def _id() -> str:
    return str(uuid.uuid4())


def _text(tag: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return "<{0}>{1}</{0}>".format(tag, escape(str(value)))


def _link(tag: str, collection: str, ident: str) -> str:
    return "<{} href={} id={}/>".format(tag, quoteattr("{}/{}/{}".format(API, collection, ident)),
                                        quoteattr(ident))


def _open(tag: str, collection: str, ident: str) -> str:
    return "<{} href={} id={}>".format(tag, quoteattr("{}/{}/{}".format(API, collection, ident)),
                                       quoteattr(ident))


@dataclass
class HeFields:
    """types.HostedEngine as the engine reports it (from vdsm haStats)."""

    configured: bool = True
    active: bool = True
    score: int = HE_SCORE
    local_maintenance: bool = False
    global_maintenance: bool = False

    def xml(self) -> str:
        return "<hosted_engine>{}{}{}{}{}</hosted_engine>".format(
            _text("active", self.active), _text("configured", self.configured),
            _text("global_maintenance", self.global_maintenance),
            _text("local_maintenance", self.local_maintenance), _text("score", self.score))


@dataclass
class Pending:
    """A state change the engine is working on and when it completes."""

    kind: str  # install | deactivate
    done_at: float
    activate: bool = True
    deploy: bool = False
    undeploy: bool = False


@dataclass
class FakeHost:
    name: str
    address: str
    cluster: str = "Default"
    status: str = "up"
    he: Optional[HeFields] = None
    install_seconds: float = 0.2
    fail_install: bool = False
    never_ready: bool = False  # HE stays configured but with score 0 and the agent inactive
    id: str = field(default_factory=_id)
    pending: Optional[Pending] = None

    def xml(self, all_content: bool) -> str:
        he = ""
        # The engine adds hosted_engine only with all_content and only when HA is configured.
        if all_content and self.he is not None and self.he.configured:
            he = self.he.xml()
        return "{}{}{}{}{}{}</host>".format(
            _open("host", "hosts", self.id), _text("name", self.name),
            _text("address", self.address), _text("status", self.status),
            _link("cluster", "clusters", self.cluster), he)


@dataclass
class FakeEvent:
    index: int
    severity: str
    description: str
    host_id: Optional[str]
    time: datetime.datetime

    def xml(self) -> str:
        host = _link("host", "hosts", self.host_id) if self.host_id else ""
        return "{}{}{}{}{}{}{}</event>".format(
            _open("event", "events", str(self.index)), _text("code", 0),
            _text("description", self.description), _text("index", self.index),
            _text("origin", "oVirt"), _text("severity", self.severity),
            _text("time", self.time.isoformat(timespec="milliseconds")) + host)


@dataclass
class FakeDisk:
    alias: str
    description: str
    content_type: Optional[str]
    storage_domain: str
    id: str = field(default_factory=_id)

    def xml(self) -> str:
        return "{}{}{}{}{}{}{}<storage_domains>{}</storage_domains></disk>".format(
            _open("disk", "disks", self.id), _text("alias", self.alias), _text("name", self.alias),
            _text("description", self.description), _text("content_type", self.content_type),
            _text("format", "raw"), _text("status", "ok"),
            _link("storage_domain", "storagedomains", self.storage_domain))


@dataclass
class FakeTransfer:
    disk_id: str
    ticket: str
    base_url: str
    phase: str = "initializing"
    polls: int = 0
    finalized: bool = False
    cancelled: bool = False
    id: str = field(default_factory=_id)

    def xml(self) -> str:
        urls = ""
        if self.phase == "transferring":
            urls = _text("proxy_url", "{}/proxy/images/{}".format(self.base_url, self.ticket))
            urls += _text("transfer_url", "{}/images/{}".format(self.base_url, self.ticket))
        return "{}{}{}{}{}<disk id={}/></image_transfer>".format(
            _open("image_transfer", "imagetransfers", self.id), _text("direction", "download"),
            _text("format", "raw"), _text("phase", self.phase), urls, quoteattr(self.disk_id))


class EngineModel:
    """All state, guarded by one lock; time-based changes are applied when something reads."""

    def __init__(self, deactivate_seconds: float = 0.05, transfer_init_polls: int = 1):
        self.lock = threading.RLock()
        self.hosts: Dict[str, FakeHost] = {}
        self.events: List[FakeEvent] = []
        self.transfers: Dict[str, FakeTransfer] = {}
        self.deactivate_seconds = deactivate_seconds
        self.transfer_init_polls = transfer_init_polls
        self._index = itertools.count(5000)
        self.storage_domain = _id()
        self.he_vm_id = _id()
        self.he_vm_origin = "managed_hosted_engine"
        self.he_vm_present = True
        vm_disk = FakeDisk("he_virtio_disk", "Hosted-Engine disk", "hosted_engine",
                           self.storage_domain)
        self.vm_disk = vm_disk
        self.conf_disk = FakeDisk("HostedEngineConfigurationImage",
                                  "Hosted-Engine configuration disk",
                                  "hosted_engine_configuration", self.storage_domain)
        self.disks: List[FakeDisk] = [
            vm_disk,
            FakeDisk("he_sanlock", "Hosted-Engine sanlock disk", "hosted_engine_sanlock",
                     self.storage_domain),
            self.conf_disk,
            FakeDisk("he_metadata", "Hosted-Engine metadata disk", "hosted_engine_metadata",
                     self.storage_domain),
            FakeDisk("OVF_STORE", "OVF_STORE", "ovf_store", self.storage_domain),
        ]
        self.add_event("normal", "Engine started (fake).")

    # -- events ---------------------------------------------------------------------------

    def add_event(self, severity: str, description: str, host_id: Optional[str] = None) -> None:
        with self.lock:
            self.events.append(FakeEvent(next(self._index), severity, description, host_id,
                                         datetime.datetime.now(datetime.timezone.utc)))

    # -- hosts over time ------------------------------------------------------------------

    def advance(self, host: FakeHost) -> None:
        """Apply a pending change whose time has come."""
        pending = host.pending
        if pending is None or time.monotonic() < pending.done_at:
            return
        host.pending = None
        if pending.kind == "deactivate":
            host.status = "maintenance"
            if host.he is not None:
                host.he.local_maintenance, host.he.score = True, 0
            self.add_event("normal", "Host {} was switched to Maintenance mode by admin@internal."
                           .format(host.name), host.id)
            return
        if host.fail_install:
            host.status = "install_failed"
            self.add_event("warning", "Failed to install Host {}. Task Install "
                           "ovirt-hosted-engine-setup failed to execute.".format(host.name),
                           host.id)
            self.add_event("error", "Host {} installation failed. Please refer to "
                           "engine.log and log files under /var/log/ovirt-engine/host-deploy/ "
                           "on the engine for further details.".format(host.name), host.id)
            return
        if pending.deploy:
            host.he = HeFields(active=not host.never_ready,
                               score=0 if host.never_ready else HE_SCORE)
        elif pending.undeploy:
            host.he = None
        host.status = "up" if pending.activate else "maintenance"
        if host.he is not None and host.status == "up" and not host.never_ready:
            host.he.local_maintenance, host.he.score = False, HE_SCORE
        self.add_event("normal", "Host {} installed".format(host.name), host.id)

    def start_install(self, host: FakeHost, activate: bool, deploy: bool, undeploy: bool) -> None:
        host.status = "installing"
        host.pending = Pending("install", time.monotonic() + host.install_seconds, activate,
                               deploy, undeploy)
        self.add_event("normal", "Installing Host {}.".format(host.name), host.id)

    def deactivate(self, host: FakeHost) -> None:
        host.status = "preparing_for_maintenance"
        host.pending = Pending("deactivate", time.monotonic() + self.deactivate_seconds)

    def activate(self, host: FakeHost) -> None:
        host.status = "up"
        if host.he is not None and not host.never_ready:
            host.he.local_maintenance, host.he.score = False, HE_SCORE

    # -- XML for the HE VM ----------------------------------------------------------------

    def vms_xml(self) -> str:
        vms = [_open("vm", "vms", _id()) + _text("name", "web01") + _text("origin", "ovirt")
               + _text("status", "up") + "</vm>"]
        if self.he_vm_present:
            running = next(iter(self.hosts.values()), None)
            vms.append(_open("vm", "vms", self.he_vm_id) + _text("name", "HostedEngine")
                       + _text("origin", self.he_vm_origin) + _text("status", "up")
                       + (_link("host", "hosts", running.id) if running else "") + "</vm>")
        return "<vms>{}</vms>".format("".join(vms))

    def attachments_xml(self) -> str:
        disk = self.vm_disk
        return "<disk_attachments>{}{}{}<disk href={} id={}/></disk_attachment>" \
               "</disk_attachments>".format(
                   "<disk_attachment href={} id={}>".format(
                       quoteattr("{}/vms/{}/diskattachments/{}".format(API, self.he_vm_id,
                                                                       disk.id)),
                       quoteattr(disk.id)),
                   _text("active", True), _text("bootable", True),
                   quoteattr("{}/disks/{}".format(API, disk.id)), quoteattr(disk.id))
