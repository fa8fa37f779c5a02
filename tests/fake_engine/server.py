"""FakeEngine: a local oVirt engine double over HTTP or HTTPS for the `engine` commands.

It answers the SSO token/logout endpoints and the REST API paths ovirt-he-deploy uses (hosts
and their actions and searches, events, clusters, data centers, vms, disk attachments, disks,
storage domains and their disks, image transfers) with the engine's XML and the engine's
validation faults, and serves the configuration archive to a ranged GET like ovirt-imageio
(on the host: transfer_url; through the engine: proxy_url). Hosts move through statuses one
GET at a time (see model.Step), so tests drive timing by scenario, never by sleeping. Every
request is recorded (method, path, query, body, headers).

Use it from a test, a benchmark or a shell::

    import sys; sys.path.insert(0, "tests")
    from fake_engine import FakeEngine

    engine = FakeEngine(password="secret")          # tls=make_pki(dir) for HTTPS
    engine.add_host("host01", he=True)              # up, ready Hosted Engine host, engine VM
    engine.add_host("host02").install_polls = 5     # up without Hosted Engine, slow install
    engine.start()
    # OVIRT_ENGINE_PASSWORD=secret ovirt-he-deploy engine deploy --engine-url <engine.url> ...
    engine.stop()

Knobs: add_host(name, status=, he=, cluster=, ...) and the FakeHost attributes (install_polls,
install_seconds, fail_install, never_ready, deactivate_polls, migration_fails, reboot_polls,
initializing_polls, he_warmup_polls, unresponsive_polls); engine.script(name, steps);
engine.model (add_cluster, he_vm_present, he_vm_origin, he_vm_host, violations, taken_down);
engine.conf_disk_mode ("content_type", "alias", "missing"); engine.archive (bytes served);
engine.daemon_mode / engine.proxy_mode for transfer_url / proxy_url ("ok", "http_error",
"truncate", "refused", "hang"); engine.transfer_init_polls; engine.transfer_fails;
engine.finalize_polls; engine.finalize_mode ("ok", "failure", "vanish"); engine.faults.
Loopback only; bodies are capped at 1 MiB.
"""

import re
import socket
import socketserver
import ssl
import threading
import time
import xml.etree.ElementTree as ElementTree
from http.server import HTTPServer
from typing import Any, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from .conftar import build_archive, default_members
from .handler import Recorded, make_handler
from .model import API, EngineModel, FakeDisk, FakeHost, FakeTransfer, HeFields, Step, new_id
from .pki import Pki

SSO_LOGOUT = "/ovirt-engine/services/sso-logout"
ACTION_OK = "<action><status>complete</status></action>"
# Statuses MaintenanceNumberOfVdssCommand.validate lets through.
MAINTAINABLE = ("maintenance", "non_responsive", "up", "error", "preparing_for_maintenance",
                "down", "non_operational", "install_failed")
# UpdateHostValidator: install only from these (VDS_CANNOT_INSTALL_STATUS_ILLEGAL).
INSTALLABLE = ("maintenance", "non_operational", "install_failed", "installing_os")


def _flag(value: Optional[str]) -> bool:
    # HostResourceParametersUtil / ParametersHelper: a present-but-empty flag is true.
    return value is not None and value.lower() in ("", "true")


def _fault(code: int, reason: str, detail: str) -> Tuple[int, str]:
    return code, "<fault><reason>{}</reason><detail>{}</detail></fault>".format(
        escape(reason), escape(detail))


def _conflict(detail: str) -> Tuple[int, str]:
    """A validation failure as the REST API reports it (409, Operation Failed)."""
    return _fault(409, "Operation Failed", "[{}]".format(detail))


class FakeEngine:
    """Start with start(), stop with stop() (or use as a context manager)."""

    def __init__(self, password: str = "engine-secret", username: str = "admin@internal",
                 tls: Optional[Pki] = None, install_seconds: Optional[float] = None):
        self.username = username
        self.password = password
        self.tls = tls
        self.install_seconds = install_seconds
        self.model = EngineModel()
        self.token = "fake-token-{}".format(id(self))
        self.archive = build_archive(default_members())
        self.conf_disk_mode = "content_type"
        self.daemon_mode = "ok"
        self.proxy_mode = "ok"
        self.transfer_init_polls = 1
        self.transfer_fails = False
        self.finalize_polls = 1
        self.finalize_mode = "ok"
        # "METHOD /path" (below the API) -> (code, reason, detail) answered instead
        self.faults: Dict[str, Tuple[int, str, str]] = {}
        self._requests: List[Recorded] = []
        self._server: Optional[HTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._blackhole: Optional[socket.socket] = None
        self._held: List[socket.socket] = []

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "FakeEngine":
        server = _Server(("127.0.0.1", 0), make_handler(self))
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            if hasattr(ssl, "TLSVersion"):  # Python 3.7+
                context.minimum_version = ssl.TLSVersion.TLSv1_2
            else:
                context.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
            context.load_cert_chain(self.tls.cert_file, self.tls.key_file)
            server.socket = context.wrap_socket(server.socket, server_side=True,
                                                do_handshake_on_connect=False)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={
            "poll_interval": 0.05}, name="fake-engine", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for held in self._held + ([self._blackhole] if self._blackhole else []):
            held.close()
        self._held, self._blackhole = [], None

    def __enter__(self) -> "FakeEngine":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake engine first"
        return "{}://127.0.0.1:{}".format("https" if self.tls else "http",
                                          self._server.server_address[1])

    @property
    def url(self) -> str:
        return self.base_url + API

    # -- setup and inspection -------------------------------------------------------------

    def add_host(self, name: str, status: str = "up", he: bool = False,
                 cluster: str = "Default", address: Optional[str] = None,
                 **knobs: Any) -> FakeHost:
        """A host the engine already knows; he=True makes it a ready Hosted Engine host (the
        first one runs the engine VM). knobs set FakeHost scenario attributes."""
        with self.model.lock:
            found = self.model.cluster(cluster)
            if found is None:
                raise KeyError("no cluster {}; model.add_cluster() it first".format(cluster))
            host = FakeHost(name, address or name + ".example.com", found,
                            self.model.free_spm_id(found.data_center))
            host.status = status
            host.he = HeFields() if he else None
            host.install_seconds = self.install_seconds
            for knob, value in knobs.items():
                if not hasattr(host, knob):
                    raise TypeError("FakeHost has no knob {}".format(knob))
                setattr(host, knob, value)
            self.model.hosts[host.id] = host
            if he and self.model.he_vm_host is None:
                self.model.he_vm_host = host
            return host

    def host(self, name: str) -> FakeHost:
        with self.model.lock:
            for host in self.model.hosts.values():
                if host.name == name:
                    self.model.advance(host)
                    return host
        raise KeyError(name)

    def script(self, name: str, steps: List[Step]) -> None:
        """What a host does from now on, e.g. [Step("non_responsive", polls=3), Step("up")]."""
        with self.model.lock:
            self.model.script(self.host(name), steps)

    @property
    def requests(self) -> List[Recorded]:
        with self.model.lock:
            return list(self._requests)

    def find(self, method: str, path_end: str) -> List[Recorded]:
        """Recorded requests with this method whose path ends with path_end."""
        return [r for r in self.requests if r.method == method and r.path.endswith(path_end)]

    def actions(self) -> List[Tuple[str, str]]:
        """(host name, action) of every host action POSTed, in order."""
        names = {host.id: host.name for host in self.model.hosts.values()}
        found = []
        for request in self.requests:
            parts = request.path[len(API):].split("/")
            if request.method == "POST" and len(parts) == 4 and parts[1] == "hosts":
                found.append((names.get(parts[2], parts[2]), parts[3]))
        return found

    @property
    def transfers(self) -> List[FakeTransfer]:
        with self.model.lock:
            return list(self.model.transfers.values())

    def record(self, request: Recorded) -> None:
        with self.model.lock:
            self._requests.append(request)

    # -- API ------------------------------------------------------------------------------

    def sso(self, path: str, form: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        if path == SSO_LOGOUT:
            return 200, {}
        if form.get("username") != self.username or form.get("password") != self.password:
            return 400, {"error_code": "access_denied", "error": "Cannot authenticate user "
                         "'{}': The username or password is incorrect..".format(
                             form.get("username"))}
        return 200, {"access_token": self.token, "scope": "ovirt-app-api", "token_type":
                     "bearer", "exp": str(int(time.time() * 1000) + 3600000)}

    def api(self, method: str, path: str, query: Dict[str, str],
            body: str) -> Tuple[int, str]:
        with self.model.lock:
            for host in self.model.hosts.values():
                self.model.advance(host)
            return self._route(method, path[len(API):], query, body)

    def _route(self, method: str, path: str, query: Dict[str, str],
               body: str) -> Tuple[int, str]:
        model = self.model
        if "{} {}".format(method, path) in self.faults:
            return _fault(*self.faults["{} {}".format(method, path)])
        parts = [part for part in path.split("/") if part]
        if method == "GET" and parts == ["hosts"]:
            return 200, self._hosts_xml(query)
        if method == "POST" and parts == ["hosts"]:
            return self._add_host(query, body)
        if parts[:1] == ["hosts"] and len(parts) >= 2:
            host = model.hosts.get(parts[1])
            if host is None:
                return _fault(404, "Not Found", "Host {} not found".format(parts[1]))
            if method == "GET" and len(parts) == 2:
                answer = host.xml(_flag(query.get("all_content")))
                model.polled(host)
                return 200, answer
            if method == "POST" and len(parts) == 3:
                return self._host_action(host, parts[2], body)
        if method == "GET" and parts == ["events"]:
            return 200, self._events_xml(query)
        if method == "GET" and parts == ["clusters"]:
            return 200, "<clusters>{}</clusters>".format(
                "".join(cluster.xml() for cluster in model.clusters))
        if method == "GET" and parts == ["datacenters"]:
            return 200, "<data_centers>{}</data_centers>".format("".join(
                '<data_center href="{0}/datacenters/{1}" id="{1}"><name>{2}</name>'
                '</data_center>'.format(API, dc.id, escape(dc.name))
                for dc in model.data_centers))
        if method == "GET" and parts == ["vms"]:
            return 200, model.vms_xml()
        if method == "GET" and parts == ["vms", model.he_vm_id, "diskattachments"]:
            return 200, model.attachments_xml()
        if method == "GET" and parts[:1] == ["disks"] and len(parts) == 2:
            for disk in model.disks:
                if disk.id == parts[1]:
                    return 200, disk.xml()
            return _fault(404, "Not Found", "Disk {} not found".format(parts[1]))
        if method == "GET" and parts == ["storagedomains", model.storage_domain]:
            return 200, '<storage_domain href="{0}/storagedomains/{1}" id="{1}"><name>{2}' \
                        '</name></storage_domain>'.format(API, model.storage_domain,
                                                          model.storage_domain_name)
        if method == "GET" and parts == ["storagedomains", model.storage_domain, "disks"]:
            return 200, "<disks>{}</disks>".format("".join(
                disk.xml() for disk in self._domain_disks()))
        if parts[:1] == ["imagetransfers"]:
            return self._transfer(method, parts[1:], query, body)
        return _fault(404, "Not Found", "{} {} is not faked".format(method, path))

    def _hosts_xml(self, query: Dict[str, str]) -> str:
        hosts = list(self.model.hosts.values())
        search = query.get("search", "")
        if search.startswith("name="):
            pattern = re.escape(search[5:]).replace(r"\*", ".*")
            hosts = [host for host in hosts if re.fullmatch(pattern, host.name)]
        elif search.startswith("spm_id="):
            # VdsConditionFieldAutoCompleter SPM_ID -> vds_spm_id, compared with '='.
            hosts = [host for host in hosts if str(host.spm_id) == search[7:]]
        all_content = _flag(query.get("all_content"))
        return "<hosts>{}</hosts>".format("".join(host.xml(all_content) for host in hosts))

    def _he_refusal(self, host_cluster: Any, deploy: bool, he_deployed: bool,
                    action: str) -> Optional[Tuple[int, str]]:
        """HostValidator.supportsDeployingHostedEngine, run by AddVds and UpdateVds."""
        model = self.model
        if deploy and (not model.he_vm_present or model.he_vm_origin != "managed_hosted_engine"):
            return _conflict("Cannot {} Host. You are using an unmanaged hosted engine VM. "
                             "Please add the first storage domain in order to start the hosted "
                             "engine import process.".format(action))
        if (deploy or he_deployed) and model.he_vm_present \
                and host_cluster.data_center != model.he_vm_cluster.data_center:
            return _conflict("Cannot {} Host. You are using host from data center other than "
                             "hosted engine VM runs on. In order to start the hosted engine "
                             "import process, please select host from the same data center "
                             "or move the host there first.".format(action))
        return None

    def _add_host(self, query: Dict[str, str], body: str) -> Tuple[int, str]:
        element = ElementTree.fromstring(body)
        name = element.findtext("name") or ""
        if any(host.name == name for host in self.model.hosts.values()):
            return _conflict("Cannot add Host. The Host name is already in use, please choose "
                             "a unique name and try again.")
        cluster_name = element.findtext("cluster/name") or "Default"
        cluster = self.model.cluster(cluster_name)
        if cluster is None:
            return _fault(404, "Not Found", "Entity not found: Cluster: name={}".format(
                cluster_name))
        deploy = _flag(query.get("deploy_hosted_engine"))
        refusal = self._he_refusal(cluster, deploy, False, "add")
        if refusal is not None:
            return refusal
        host = self.add_host(name, address=element.findtext("address"), status="installing",
                             cluster=cluster_name)
        # BackendHostsResource.add: activate and reboot default to true.
        activate = query.get("activate")
        reboot = query.get("reboot")
        self.model.start_install(host, activate is None or _flag(activate), deploy,
                                 _flag(query.get("undeploy_hosted_engine")),
                                 reboot is None or _flag(reboot))
        if deploy:
            self.model.check_cluster(host)
        return 201, host.xml(False)

    def _host_action(self, host: FakeHost, verb: str, body: str) -> Tuple[int, str]:
        action = ElementTree.fromstring(body or "<action/>")
        model = self.model
        if verb == "install":
            if host.status not in INSTALLABLE:
                return _conflict("Cannot install Host. Please move Host to Maintenance mode "
                                 "first.")
            deploy = _flag(action.findtext("deploy_hosted_engine"))
            refusal = self._he_refusal(host.cluster, deploy,
                                       host.he is not None and host.he.configured, "install")
            if refusal is not None:
                return refusal
            # BackendHostResource.install: activate defaults to false, reboot to true.
            activate = action.findtext("activate")
            reboot = action.findtext("reboot")
            model.start_install(host, activate is not None and _flag(activate), deploy,
                                _flag(action.findtext("undeploy_hosted_engine")),
                                reboot is None or _flag(reboot))
            if deploy:
                model.check_cluster(host)
        elif verb == "deactivate":
            if host.status == "maintenance":
                return _conflict("Cannot maintenance Host. Cannot switch Host to Maintenance "
                                 "mode. Host is already in Maintenance mode.")
            if host.status not in MAINTAINABLE:
                return _conflict("Cannot maintenance Host. Cannot switch Host to Maintenance "
                                 "mode, Host is not operational.")
            if model.he_vm_present and model.he_vm_host is host and not any(
                    other.he_ready for other in model.he_cluster_up(host)):
                return _conflict("Cannot maintenance Host. Cannot switch the Host(s) to "
                                 "Maintenance mode. None of the hosts capable of running the "
                                 "engine VM has score more than 0 and is in Up state.")
            model.deactivate(host)
        elif verb == "activate":
            model.activate(host)
        else:
            return _fault(404, "Not Found", "host action {} is not faked".format(verb))
        return 200, ACTION_OK

    def _events_xml(self, query: Dict[str, str]) -> str:
        events = sorted(self.model.events, key=lambda event: -event.number)  # newest first
        if "from" in query:
            events = [event for event in events if event.number > int(query["from"])]
        if "max" in query:
            events = events[:int(query["max"])]
        return "<events>{}</events>".format("".join(event.xml() for event in events))

    def _domain_disks(self) -> List[FakeDisk]:
        disks = list(self.model.disks)
        conf = self.model.conf_disk
        if self.conf_disk_mode == "missing":
            disks.remove(conf)
        elif self.conf_disk_mode == "alias":
            conf.content_type = None
        return disks

    # -- image transfers (TransferDiskImageCommand) ----------------------------------------

    def _transfer(self, method: str, rest: List[str], query: Dict[str, str],
                  body: str) -> Tuple[int, str]:
        model = self.model
        if method == "POST" and not rest:
            element = ElementTree.fromstring(body)
            disk_element = element.find("disk")
            disk_id = disk_element.get("id", "") if disk_element is not None else ""
            disk = next((disk for disk in model.disks if disk.id == disk_id), None)
            if disk is None:
                return _fault(404, "Not Found", "Disk {} not found".format(disk_id))
            if disk.status == "locked":
                # validateImageTransfer: diskImagesNotLocked
                return _conflict("Cannot transfer Virtual Disk: The following disks are "
                                 "locked: {}. Please try again in a few minutes.".format(
                                     disk.alias))
            transfer = FakeTransfer(disk, "ticket-{}".format(len(model.transfers) + 1),
                                    element.findtext("inactivity_timeout"))
            transfer.transfer_url = self._image_url(self.daemon_mode, "/images/",
                                                    transfer.ticket)
            transfer.proxy_url = self._image_url(self.proxy_mode, "/proxy/images/",
                                                 transfer.ticket)
            disk.status = "locked"  # "The image will remain locked until the transfer ..."
            model.transfers[transfer.id] = transfer
            return 201, transfer.xml()
        transfer = model.transfers.get(rest[0]) if rest else None
        if transfer is None or (transfer.finalized and self.finalize_mode == "vanish"):
            return _fault(404, "Not Found", "image transfer not found")
        if method == "GET" and len(rest) == 1:
            self._transfer_poll(transfer)
            return 200, transfer.xml()
        if method == "POST" and rest[1:] == ["finalize"]:
            transfer.finalized, transfer.phase = True, "finalizing_success"
            if self.finalize_mode == "vanish":
                transfer.disk.status = "ok"
            return 200, ACTION_OK
        if method == "POST" and rest[1:] == ["cancel"]:
            transfer.cancelled, transfer.phase = True, "cancelled_user"
            transfer.disk.status = "ok"
            return 200, ACTION_OK
        return _fault(404, "Not Found", "image transfer action not faked")

    def _transfer_poll(self, transfer: FakeTransfer) -> None:
        transfer.polls += 1
        if transfer.phase == "initializing" and transfer.polls > self.transfer_init_polls:
            transfer.phase = "finished_failure" if self.transfer_fails else "transferring"
            if self.transfer_fails:
                transfer.disk.status = "ok"
        elif transfer.phase == "finalizing_success":
            transfer.polls_since_finalize += 1
            if transfer.polls_since_finalize > self.finalize_polls:
                # handleFinalizingSuccess: stop the session, image OK, FINISHED_SUCCESS
                transfer.phase = ("finished_failure" if self.finalize_mode == "failure"
                                  else "finished_success")
                transfer.disk.status = "ok"
        elif transfer.phase == "cancelled_user":
            transfer.phase = "finished_cleanup"

    def _image_url(self, mode: str, prefix: str, ticket: str) -> str:
        if mode == "refused":
            return "{}://127.0.0.1:{}{}{}".format("https" if self.tls else "http",
                                                  _closed_port(), prefix, ticket)
        if mode == "hang":
            return "{}://127.0.0.1:{}{}{}".format("https" if self.tls else "http",
                                                  self._blackhole_port(), prefix, ticket)
        return self.base_url + prefix + ticket

    def _blackhole_port(self) -> int:
        """A port that accepts connections and never answers (a host whose imageio hangs)."""
        if self._blackhole is None:
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            self._blackhole = listener

            def hold() -> None:
                while True:
                    try:
                        connection, _ = listener.accept()
                    except OSError:
                        return
                    self._held.append(connection)
            threading.Thread(target=hold, name="fake-imageio-hang", daemon=True).start()
        return int(self._blackhole.getsockname()[1])

    def image_bytes(self, ticket: str) -> Optional[bytes]:
        with self.model.lock:
            for transfer in self.model.transfers.values():
                if transfer.ticket == ticket and transfer.phase == "transferring":
                    return self.archive
        return None

    def image_mode(self, prefix: str) -> str:
        return self.proxy_mode if prefix.startswith("/proxy/") else self.daemon_mode


def _closed_port() -> int:
    """A loopback port nothing listens on (a host whose imageio is down)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Refused TLS handshakes and dropped clients are expected in tests; stay quiet."""


__all__ = ["FakeEngine", "Recorded", "Step", "new_id"]
