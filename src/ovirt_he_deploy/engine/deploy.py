"""Deploy and undeploy Hosted Engine on hosts through the engine, one worker per host."""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, TextIO

from .connection import EngineError, EngineSettings, connected, import_sdk
from .hosts import (
    REINSTALLABLE,
    HostFailed,
    HostState,
    Interrupted,
    Waiter,
    enum_text,
    find_host,
    host_problems,
    last_event_index,
)

READY = ("ready for Hosted Engine (up, configured, agent active, not in local maintenance, "
         "score > 0)")
UNDEPLOYED = "up with Hosted Engine no longer configured"


@dataclass(frozen=True)
class HostOptions:
    """What deploy/undeploy need besides the host names; the root password stays out of repr."""

    timeout: float
    poll_interval: float
    reboot: bool = False
    cluster: Optional[str] = None
    address: Optional[str] = None
    root_password: Optional[str] = field(default=None, repr=False)


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    message: str
    events: List[str] = field(default_factory=list)


Job = Callable[[Any, str, HostOptions, Waiter], str]


def _credentials(options: HostOptions) -> Dict[str, Any]:
    """Root password if given, else the engine's SSH key (public key authentication)."""
    types = import_sdk().types
    if options.root_password is not None:
        return {"root_password": options.root_password}
    return {"ssh": types.Ssh(authentication_method=types.SshAuthenticationMethod.PUBLICKEY)}


def _host_service(connection: Any, host_id: str) -> Any:
    return connection.system_service().hosts_service().host_service(host_id)


def _is_ready(state: HostState) -> bool:
    return state.he_ready


def _is_undeployed(state: HostState) -> bool:
    return state.status == "up" and not state.he_configured


def to_maintenance(connection: Any, host: Any, waiter: Waiter) -> str:
    """Make the host installable; return the status it is in now."""
    status = enum_text(host.status)
    if status in REINSTALLABLE:
        return status
    if status == "up":
        waiter.progress("{}: up, moving it to maintenance".format(host.name))
        _host_service(connection, host.id).deactivate()
    elif status != "preparing_for_maintenance":
        raise HostFailed(host.name, "it is {}; the engine reinstalls only hosts in {}, and moves "
                         "to maintenance only hosts that are up".format(
                             status, ", ".join(REINSTALLABLE)), host.id)
    waiter.until(host.id, lambda state: state.status == "maintenance", "in maintenance",
                 stale_status=status)
    return "maintenance"


def deploy_one(connection: Any, name: str, options: HostOptions, waiter: Waiter) -> str:
    """Add the host with Hosted Engine, or reinstall it with Hosted Engine; wait until ready."""
    types = import_sdk().types
    host = find_host(connection, name)
    if host is None:
        if options.cluster is None:
            raise HostFailed(name, "the engine knows no host of that name; to add it give "
                             "--cluster (and --address if the name does not resolve)")
        added = connection.system_service().hosts_service().add(
            types.Host(name=name, address=options.address or name,
                       cluster=types.Cluster(name=options.cluster), **_credentials(options)),
            activate=True, deploy_hosted_engine=True, reboot=options.reboot)
        waiter.progress("{}: added to cluster {}, installing with Hosted Engine".format(
            name, options.cluster))
        host_id, before = str(added.id), enum_text(added.status)
    else:
        host_id = str(host.id)
        before = to_maintenance(connection, host, waiter)
        _host_service(connection, host_id).install(
            deploy_hosted_engine=True, activate=True, reboot=options.reboot,
            **_credentials(options))
        waiter.progress("{}: reinstalling with Hosted Engine".format(name))
    state = waiter.until(host_id, _is_ready, READY, stale_status=before)
    return "Hosted Engine deployed (score {})".format(state.he.score if state.he else 0)


def undeploy_one(connection: Any, name: str, options: HostOptions, waiter: Waiter) -> str:
    """Reinstall the host without Hosted Engine and check the engine agrees it is gone."""
    host = find_host(connection, name)
    if host is None:
        raise HostFailed(name, "the engine knows no host of that name")
    host_id = str(host.id)
    before = to_maintenance(connection, host, waiter)
    _host_service(connection, host_id).install(
        undeploy_hosted_engine=True, activate=True, reboot=options.reboot,
        **_credentials(options))
    waiter.progress("{}: reinstalling without Hosted Engine".format(name))
    waiter.until(host_id, _is_undeployed, UNDEPLOYED, stale_status=before)
    return "Hosted Engine undeployed"


class Printer:
    """Whole lines from several workers, never interleaved."""

    def __init__(self, out: TextIO, err: TextIO):
        self.out = out
        self.err = err
        self.lock = threading.Lock()

    def line(self, text: str, error: bool = False) -> None:
        with self.lock:
            stream = self.err if error else self.out
            stream.write(text + "\n")
            stream.flush()


def run_hosts(settings: EngineSettings, names: List[str], job: Job, options: HostOptions,
              parallel: int, printer: Printer) -> List[Outcome]:
    """Run job for every host, parallel at a time, each worker on its own connection."""
    with connected(settings) as connection:
        since = last_event_index(connection)
    stop = threading.Event()

    def work(name: str) -> Outcome:
        if stop.is_set():
            return Outcome(name, False, "not started (interrupted)")
        try:
            with connected(settings) as worker_connection:
                waiter = Waiter(worker_connection, name, options.timeout,
                                options.poll_interval, stop, printer.line)
                try:
                    return Outcome(name, True, job(worker_connection, name, options, waiter))
                except HostFailed as failure:
                    events: List[str] = []
                    if failure.host_id is not None:
                        events = host_problems(worker_connection, failure.host_id, since)
                    return Outcome(name, False, str(failure).split(": ", 1)[1], events)
        except Interrupted:
            return Outcome(name, False, "interrupted")
        except EngineError as error:
            return Outcome(name, False, str(error))

    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="he-host")
    try:
        futures = [pool.submit(work, name) for name in names]
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
