"""FakeEngine: a local oVirt engine double over HTTP or HTTPS for the `engine` commands.

It answers the SSO token/logout endpoints, the REST API paths ovirt-he-deploy uses (hosts,
host actions, events, vms, disk attachments, disks, storage domain disks, image transfers) with
the engine's XML, and serves the configuration archive to a ranged GET like ovirt-imageio.
Hosts change state over time (installing -> up with Hosted Engine, or install_failed with
WARNING/ERROR events). Every request is recorded (method, path, query, body, headers).

Use it from a test, a benchmark or a shell::

    import sys; sys.path.insert(0, "tests")
    from fake_engine import FakeEngine
    from fake_engine.pki import make_pki

    engine = FakeEngine(password="secret", install_seconds=2.0)   # tls=make_pki(dir) for HTTPS
    for number in range(20):
        engine.add_host("host{:02d}".format(number))              # up, no Hosted Engine yet
    engine.start()
    # OVIRT_ENGINE_PASSWORD=secret ovirt-he-deploy engine deploy --engine-url <engine.url> ...
    print(engine.url, len(engine.requests))
    engine.stop()

Knobs: add_host(name, status=, he=, install_seconds=, fail_install=, never_ready=);
engine.model.he_vm_present / he_vm_origin; engine.conf_disk_mode ("content_type", "alias",
"missing"); engine.archive (bytes served, see conftar.build_archive); engine.transfer_mode
("ok", "truncate", "http_error", "fail_phase"). Loopback only; bodies are capped at 1 MiB.
"""

import re
import ssl
import threading
import time
import xml.etree.ElementTree as ElementTree
from http.server import ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from .conftar import build_archive, default_members
from .handler import Recorded, make_handler
from .model import API, EngineModel, FakeHost, FakeTransfer, HeFields
from .pki import Pki

SSO_LOGOUT = "/ovirt-engine/services/sso-logout"
ACTION_OK = "<action><status>complete</status></action>"


def _flag(value: Optional[str]) -> bool:
    # The engine treats a present-but-empty flag as true.
    return value is not None and value.lower() in ("", "true")


def _action_flag(body: ElementTree.Element, name: str) -> bool:
    return _flag(body.findtext(name))


class FakeEngine:
    """Start with start(), stop with stop() (or use as a context manager)."""

    def __init__(self, password: str = "engine-secret", username: str = "admin@internal",
                 tls: Optional[Pki] = None, install_seconds: float = 0.2,
                 deactivate_seconds: float = 0.05, transfer_init_polls: int = 1):
        self.username = username
        self.password = password
        self.tls = tls
        self.install_seconds = install_seconds
        self.model = EngineModel(deactivate_seconds, transfer_init_polls)
        self.token = "fake-token-{}".format(id(self))
        self.archive = build_archive(default_members())
        self.conf_disk_mode = "content_type"
        self.transfer_mode = "ok"
        self._requests: List[Recorded] = []
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "FakeEngine":
        server = _Server(("127.0.0.1", 0), make_handler(self))
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
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
                 install_seconds: Optional[float] = None, fail_install: bool = False,
                 never_ready: bool = False, address: Optional[str] = None) -> FakeHost:
        """A host the engine already knows; he=True makes it a ready Hosted Engine host."""
        host = FakeHost(name, address or name + ".example.com", status=status,
                        he=HeFields() if he else None,
                        install_seconds=self.install_seconds if install_seconds is None
                        else install_seconds, fail_install=fail_install, never_ready=never_ready)
        with self.model.lock:
            self.model.hosts[host.id] = host
        return host

    def host(self, name: str) -> FakeHost:
        with self.model.lock:
            for host in self.model.hosts.values():
                if host.name == name:
                    self.model.advance(host)
                    return host
        raise KeyError(name)

    @property
    def requests(self) -> List[Recorded]:
        with self.model.lock:
            return list(self._requests)

    def find(self, method: str, path_end: str) -> List[Recorded]:
        """Recorded requests with this method whose path ends with path_end."""
        return [r for r in self.requests if r.method == method and r.path.endswith(path_end)]

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
                return 200, host.xml(_flag(query.get("all_content")))
            if method == "POST" and len(parts) == 3:
                return self._host_action(host, parts[2], body)
        if method == "GET" and parts == ["events"]:
            return 200, self._events_xml(query)
        if method == "GET" and parts == ["vms"]:
            return 200, model.vms_xml()
        if method == "GET" and parts == ["vms", model.he_vm_id, "diskattachments"]:
            return 200, model.attachments_xml()
        if method == "GET" and parts[:1] == ["disks"] and len(parts) == 2:
            for disk in model.disks:
                if disk.id == parts[1]:
                    return 200, disk.xml()
        if method == "GET" and parts == ["storagedomains", model.storage_domain, "disks"]:
            return 200, "<disks>{}</disks>".format("".join(
                disk.xml() for disk in self._domain_disks()))
        if parts[:1] == ["imagetransfers"]:
            return self._transfer(method, parts[1:], body)
        return _fault(404, "Not Found", "{} {} is not faked".format(method, path))

    def _hosts_xml(self, query: Dict[str, str]) -> str:
        hosts = list(self.model.hosts.values())
        search = query.get("search", "")
        if search.startswith("name="):
            pattern = re.escape(search[5:]).replace(r"\*", ".*")
            hosts = [host for host in hosts if re.fullmatch(pattern, host.name)]
        all_content = _flag(query.get("all_content"))
        return "<hosts>{}</hosts>".format("".join(host.xml(all_content) for host in hosts))

    def _add_host(self, query: Dict[str, str], body: str) -> Tuple[int, str]:
        element = ElementTree.fromstring(body)
        name = element.findtext("name") or ""
        if any(host.name == name for host in self.model.hosts.values()):
            return _fault(409, "Operation Failed", "[Cannot add Host. The Host name is "
                          "already in use, please choose a unique name and try again.]")
        host = self.add_host(name, address=element.findtext("address"), status="installing")
        cluster = element.find("cluster")
        host.cluster = cluster.findtext("name", "Default") if cluster is not None else "Default"
        activate = query.get("activate")
        self.model.start_install(host, activate is None or _flag(activate),
                                 _flag(query.get("deploy_hosted_engine")),
                                 _flag(query.get("undeploy_hosted_engine")))
        return 201, host.xml(False)

    def _host_action(self, host: FakeHost, verb: str, body: str) -> Tuple[int, str]:
        action = ElementTree.fromstring(body or "<action/>")
        if verb == "install":
            if host.status not in ("maintenance", "install_failed", "non_operational"):
                return _fault(409, "Operation Failed", "[Cannot install Host. Host is in {} "
                              "status.]".format(host.status))
            activate = action.findtext("activate")
            self.model.start_install(host, activate is not None and _flag(activate),
                                     _action_flag(action, "deploy_hosted_engine"),
                                     _action_flag(action, "undeploy_hosted_engine"))
        elif verb == "deactivate":
            if host.status != "up":
                return _fault(409, "Operation Failed", "[Cannot switch Host to Maintenance "
                              "mode. Host is in {} status.]".format(host.status))
            self.model.deactivate(host)
        elif verb == "activate":
            self.model.activate(host)
        else:
            return _fault(404, "Not Found", "host action {} is not faked".format(verb))
        return 200, ACTION_OK

    def _events_xml(self, query: Dict[str, str]) -> str:
        events = sorted(self.model.events, key=lambda event: -event.index)  # newest first
        if "from" in query:
            events = [event for event in events if event.index > int(query["from"])]
        if "max" in query:
            events = events[:int(query["max"])]
        return "<events>{}</events>".format("".join(event.xml() for event in events))

    def _domain_disks(self) -> List[Any]:
        disks = list(self.model.disks)
        conf = self.model.conf_disk
        if self.conf_disk_mode == "missing":
            disks.remove(conf)
        elif self.conf_disk_mode == "alias":
            conf.content_type = None
        return disks

    def _transfer(self, method: str, rest: List[str], body: str) -> Tuple[int, str]:
        model = self.model
        if method == "POST" and not rest:
            disk = ElementTree.fromstring(body).find("disk")
            transfer = FakeTransfer(disk.get("id", "") if disk is not None else "",
                                    "ticket-{}".format(len(model.transfers) + 1), self.base_url)
            model.transfers[transfer.id] = transfer
            return 201, transfer.xml()
        transfer = model.transfers.get(rest[0]) if rest else None
        if transfer is None:
            return _fault(404, "Not Found", "image transfer not found")
        if method == "GET" and len(rest) == 1:
            transfer.polls += 1
            if transfer.phase == "initializing" and transfer.polls > model.transfer_init_polls:
                transfer.phase = ("finished_failure" if self.transfer_mode == "fail_phase"
                                  else "transferring")
            return 200, transfer.xml()
        if method == "POST" and rest[1:] == ["finalize"]:
            transfer.finalized, transfer.phase = True, "finished_success"
            return 200, ACTION_OK
        if method == "POST" and rest[1:] == ["cancel"]:
            transfer.cancelled, transfer.phase = True, "cancelled_user"
            return 200, ACTION_OK
        return _fault(404, "Not Found", "image transfer action not faked")

    def image_bytes(self, ticket: str) -> Optional[bytes]:
        with self.model.lock:
            for transfer in self.model.transfers.values():
                if transfer.ticket == ticket and transfer.phase == "transferring":
                    return self.archive
        return None


def _fault(code: int, reason: str, detail: str) -> Tuple[int, str]:
    return code, "<fault><reason>{}</reason><detail>{}</detail></fault>".format(
        escape(reason), escape(detail))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Refused TLS handshakes and dropped clients are expected in tests; stay quiet."""
