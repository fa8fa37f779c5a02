"""Deploy or undeploy Hosted Engine on one host through the engine, leaving it as it was."""

from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

from . import events
from .connection import import_sdk
from .hosts import (
    REINSTALLABLE,
    HostFailed,
    HostState,
    enum_text,
    find_host,
    find_spm_id,
    get_state,
    list_states,
)
from .topology import Topology, dc_refusal, deploy_refusal, ready_others
from .waiting import UNRESPONSIVE_GRACE, Waiter, WaitOptions

READY = ("ready for Hosted Engine (up, configured, agent active, not in local maintenance, "
         "score > 0)")
DEPLOYED_IN_MAINTENANCE = "in maintenance with Hosted Engine configured"
UNDEPLOYED = "{} with Hosted Engine no longer configured"
# What to do about statuses from which the engine neither installs nor moves to maintenance.
STATUS_HINTS = {
    "down": "the engine cannot reach it; start the host first",
    "pending_approval": "approve the host in the engine first",
    "kdumping": "it is being fenced after a crash; wait until the engine is done with it",
    "installing_os": "its operating system is being installed; wait until it is done",
}


class HostOptions:
    """What deploy/undeploy need besides the host names; the root password stays out of repr."""

    def __init__(self, timeout: float, poll_interval: float, reboot: bool = False,
                 activate: bool = False, force: bool = False, cluster: Optional[str] = None,
                 address: Optional[str] = None, root_password: Optional[str] = None,
                 unresponsive_grace: float = UNRESPONSIVE_GRACE):
        self.wait = WaitOptions(timeout, poll_interval, unresponsive_grace)
        self.reboot = reboot
        self.activate = activate
        self.force = force
        self.cluster = cluster
        self.address = address
        self.root_password = root_password

    def __repr__(self) -> str:
        return ("HostOptions(wait={!r}, reboot={!r}, activate={!r}, force={!r}, cluster={!r}, "
                "address={!r})".format(self.wait, self.reboot, self.activate, self.force,
                                       self.cluster, self.address))


class Done(NamedTuple):
    """How a host ended: changed or left alone, with notes for the admin."""

    message: str
    changed: bool = True
    notes: Tuple[str, ...] = ()


class Context:
    """One host's job: its connection, waiter and the engine's layout. guard_engine_vm makes
    taking the host down wait until another Hosted Engine host can take the engine VM."""

    def __init__(self, connection: Any, name: str, options: HostOptions, waiter: Waiter,
                 topology: Topology, guard_engine_vm: bool, host_count: int):
        self.connection = connection
        self.name = name
        self.options = options
        self.waiter = waiter
        self.topology = topology
        self.guard_engine_vm = guard_engine_vm
        self.host_count = host_count

    def say(self, text: str) -> None:
        self.waiter.say(text)

    def host_service(self, host_id: str) -> Any:
        return self.connection.system_service().hosts_service().host_service(host_id)

    def call(self, what: str, action: Callable[[], Any], host_id: Optional[str]) -> Any:
        """An engine action whose refusal is this host's failure, with the engine's reason."""
        sdk = import_sdk()
        try:
            return action()
        except sdk.Error as error:
            raise HostFailed(self.name, "the engine refused to {}: {}".format(what, error),
                             host_id) from None


Job = Callable[[Context], Done]


def _credentials(options: HostOptions) -> Dict[str, Any]:
    """Root password if given, else the engine's SSH key (public key authentication)."""
    types = import_sdk().types
    if options.root_password is not None:
        return {"root_password": options.root_password}
    return {"ssh": types.Ssh(authentication_method=types.SshAuthenticationMethod.PUBLICKEY)}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def settle(ctx: Context, state: HostState) -> HostState:
    """The host's state once the engine is done moving it through passing states."""
    host_id = state.id
    if not state.passing:
        return state
    ctx.waiter.show(state)
    if state.status == "installing":
        ctx.say("an install started before this command is still running; waiting for it "
                "to end")
    else:
        ctx.say("waiting for the engine to move it out of {}".format(state.status))
    since = None
    if state.status == "preparing_for_maintenance":
        since = events.maintenance_started(ctx.connection, host_id, ctx.name,
                                           events.last_index(ctx.connection))
    return ctx.waiter.until(host_id, lambda now: not now.passing,
                            "out of {}".format(state.status), maintenance_since=since)


def guard_engine_vm(ctx: Context, state: HostState) -> None:
    """Take a Hosted Engine host down only while another one is up and ready for the engine
    VM. The engine checks that only for the host running the engine VM, one request at a
    time (MaintenanceNumberOfVdssCommand), so parallel requests could take every host down."""
    while True:
        states = list_states(ctx.connection)
        ready = ready_others(states, ctx.topology, state.id)
        if ready:
            ctx.say("taking it down; up and ready for the engine VM: {}".format(
                " ".join(other.name for other in ready)))
            return
        others = [other for other in states if other.id != state.id and other.he_configured]
        summary = "; ".join("{}: {}".format(other.name, other.describe())
                            for other in others) or "there is none"
        if not any(other.passing for other in others):
            raise HostFailed(ctx.name, "not taken down: no other Hosted Engine host is up and "
                             "ready ({}), so the engine VM would have no host to go to. Bring "
                             "another Hosted Engine host up first".format(summary))
        ctx.say("waiting before taking it down: no other Hosted Engine host is up and ready "
                "yet ({})".format(summary))
        ctx.waiter.check_time("safe to take down", state.describe(), None)
        ctx.waiter.pause()


def take_down(ctx: Context, state: HostState) -> str:
    """Make the host installable; return the status it is in now."""
    if state.status in REINSTALLABLE:
        return state.status
    if state.status not in ("up", "error"):
        raise HostFailed(ctx.name, "it is {}; the engine reinstalls only hosts in {}, and moves "
                         "to maintenance only hosts that are up: {}".format(
                             state.status, ", ".join(REINSTALLABLE),
                             STATUS_HINTS.get(state.status, "check it in the engine")))
    if ctx.guard_engine_vm and state.he_configured:
        guard_engine_vm(ctx, state)
    index = events.last_index(ctx.connection)
    ctx.say("moving it to maintenance")
    ctx.call("move it to maintenance", ctx.host_service(state.id).deactivate, state.id)
    ctx.waiter.until(state.id, lambda now: now.status == "maintenance", "in maintenance",
                     stale_status=state.status, maintenance_since=index)
    return "maintenance"


def _install(ctx: Context, state: HostState, activate: bool, what: str,
             **flags: bool) -> Tuple[str, int]:
    """Reinstall the host (after take_down); return the event index before the request."""
    before = take_down(ctx, state)
    index = events.last_index(ctx.connection)
    ctx.call("reinstall it", lambda: ctx.host_service(state.id).install(
        activate=activate, reboot=ctx.options.reboot, **flags,
        **_credentials(ctx.options)), state.id)
    ctx.say("reinstalling {} (activate: {}, reboot: {})".format(
        what, _yes(activate), _yes(ctx.options.reboot)))
    return before, index


def _activate(ctx: Context, state: HostState) -> bool:
    """Activate after the install only when it was up or --activate asks for it."""
    return ctx.options.activate or state.status == "up"


def _left_in_maintenance(state: HostState) -> str:
    return "the host stays in maintenance (it was {} before; --activate activates it)".format(
        state.status)


def deploy_one(ctx: Context) -> Done:
    """Add the host with Hosted Engine, or reinstall it with Hosted Engine; wait until ready."""
    host = find_host(ctx.connection, ctx.name)
    if host is None:
        return _add(ctx)
    state = get_state(ctx.connection, str(host.id))
    refusal = deploy_refusal(ctx.topology, ctx.name, state.cluster_id)
    if refusal is not None:
        raise HostFailed(ctx.name, refusal + "; the host was not touched")
    state = settle(ctx, state)
    if state.he_ready and not ctx.options.force:
        return Done("Hosted Engine is already configured and ready (score {}); left alone "
                    "(--force reinstalls it)".format(state.he.score if state.he else 0), False)
    activate = _activate(ctx, state)
    before, index = _install(ctx, state, activate, "with Hosted Engine",
                             deploy_hosted_engine=True)
    if activate:
        ready = ctx.waiter.until(state.id, lambda now: now.he_ready, READY,
                                 stale_status=before, confirm_since=index)
        return Done("Hosted Engine deployed (score {})".format(ready.he.score if ready.he else 0))
    ctx.waiter.until(state.id, lambda now: now.status == "maintenance" and now.he_configured,
                     DEPLOYED_IN_MAINTENANCE, stale_status=before, confirm_since=index)
    return Done("Hosted Engine deployed; " + _left_in_maintenance(state))


def _add(ctx: Context) -> Done:
    options = ctx.options
    if options.cluster is None:
        raise HostFailed(ctx.name, "the engine knows no host of that name; to add it give "
                         "--cluster (and --address if the name does not resolve)")
    cluster = ctx.topology.cluster_by_name(options.cluster)
    if cluster is None:
        raise HostFailed(ctx.name, "the engine has no cluster named {} (clusters: {})".format(
            options.cluster, " ".join(sorted(c.name for c in ctx.topology.clusters.values()))))
    refusal = deploy_refusal(ctx.topology, ctx.name, cluster.id)
    if refusal is not None:
        raise HostFailed(ctx.name, refusal + "; the host was not added")
    types = import_sdk().types
    added = ctx.call("add it", lambda: ctx.connection.system_service().hosts_service().add(
        types.Host(name=ctx.name, address=options.address or ctx.name,
                   cluster=types.Cluster(name=options.cluster), **_credentials(options)),
        activate=True, deploy_hosted_engine=True, reboot=options.reboot), None)
    ctx.say("added to cluster {}, installing with Hosted Engine (activate: yes, reboot: {})"
            .format(options.cluster, _yes(options.reboot)))
    ready = ctx.waiter.until(str(added.id), lambda now: now.he_ready, READY,
                             stale_status=enum_text(added.status))
    return Done("Hosted Engine deployed (score {})".format(ready.he.score if ready.he else 0))


def undeploy_one(ctx: Context) -> Done:
    """Reinstall the host without Hosted Engine and check the engine agrees it is gone."""
    host = find_host(ctx.connection, ctx.name)
    if host is None:
        raise HostFailed(ctx.name, "the engine knows no host of that name")
    state = get_state(ctx.connection, str(host.id))
    refusal = dc_refusal(ctx.topology, ctx.name, state.cluster_id) \
        if state.he_configured else None
    if refusal is not None:
        raise HostFailed(ctx.name, refusal + "; the host was not touched")
    state = settle(ctx, state)
    if not state.he_configured and not ctx.options.force:
        return Done("Hosted Engine is not configured on it; left alone (--force reinstalls it "
                    "without Hosted Engine anyway)", False)
    activate = _activate(ctx, state)
    before, index = _install(ctx, state, activate, "without Hosted Engine",
                             undeploy_hosted_engine=True)
    wanted = "up" if activate else "maintenance"
    ctx.waiter.until(state.id, lambda now: now.status == wanted and not now.he_configured,
                     UNDEPLOYED.format(wanted), stale_status=before, confirm_since=index)
    message = "Hosted Engine undeployed"
    if not activate:
        message += "; " + _left_in_maintenance(state)
    return Done(message, notes=(metadata_note(ctx, state.id),))


# From another host the agent's cleanup cannot take the removed host's sanlock id, so it needs
# --force-cleanup there (ovirt-hosted-engine-ha agent/hosted_engine.py clean()).
FORCE_WHY = ("from another host the cleanup needs --force-cleanup, which overrides its safety "
             "checks: run it once the undeployed host's agent is stopped for good")


def metadata_note(ctx: Context, host_id: str) -> str:
    """What undeploy leaves in the shared Hosted Engine metadata and how to free it."""
    spm_id = find_spm_id(ctx.connection, host_id, ctx.host_count)
    remaining = [state.name for state in list_states(ctx.connection)
                 if state.he_configured and state.id != host_id]
    where = ("on a remaining Hosted Engine host ({})".format(" or ".join(remaining))
             if remaining else "on a Hosted Engine host (the engine reports none left)")
    if spm_id is None:
        return ("its slot in the shared Hosted Engine metadata stays (the engine's undeploy "
                "only removes hosted-engine.conf and stops the agent), and the engine search "
                "did not give its host id: run `hosted-engine --vm-status` {} to find it, then "
                "`hosted-engine --clean-metadata --host-id=ID --force-cleanup` there ({})".format(
                    where, FORCE_WHY))
    return ("its slot (host id {0}) in the shared Hosted Engine metadata stays (the engine's "
            "undeploy only removes hosted-engine.conf and stops the agent) until someone runs "
            "`hosted-engine --clean-metadata --host-id={0} --force-cleanup` {1} ({2})".format(
                spm_id, where, FORCE_WHY))
