"""What the fake engine knows and how it changes: data centers, clusters, hosts moving through
statuses poll by poll (or second by second), events, the engine VM, its disks and image
transfers, each rendered as the REST API's XML. Each behaviour names the engine source it
models (oVirt/ovirt-engine, backend/manager/modules/...)."""

import collections
import datetime
import itertools
import threading
import time
import uuid
from typing import Deque, Dict, List, NamedTuple, Optional, Tuple
from xml.sax.saxutils import escape, quoteattr

API = "/ovirt-engine/api"
HE_SCORE = 3400  # ovirt-hosted-engine-ha agent.conf base-score
KEEP = "keep"  # Step.he: leave the host's Hosted Engine fields as they are


def new_id() -> str:
    return str(uuid.uuid4())


def text(tag: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return "<{0}>{1}</{0}>".format(tag, escape(str(value)))


def link(tag: str, collection: str, ident: str) -> str:
    return "<{} href={} id={}/>".format(tag, quoteattr("{}/{}/{}".format(API, collection, ident)),
                                        quoteattr(ident))


def opening(tag: str, collection: str, ident: str) -> str:
    return "<{} href={} id={}>".format(tag, quoteattr("{}/{}/{}".format(API, collection, ident)),
                                       quoteattr(ident))


class HeFields:
    """types.HostedEngine as the engine reports it (HostMapper, from vdsm haStats)."""

    def __init__(self, configured: bool = True, active: bool = True, score: int = HE_SCORE,
                 local_maintenance: bool = False, global_maintenance: bool = False):
        self.configured = configured
        self.active = active
        self.score = score
        self.local_maintenance = local_maintenance
        self.global_maintenance = global_maintenance

    def xml(self) -> str:
        return "<hosted_engine>{}{}{}{}{}</hosted_engine>".format(
            text("active", self.active), text("configured", self.configured),
            text("global_maintenance", self.global_maintenance),
            text("local_maintenance", self.local_maintenance), text("score", self.score))


class Step(NamedTuple):
    """One status a host is in. It ends after `polls` GETs of the host, or `seconds`; with
    neither it lasts until an action replaces it. On entering: Hosted Engine fields `he`
    (KEEP leaves them) and events (severity, code, description)."""

    status: str
    polls: Optional[int] = None
    seconds: Optional[float] = None
    he: object = KEEP
    events: Tuple[Tuple[str, int, str], ...] = ()
    moves_engine_vm: bool = False  # entering it needs the engine VM migrated away first


class DataCenter(NamedTuple):
    id: str
    name: str


class Cluster(NamedTuple):
    id: str
    name: str
    data_center: DataCenter

    def xml(self) -> str:
        return "{}{}{}</cluster>".format(opening("cluster", "clusters", self.id),
                                         text("name", self.name),
                                         link("data_center", "datacenters",
                                              self.data_center.id))


class FakeHost:
    """A host and its scenario knobs (how many polls each phase takes, what goes wrong)."""

    def __init__(self, name: str, address: str, cluster: Cluster, spm_id: int):
        self.id = new_id()
        self.name = name
        self.address = address
        self.cluster = cluster
        self.spm_id = spm_id  # vds_spm_id_map.vds_spm_id: the Hosted Engine host_id
        self.status = "up"
        self.he: Optional[HeFields] = None
        self.steps: Deque[Step] = collections.deque()
        self.polls_left: Optional[int] = None
        self.until: Optional[float] = None
        self.gets = 0
        # Scenario knobs.
        self.install_polls = 2
        self.install_seconds: Optional[float] = None
        self.fail_install = False
        self.never_ready = False  # the agent never gets a score after deploy
        self.deactivate_polls = 1
        self.migration_fails = False  # a VM on it cannot be migrated away
        self.reboot_polls = 1
        self.initializing_polls = 1
        self.he_warmup_polls = 1  # polls the new agent reports score 0 before 3400
        self.unresponsive_polls = 0  # non_responsive after the install (-1: for good)

    @property
    def he_ready(self) -> bool:
        """HostedEngineHelper.haveHostsAvailableForHE on an Up host."""
        he = self.he
        return (self.status == "up" and he is not None and he.configured and he.active
                and not he.local_maintenance and he.score > 0)

    def xml(self, all_content: bool) -> str:
        he = ""
        # BackendHostsResource.addHostedEngineIfConfigured: only with all_content, and only
        # when HA is configured.
        if all_content and self.he is not None and self.he.configured:
            he = self.he.xml()
        return "{}{}{}{}{}{}</host>".format(
            opening("host", "hosts", self.id), text("name", self.name),
            text("address", self.address), text("status", self.status),
            link("cluster", "clusters", self.cluster.id), he)


class FakeEvent(NamedTuple):
    number: int
    code: int
    severity: str
    description: str
    host_id: Optional[str]
    time: datetime.datetime

    def xml(self) -> str:
        host = link("host", "hosts", self.host_id) if self.host_id else ""
        return "{}{}{}{}{}{}{}{}</event>".format(
            opening("event", "events", str(self.number)), text("code", self.code),
            text("description", self.description), text("index", self.number),
            text("origin", "oVirt"), text("severity", self.severity),
            text("time", self.time.isoformat(timespec="milliseconds")), host)


class FakeDisk:
    def __init__(self, alias: str, description: str, content_type: Optional[str],
                 storage_domain: str):
        self.id = new_id()
        self.alias = alias
        self.description = description
        self.content_type = content_type
        self.storage_domain = storage_domain
        self.status = "ok"

    def xml(self) -> str:
        return "{}{}{}{}{}{}{}<storage_domains>{}</storage_domains></disk>".format(
            opening("disk", "disks", self.id), text("alias", self.alias),
            text("name", self.alias), text("description", self.description),
            text("content_type", self.content_type), text("format", "raw"),
            text("status", self.status),
            link("storage_domain", "storagedomains", self.storage_domain))


class FakeTransfer:
    def __init__(self, disk: FakeDisk, ticket: str, inactivity_timeout: Optional[str]):
        self.id = new_id()
        self.disk = disk
        self.ticket = ticket
        self.inactivity_timeout = inactivity_timeout
        self.phase = "initializing"
        self.polls = 0
        self.finalized = False
        self.cancelled = False
        self.polls_since_finalize = 0
        self.transfer_url = ""
        self.proxy_url = ""

    def xml(self) -> str:
        urls = ""
        if self.phase == "transferring":
            urls = text("proxy_url", self.proxy_url) + text("transfer_url", self.transfer_url)
        return "{}{}{}{}{}{}<disk id={}/></image_transfer>".format(
            opening("image_transfer", "imagetransfers", self.id), text("direction", "download"),
            text("format", "raw"), text("inactivity_timeout", self.inactivity_timeout),
            text("phase", self.phase), urls, quoteattr(self.disk.id))


class EngineModel:
    """All state, guarded by one lock. Time-based steps advance on every request; poll-based
    steps only on a GET of that host."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.hosts: Dict[str, FakeHost] = {}
        self.events: List[FakeEvent] = []
        self.transfers: Dict[str, FakeTransfer] = {}
        self.data_centers: List[DataCenter] = [DataCenter(new_id(), "Default")]
        self.clusters: List[Cluster] = [Cluster(new_id(), "Default", self.data_centers[0])]
        self._numbers = itertools.count(5000)
        self.storage_domain = new_id()
        self.storage_domain_name = "hosted_storage"
        self.he_vm_id = new_id()
        self.he_vm_origin = "managed_hosted_engine"
        self.he_vm_present = True
        self.he_vm_cluster = self.clusters[0]
        self.he_vm_host: Optional[FakeHost] = None
        # What a tool did that the real engine would have let through to harm:
        self.violations: List[str] = []
        self.taken_down: List[str] = []  # host names in the order deactivate was accepted
        self.history: List[Tuple[str, str]] = []  # (host name, status) as hosts enter them
        self.vm_disk = FakeDisk("he_virtio_disk", "Hosted-Engine disk", "hosted_engine",
                                self.storage_domain)
        self.conf_disk = FakeDisk("HostedEngineConfigurationImage",
                                  "Hosted-Engine configuration disk",
                                  "hosted_engine_configuration", self.storage_domain)
        self.disks: List[FakeDisk] = [
            self.vm_disk,
            FakeDisk("he_sanlock", "Hosted-Engine sanlock disk", "hosted_engine_sanlock",
                     self.storage_domain),
            self.conf_disk,
            FakeDisk("he_metadata", "Hosted-Engine metadata disk", "hosted_engine_metadata",
                     self.storage_domain),
            FakeDisk("OVF_STORE", "OVF_STORE", "ovf_store", self.storage_domain),
        ]
        self.add_event("normal", 9000, "Engine started (fake).")

    # -- layout -------------------------------------------------------------------------

    def add_cluster(self, name: str, data_center: Optional[str] = None) -> Cluster:
        """A cluster in data center `data_center` (created when new; default: Default)."""
        with self.lock:
            dc_name = data_center or "Default"
            dc = next((dc for dc in self.data_centers if dc.name == dc_name), None)
            if dc is None:
                dc = DataCenter(new_id(), dc_name)
                self.data_centers.append(dc)
            cluster = Cluster(new_id(), name, dc)
            self.clusters.append(cluster)
            return cluster

    def cluster(self, name: str) -> Optional[Cluster]:
        return next((cluster for cluster in self.clusters if cluster.name == name), None)

    def free_spm_id(self, data_center: DataCenter) -> int:
        """AddVdsSpmIdCommand: the lowest free id from 1 in the host's data center."""
        used = {host.spm_id for host in self.hosts.values()
                if host.cluster.data_center == data_center}
        return next(number for number in itertools.count(1) if number not in used)

    # -- events ---------------------------------------------------------------------------

    def add_event(self, severity: str, code: int, description: str,
                  host_id: Optional[str] = None) -> None:
        with self.lock:
            self.events.append(FakeEvent(next(self._numbers), code, severity, description,
                                         host_id, datetime.datetime.now(datetime.timezone.utc)))

    # -- host steps -------------------------------------------------------------------------

    def enter(self, host: FakeHost, step: Step) -> None:
        if step.moves_engine_vm and self.he_vm_host is host:
            targets = [other for other in self.he_cluster_up(host) if other.he_ready]
            if not targets:
                # MigrateVmCommand finds no host: VM_MIGRATION_NO_VDS_TO_MIGRATE_TO, and the
                # host stays PreparingForMaintenance while the VM runs on it.
                self.add_event("warning", 166, "No available host was found to migrate VM "
                               "HostedEngine to.", host.id)
                host.steps.clear()
                host.polls_left = host.until = None
                return
            self.he_vm_host = targets[0]
        host.status = step.status
        self.history.append((host.name, step.status))
        if step.he is not KEEP:
            host.he = step.he  # type: ignore[assignment]
        host.polls_left = step.polls
        host.until = None if step.seconds is None else time.monotonic() + step.seconds
        for severity, code, description in step.events:
            self.add_event(severity, code, description.format(name=host.name), host.id)

    def script(self, host: FakeHost, steps: List[Step]) -> None:
        """Replace what the host does next: enter the first step now, queue the rest."""
        host.steps = collections.deque(steps[1:])
        self.enter(host, steps[0])

    def advance(self, host: FakeHost) -> None:
        """Enter the next queued steps whose predecessor is over."""
        while host.steps:
            over = ((host.polls_left is not None and host.polls_left <= 0)
                    or (host.until is not None and time.monotonic() >= host.until))
            if not over:
                return
            self.enter(host, host.steps.popleft())

    def polled(self, host: FakeHost) -> None:
        """A GET of this host was answered: one poll of its current step is used up."""
        host.gets += 1
        if host.polls_left is not None:
            host.polls_left -= 1

    # -- actions ----------------------------------------------------------------------------

    def start_install(self, host: FakeHost, activate: bool, deploy: bool, undeploy: bool,
                      reboot: bool) -> None:
        """InstallVdsInternalCommand: Installing, the host-deploy playbook (its HE role
        deploys or removes hosted-engine.conf and the agent), an optional reboot
        (SshHostReboot), then Initializing -> Up (activate) or Maintenance."""
        steps = [Step("installing", polls=None if host.install_seconds else host.install_polls,
                      seconds=host.install_seconds,
                      events=((("normal", 509, "Installing Host {name}. Stage: ansible."),)))]
        if host.fail_install:
            # VDS_INSTALL_IN_PROGRESS_ERROR (511) from the playbook, then VDS_INSTALL_FAILED (505)
            steps.append(Step("install_failed", events=(
                ("error", 511, "An error has occurred during installation of Host {name}: "
                               "Task Install ovirt-hosted-engine-setup failed to execute."),
                ("error", 505, "Host {name} installation failed. Please refer to engine.log "
                               "and log files under /var/log/ovirt-engine/host-deploy/ on the "
                               "engine for further details."))))
            self.script(host, steps)
            return
        if deploy:
            # the role restarts ovirt-ha-agent; in maintenance the engine keeps it in local
            # maintenance (an inference: MaintenanceVdsCommand sets it, InitVdsOnUp clears it)
            starting = HeFields(active=False, score=0, local_maintenance=not activate)
        else:
            starting = None if undeploy else KEEP  # type: ignore[assignment]
        installed = (("normal", 504, "Host {name} installed"),)  # VDS_INSTALL
        if reboot:
            steps.append(Step("reboot", polls=host.reboot_polls, events=installed))
            installed = ()
        if host.unresponsive_polls:
            steps.append(Step("non_responsive", polls=None if host.unresponsive_polls < 0
                              else host.unresponsive_polls, events=installed))
            installed = ()
        if not activate:
            steps.append(Step("maintenance", he=starting, events=installed))
            self.script(host, steps)
            return
        steps.append(Step("initializing", polls=host.initializing_polls, he=starting,
                          events=installed))
        if deploy and host.never_ready:
            steps.append(Step("up", he=HeFields(active=False, score=0)))
        elif deploy:
            steps.append(Step("up", polls=host.he_warmup_polls,
                              he=HeFields(active=False, score=0)))
            steps.append(Step("up", he=HeFields()))
        elif host.he is not None and not undeploy:
            steps.append(Step("up", he=HeFields()))  # InitVdsOnUp clears local maintenance
        else:
            steps.append(Step("up"))
        self.script(host, steps)

    def deactivate(self, host: FakeHost) -> None:
        """MaintenanceNumberOfVdssCommand + MaintenanceVdsCommand, once validated: local
        maintenance on an HE host (its agent then scores 0), the VMs migrate (the engine VM
        to another usable HE host), PreparingForMaintenance until they are gone."""
        others_ready = [other for other in self.he_cluster_up(host) if other.he_ready]
        if host.he is not None and host.he.configured and self.he_vm_present \
                and not others_ready:
            self.violations.append("{} was taken down while no other Hosted Engine host was "
                                   "up and ready".format(host.name))
        self.taken_down.append(host.name)
        self.add_event("normal", 620, "Host {} was switched to Maintenance mode by "
                       "admin@internal.".format(host.name), host.id)
        if host.he is not None and host.he.configured:
            host.he.local_maintenance, host.he.score = True, 0
        if host.status in ("non_responsive", "connecting", "down"):
            self.script(host, [Step("maintenance")])  # MaintenanceVdsCommand: directly
            return
        if host.migration_fails:
            self.script(host, [
                Step("preparing_for_maintenance", polls=host.deactivate_polls),
                Step("preparing_for_maintenance", events=(
                    ("error", 65, "Migration failed (VM: web01, Source: {name})."),
                    ("error", 140, "Migration failed while Host is in 'preparing for "
                                   "maintenance' state. Consider manual intervention: "
                                   "stopping/migrating Vms as Host's state will not turn to "
                                   "maintenance while VMs are still running on it.(VM: web01, "
                                   "Source: {name}, Destination: <UNKNOWN>).")))])
            return
        # The engine VM leaves at the end of the move (the VMs migrate meanwhile).
        self.script(host, [Step("preparing_for_maintenance", polls=host.deactivate_polls),
                           Step("maintenance", moves_engine_vm=True)])

    def activate(self, host: FakeHost) -> None:
        """ActivateVdsCommand: Unassigned, then host monitoring: Initializing -> Up."""
        steps = [Step("unassigned", polls=0), Step("initializing", polls=host.initializing_polls)]
        steps.append(Step("up", he=HeFields() if host.he is not None else None))
        self.script(host, steps)

    def he_cluster_up(self, excluded: Optional[FakeHost] = None) -> List[FakeHost]:
        """The Up hosts of the engine VM's cluster but excluded."""
        return [host for host in self.hosts.values()
                if host is not excluded and host.cluster == self.he_vm_cluster
                and host.status == "up"]

    def check_cluster(self, host: FakeHost) -> None:
        """Install does not refuse an HE deploy outside the engine VM's cluster; record it
        (AppErrors ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_CLUSTER says it is not
        allowed)."""
        if host.cluster != self.he_vm_cluster:
            self.violations.append("{} got Hosted Engine in cluster {}, not the engine VM's {}"
                                   .format(host.name, host.cluster.name,
                                           self.he_vm_cluster.name))

    # -- XML for the rest -------------------------------------------------------------------

    def vms_xml(self) -> str:
        vms = [opening("vm", "vms", "0a0b0c0d-0000-4000-8000-00000000000e")
               + text("name", "web01") + text("origin", "ovirt") + text("status", "up")
               + "</vm>"]
        if self.he_vm_present:
            running = self.he_vm_host
            vms.append(opening("vm", "vms", self.he_vm_id) + text("name", "HostedEngine")
                       + text("origin", self.he_vm_origin) + text("status", "up")
                       + link("cluster", "clusters", self.he_vm_cluster.id)
                       + (link("host", "hosts", running.id) if running else "") + "</vm>")
        return "<vms>{}</vms>".format("".join(vms))

    def attachments_xml(self) -> str:
        disk = self.vm_disk
        return "<disk_attachments>{}{}{}<disk href={} id={}/></disk_attachment>" \
               "</disk_attachments>".format(
                   "<disk_attachment href={} id={}>".format(
                       quoteattr("{}/vms/{}/diskattachments/{}".format(API, self.he_vm_id,
                                                                       disk.id)),
                       quoteattr(disk.id)),
                   text("active", True), text("bootable", True),
                   quoteattr("{}/disks/{}".format(API, disk.id)), quoteattr(disk.id))
