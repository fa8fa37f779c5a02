"""A rollout over several Hosted Engine hosts never leaves the engine VM without a host."""

import pytest

from .conftest import FAST, PASSWORD, SDK_MISSING

ovirtsdk4 = pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)

from fake_engine import Step  # noqa: E402

from ovirt_he_deploy.engine import rollout, topology  # noqa: E402
from ovirt_he_deploy.engine.hosts import HeInfo, HostState  # noqa: E402

READY = HeInfo(True, True, 3400, False, False)


def he_hosts(engine, count):
    """host01..: ready Hosted Engine hosts; host01 runs the engine VM."""
    return [engine.add_host("host{:02d}".format(number), he=True).name
            for number in range(1, count + 1)]


def test_parallel_requests_alone_would_take_every_hosted_engine_host_down(engine):
    """The hazard: the engine checks each deactivate on its own, and checks for another usable
    Hosted Engine host only for the host running the engine VM, so requests sent side by side
    are all accepted while the engine VM is still migrating off its host."""
    he_hosts(engine, 3)
    connection = ovirtsdk4.Connection(url=engine.url, username="admin@internal",
                                      password=PASSWORD)
    hosts = connection.system_service().hosts_service()
    try:
        for name in ("host01", "host02", "host03"):
            hosts.host_service(engine.host(name).id).deactivate()
        for _ in range(3):
            host01 = hosts.host_service(engine.host("host01").id).get()
        events = connection.system_service().events_service().list(max=5)
    finally:
        connection.close()
    assert engine.model.violations == [
        "host03 was taken down while no other Hosted Engine host was up and ready"]
    assert host01.status.value == "preparing_for_maintenance"
    assert "No available host was found to migrate VM HostedEngine to." in [
        event.description for event in events]


def test_the_engine_refuses_to_take_the_engine_vm_host_down_alone(engine):
    he_hosts(engine, 2)
    engine.host("host02").status = "maintenance"
    connection = ovirtsdk4.Connection(url=engine.url, username="admin@internal",
                                      password=PASSWORD)
    try:
        with pytest.raises(ovirtsdk4.Error) as refused:
            connection.system_service().hosts_service().host_service(
                engine.host("host01").id).deactivate()
    finally:
        connection.close()
    assert "None of the hosts capable of running the engine VM has score more than 0" \
        in str(refused.value)


def test_a_parallel_rollout_takes_hosted_engine_hosts_down_one_at_a_time(engine, run):
    names = he_hosts(engine, 3)
    result = run(engine, "deploy", *names, "--force", "--parallel", "3", *FAST)
    assert result.code == 0, result.err
    assert result.out.startswith(
        "plan: host02 host03 host01 have Hosted Engine: taken down one at a time, each only "
        "while another Hosted Engine host is up and ready for the engine VM; host01 last, it "
        "runs the engine VM; --parallel 3 does not apply to them\n")
    assert engine.model.violations == []
    assert engine.model.taken_down == ["host02", "host03", "host01"]
    # One at a time: each host was ready again before the next one went down.
    assert [action for _, action in engine.actions()] == ["deactivate", "install"] * 3
    assert "host03: taking it down; up and ready for the engine VM: host01 host02" in result.out
    assert "host01: taking it down; up and ready for the engine VM: host02 host03" in result.out
    assert engine.model.he_vm_host.name in ("host02", "host03")
    assert "Hosted Engine deployed on 3 of 3 host(s)" in result.out


def test_hosts_without_hosted_engine_go_side_by_side_with_the_chain(engine, run):
    he_hosts(engine, 2)
    for name in ("new-1", "new-2"):
        engine.add_host(name, install_polls=6)
    result = run(engine, "deploy", "host01", "host02", "new-1", "new-2", "--force",
                 "--parallel", "3", *FAST)
    assert result.code == 0, result.err
    assert "plan: host02 host01 have Hosted Engine: taken down one at a time, each only while " \
           "another Hosted Engine host is up and ready for the engine VM; host01 last, it runs " \
           "the engine VM; --parallel 3 applies to the other hosts (new-1 new-2), started " \
           "first" in result.out
    history = engine.model.history
    installing = [history.index((name, "installing")) for name in ("new-1", "new-2")]
    first_ready = min(index for index, (name, status) in enumerate(history)
                      if name in ("new-1", "new-2") and status == "initializing")
    assert max(installing) < first_ready  # both new hosts installed at the same time
    # The chain keeps its order; the other hosts go side by side with it, in any order.
    assert [name for name in engine.model.taken_down if name.startswith("host")] == [
        "host02", "host01"]
    assert sorted(engine.model.taken_down) == ["host01", "host02", "new-1", "new-2"]
    assert engine.model.violations == []


def test_the_last_hosted_engine_host_is_not_taken_down(engine, run):
    he_hosts(engine, 1)
    engine.add_host("host02")
    result = run(engine, "undeploy", "host01", *FAST)
    assert result.code == 1
    assert "host01: FAILED: not taken down: no other Hosted Engine host is up and ready " \
           "(there is none), so the engine VM would have no host to go to. Bring another " \
           "Hosted Engine host up first" in result.err
    assert engine.actions() == []


def test_a_host_waits_while_the_only_other_one_is_still_coming_up(engine, run):
    he_hosts(engine, 2)
    # host01 (engine VM) is still initializing after a reinstall begun elsewhere; the
    # fake's scenario ends that after 0.3 s (the guard lists hosts, which does not count
    # as a poll of host01).
    engine.script("host01", [Step("initializing", seconds=0.3), Step("up")])
    result = run(engine, "undeploy", "host02", *FAST)
    assert result.code == 0, result.err
    assert "host02: waiting before taking it down: no other Hosted Engine host is up and " \
           "ready yet (host01: initializing, Hosted Engine configured, active, score 3400)" \
        in result.out
    assert "host02: taking it down; up and ready for the engine VM: host01" in result.out
    assert engine.model.violations == []


def test_after_a_failure_the_remaining_hosted_engine_hosts_are_left_alone(engine, run):
    names = he_hosts(engine, 3)
    engine.host("host02").fail_install = True
    result = run(engine, "deploy", *names, "--force", "--parallel", "3", *FAST)
    assert result.code == 1
    assert "host02: FAILED: the engine reports status install_failed" in result.err
    for name in ("host03", "host01"):
        assert "{}: FAILED: not started: host02 failed, so the remaining Hosted Engine hosts " \
               "were left alone to keep hosts for the engine VM; fix host02 and rerun".format(
                   name) in result.err
    assert engine.model.taken_down == ["host02"]


@pytest.mark.parametrize("action, force, expected_chain", [
    (rollout.DEPLOY, False, ["h2"]),
    (rollout.DEPLOY, True, ["h2", "h3", "h1"]),
    (rollout.UNDEPLOY, False, ["h2", "h3", "h1"]),
], ids=["deploy-skips-ready", "deploy-force", "undeploy"])
def test_plan_orders_the_chain_with_the_engine_vm_host_last(action, force, expected_chain):
    states = [HostState("h1", "id1", "up", READY, "c"),
              HostState("h2", "id2", "up", READY._replace(local_maintenance=True), "c"),
              HostState("h3", "id3", "up", READY, "c"),
              HostState("n1", "id4", "up", None, "c")]
    layout = topology.Topology("vm", "HostedEngine", True, "id1", "c", {}, {})
    plan = rollout.plan(["h1", "h2", "h3", "n1"], states, layout, action, force, 2)
    assert plan.chain == expected_chain
    assert plan.free == [name for name in ["h1", "h2", "h3", "n1"]
                         if name not in expected_chain]
