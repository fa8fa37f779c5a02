"""engine deploy / undeploy of single hosts against the fake engine: requests sent, waiting,
failures, hosts left as they were."""

import time
import xml.etree.ElementTree as ElementTree

import pytest

from .conftest import FAST, PASSWORD, SDK_MISSING

pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)

from fake_engine import Step  # noqa: E402

from ovirt_he_deploy.engine import rollout  # noqa: E402


def action(recorded):
    """The <action> body as {tag: text} (nested ssh → 'ssh/authentication_method')."""
    root = ElementTree.fromstring(recorded.body)
    values = {child.tag: child.text for child in root if len(child) == 0}
    for child in root:
        for grandchild in child:
            values["{}/{}".format(child.tag, grandchild.tag)] = grandchild.text
    return values


def test_deploy_new_host_adds_it_with_hosted_engine(engine, run, tmp_path):
    engine.add_host("he-1", he=True)
    root_pw = tmp_path / "root-pw"
    root_pw.write_text("r00t-pw\n")
    result = run(engine, "deploy", "new-1", "--cluster", "Default", "--address", "192.0.2.10",
                 "--root-password-file", str(root_pw), *FAST)
    assert result.code == 0, result.err
    [add] = engine.find("POST", "/api/hosts")
    assert add.query == {"activate": "true", "deploy_hosted_engine": "true", "reboot": "false"}
    host = ElementTree.fromstring(add.body)
    assert host.findtext("name") == "new-1"
    assert host.findtext("address") == "192.0.2.10"
    assert host.findtext("cluster/name") == "Default"
    assert host.findtext("root_password") == "r00t-pw"
    assert "new-1: OK: Hosted Engine deployed (score 3400)" in result.out
    assert "new-1: installing" in result.out
    fake = engine.host("new-1")
    assert fake.status == "up" and fake.he is not None and fake.he.score == 3400
    assert "r00t-pw" not in result.text and PASSWORD not in result.text


def test_deploy_existing_host_goes_through_maintenance_and_reinstall(engine, run):
    engine.add_host("he-1", he=True)
    host = engine.add_host("old-1")
    result = run(engine, "deploy", "old-1", "--reboot", *FAST)
    assert result.code == 0, result.err
    assert engine.actions() == [("old-1", "deactivate"), ("old-1", "install")]
    [install] = engine.find("POST", "/hosts/{}/install".format(host.id))
    assert action(install) == {"activate": "true", "deploy_hosted_engine": "true",
                               "reboot": "true", "ssh/authentication_method": "publickey"}
    assert "old-1: maintenance, no Hosted Engine" in result.out
    assert "old-1: reboot, " in result.out
    assert "old-1: up, Hosted Engine configured, active, score 3400" in result.out
    assert engine.host("old-1").he.configured


def test_deploy_unknown_host_without_cluster_names_the_fix(engine, run):
    result = run(engine, "deploy", "ghost", *FAST)
    assert result.code == 1
    assert "ghost: FAILED: the engine knows no host of that name; to add it give --cluster" \
        in result.err
    assert not engine.find("POST", "/api/hosts")


def test_deploy_new_host_into_an_unknown_cluster_lists_the_clusters(engine, run):
    result = run(engine, "deploy", "new-1", "--cluster", "Prod", *FAST)
    assert result.code == 1
    assert "new-1: FAILED: the engine has no cluster named Prod (clusters: Default)" in result.err
    assert not engine.find("POST", "/api/hosts")


def test_address_with_several_hosts_is_a_usage_error(engine, run):
    result = run(engine, "deploy", "a", "b", "--address", "192.0.2.1", *FAST)
    assert result.code == 2
    assert "--address applies to one HOST only" in result.err


def test_install_failure_shows_the_hosts_events_since_the_command_started(engine, run):
    engine.add_host("he-1", he=True)
    host = engine.add_host("bad-1", fail_install=True)
    other = engine.add_host("good-1")
    engine.model.add_event("error", 505, "OLD failure from last week", host.id)
    result = run(engine, "deploy", "bad-1", *FAST)
    engine.model.add_event("error", 505, "Unrelated error on good-1", other.id)
    assert result.code == 1
    assert "bad-1: FAILED: the engine reports status install_failed" in result.err
    assert "Task Install ovirt-hosted-engine-setup failed" in result.err
    assert "ERROR " in result.err and "Host bad-1 installation failed" in result.err
    assert "OLD failure" not in result.err
    assert "good-1" not in result.err
    assert "Hosted Engine deployed on 0 of 1 host(s); failed: bad-1" in result.out
    assert engine.find("GET", "/api/events")[0].query == {"max": "1"}
    assert any("from" in r.query for r in engine.find("GET", "/api/events"))


def test_host_that_never_gets_a_score_times_out(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("zero-1", never_ready=True)
    result = run(engine, "deploy", "zero-1", "--timeout", "0.5", *FAST)
    assert result.code == 1
    assert "timed out after 0.5 s waiting for the host to be ready for Hosted Engine" \
        in result.err
    assert "last seen: up, Hosted Engine configured, agent not active, score 0" in result.err


def test_parallel_deploy_runs_hosts_without_hosted_engine_at_the_same_time(engine, run):
    engine.add_host("he-1", he=True)
    names = ["p-{}".format(number) for number in range(4)]
    for name in names:
        engine.add_host(name, install_polls=3)
    result = run(engine, "deploy", *names, "--parallel", "4", *FAST)
    assert result.code == 0, result.err
    assert len(engine.find("POST", "/install")) == 4
    # Every host was installing before any of them had finished.
    statuses = [status for _, status in engine.model.history]
    assert statuses.index("initializing") > max(
        index for index, status in enumerate(statuses) if status == "installing")
    assert not engine.model.violations
    for name in names:
        assert "{}: OK: Hosted Engine deployed".format(name) in result.out
    assert "Hosted Engine deployed on 4 of 4 host(s)" in result.out
    assert "plan:" not in result.out  # none of them has Hosted Engine yet
    # Every worker logged in and out on its own connection (+1 for the plan).
    assert len(engine.find("POST", "/sso/oauth/token")) == 5
    assert len(engine.find("POST", "/sso-logout")) == 5


def test_parallel_reports_each_host_failure_separately(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("ok-1")
    engine.add_host("bad-1", fail_install=True)
    result = run(engine, "deploy", "ok-1", "bad-1", "--parallel", "2", *FAST)
    assert result.code == 1
    assert "ok-1: OK" in result.out
    assert "bad-1: FAILED" in result.err
    assert "Hosted Engine deployed on 1 of 2 host(s); failed: bad-1" in result.out


def test_undeploy_reinstalls_without_hosted_engine_and_checks_it(engine, run):
    engine.add_host("he-0", he=True)
    host = engine.add_host("he-1", he=True)
    result = run(engine, "undeploy", "he-1", *FAST)
    assert result.code == 0, result.err
    [install] = engine.find("POST", "/hosts/{}/install".format(host.id))
    assert action(install) == {"activate": "true", "undeploy_hosted_engine": "true",
                               "reboot": "false", "ssh/authentication_method": "publickey"}
    assert engine.find("POST", "/hosts/{}/deactivate".format(host.id))
    assert "he-1: maintenance, Hosted Engine configured, active, score 0, local maintenance" \
        in result.out
    assert "he-1: OK: Hosted Engine undeployed" in result.out
    assert engine.host("he-1").he is None


@pytest.mark.parametrize("status, hint", [
    ("down", "start the host first"),
    ("pending_approval", "approve the host in the engine first"),
], ids=["down", "pending-approval"])
def test_host_in_a_state_nothing_can_be_done_from_fails_clearly(engine, run, status, hint):
    engine.add_host("he-1", he=True)
    engine.add_host("busy-1", status=status)
    result = run(engine, "deploy", "busy-1", *FAST)
    assert result.code == 1
    assert "busy-1: FAILED: it is {}; the engine reinstalls only hosts in maintenance, " \
           "install_failed, non_operational".format(status) in result.err
    assert hint in result.err
    assert engine.actions() == []


def test_ctrl_c_during_deploy_stops_the_workers_and_logs_every_connection_out(engine, run,
                                                                              monkeypatch):
    engine.add_host("he-1", he=True)
    engine.add_host("slow-1", install_polls=10 ** 9)

    class InterruptedWhileWaiting(rollout.ThreadPoolExecutor):
        """Ctrl-C arrives in the main thread once the worker is polling the install."""

        def submit(self, fn, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)

            def result(timeout=None):
                deadline = time.monotonic() + 5
                while not engine.find("POST", "/install") and time.monotonic() < deadline:
                    time.sleep(0.01)
                raise KeyboardInterrupt
            future.result = result
            return future

    monkeypatch.setattr(rollout, "ThreadPoolExecutor", InterruptedWhileWaiting)
    started = time.monotonic()
    # Without the stop signal the worker would only give up at --timeout (30 s).
    result = run(engine, "deploy", "slow-1", "--timeout", "30", *FAST)
    assert result.code == 130
    assert time.monotonic() - started < 5
    assert len(engine.find("POST", "/sso/oauth/token")) == 2
    assert len(engine.find("POST", "/sso-logout")) == 2


# -- 2: hosts in passing states are waited for ------------------------------------------

@pytest.mark.parametrize("status", ["connecting", "initializing", "reboot", "unassigned",
                                    "non_responsive"])
def test_a_host_in_a_passing_state_is_waited_for_with_the_state_shown(engine, run, status):
    engine.add_host("he-1", he=True)
    engine.add_host("busy-1")
    engine.script("busy-1", [Step(status, polls=3), Step("up")])
    result = run(engine, "deploy", "busy-1", *FAST)
    assert result.code == 0, result.err
    assert "busy-1: {}, no Hosted Engine".format(status) in result.out
    assert "busy-1: waiting for the engine to move it out of {}".format(status) in result.out
    assert engine.actions() == [("busy-1", "deactivate"), ("busy-1", "install")]
    assert engine.host("busy-1").he.configured


def test_a_host_preparing_for_maintenance_is_waited_for_then_installed(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("busy-1")
    engine.script("busy-1", [Step("preparing_for_maintenance", polls=2), Step("maintenance")])
    result = run(engine, "deploy", "busy-1", *FAST)
    assert result.code == 0, result.err
    assert "busy-1: preparing_for_maintenance, no Hosted Engine" in result.out
    assert engine.actions() == [("busy-1", "install")]  # no second deactivate


def test_non_responsive_that_lasts_fails_after_the_grace_without_touching_the_host(engine,
                                                                                   run):
    engine.add_host("he-1", he=True)
    engine.add_host("gone-1", status="non_responsive")
    result = run(engine, "deploy", "gone-1", "--unresponsive-grace", "0.2", *FAST)
    assert result.code == 1
    assert "gone-1: FAILED: the engine has reported it non_responsive for more than 0.2 s " \
           "(it cannot reach vdsm on the host)" in result.err
    assert engine.actions() == []


def test_non_responsive_for_a_while_after_the_install_is_waited_for(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("flaky-1", unresponsive_polls=4)
    result = run(engine, "deploy", "flaky-1", *FAST)
    assert result.code == 0, result.err
    assert "flaky-1: non_responsive" in result.out
    assert "flaky-1: OK: Hosted Engine deployed" in result.out


def test_non_responsive_for_good_after_the_install_fails_after_the_grace(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("flaky-1", unresponsive_polls=-1)
    result = run(engine, "deploy", "flaky-1", "--unresponsive-grace", "0.2", *FAST)
    assert result.code == 1
    assert "reported it non_responsive for more than 0.2 s" in result.err


# -- 3: timeouts fit real installs ------------------------------------------------------

def test_the_default_timeout_outlasts_the_engines_playbook_timeout(capsys):
    from ovirt_he_deploy import cli
    from ovirt_he_deploy.engine import cli as engine_cli
    from ovirt_he_deploy.engine.waiting import ENGINE_INSTALL_MINUTES
    assert ENGINE_INSTALL_MINUTES == 120  # ovirt-engine.conf.in ANSIBLE_PLAYBOOK_EXEC_...
    assert engine_cli.DEFAULT_TIMEOUT > ENGINE_INSTALL_MINUTES * 60
    args = cli.build_parser().parse_args(["engine", "deploy", "h"])
    assert args.timeout == engine_cli.DEFAULT_TIMEOUT


def test_a_timeout_while_installing_says_it_is_still_installing_not_failed(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("slow-1", install_polls=10 ** 9)
    result = run(engine, "deploy", "slow-1", "--timeout", "0.3", *FAST)
    assert result.code == 1
    assert "slow-1: FAILED: the engine still reports it installing after 0.3 s; the install " \
           "has not failed: the engine gives the host-deploy playbook up to 120 minutes" \
        in result.err
    assert "rerun this command later (it waits for the running install)" in result.err


def test_a_rerun_while_the_host_is_still_installing_waits_for_that_install(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("slow-1", he=True)
    engine.script("slow-1", [Step("installing", polls=3), Step("up")])
    result = run(engine, "deploy", "slow-1", *FAST)
    assert result.code == 0, result.err
    assert "slow-1: an install started before this command is still running; waiting for " \
           "it to end" in result.out
    assert "slow-1: OK: Hosted Engine is already configured and ready (score 3400); left " \
           "alone" in result.out
    assert engine.actions() == []


# -- 4: idempotent, hosts returned to the state they were in ----------------------------

def test_deploy_leaves_a_ready_host_alone_and_force_reinstalls_it(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("he-2", he=True)
    result = run(engine, "deploy", "he-2", *FAST)
    assert result.code == 0, result.err
    assert "he-2: OK: Hosted Engine is already configured and ready (score 3400); left alone " \
           "(--force reinstalls it)" in result.out
    assert "Hosted Engine deployed on 1 of 1 host(s) (1 left alone: he-2)" in result.out
    assert engine.actions() == []
    forced = run(engine, "deploy", "he-2", "--force", *FAST)
    assert forced.code == 0, forced.err
    assert engine.actions() == [("he-2", "deactivate"), ("he-2", "install")]
    assert "he-2: OK: Hosted Engine deployed (score 3400)" in forced.out


def test_undeploy_leaves_a_host_without_hosted_engine_alone_and_force_reinstalls_it(engine,
                                                                                    run):
    engine.add_host("he-1", he=True)
    engine.add_host("plain-1")
    result = run(engine, "undeploy", "plain-1", *FAST)
    assert result.code == 0, result.err
    assert "plain-1: OK: Hosted Engine is not configured on it; left alone" in result.out
    assert engine.actions() == []
    forced = run(engine, "undeploy", "plain-1", "--force", *FAST)
    assert forced.code == 0, forced.err
    assert engine.actions() == [("plain-1", "deactivate"), ("plain-1", "install")]


def test_a_host_left_in_maintenance_stays_in_maintenance(engine, run):
    engine.add_host("he-1", he=True)
    host = engine.add_host("m-1", status="maintenance")
    result = run(engine, "deploy", "m-1", *FAST)
    assert result.code == 0, result.err
    [install] = engine.find("POST", "/hosts/{}/install".format(host.id))
    assert action(install)["activate"] == "false"
    assert engine.actions() == [("m-1", "install")]
    assert "m-1: OK: Hosted Engine deployed; the host stays in maintenance (it was " \
           "maintenance before; --activate activates it)" in result.out
    assert engine.host("m-1").status == "maintenance" and engine.host("m-1").he.configured


def test_activate_brings_a_host_from_maintenance_up(engine, run):
    engine.add_host("he-1", he=True)
    host = engine.add_host("m-1", status="maintenance")
    result = run(engine, "deploy", "m-1", "--activate", *FAST)
    assert result.code == 0, result.err
    [install] = engine.find("POST", "/hosts/{}/install".format(host.id))
    assert action(install)["activate"] == "true"
    assert engine.host("m-1").status == "up"


def test_undeploy_of_a_host_in_maintenance_keeps_it_in_maintenance(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("he-2", he=True, status="maintenance")
    result = run(engine, "undeploy", "he-2", *FAST)
    assert result.code == 0, result.err
    assert "he-2: OK: Hosted Engine undeployed; the host stays in maintenance" in result.out
    assert engine.host("he-2").status == "maintenance" and engine.host("he-2").he is None


# -- 5: a stuck move to maintenance is reported at once ----------------------------------

def test_a_migration_failure_while_going_to_maintenance_fails_at_once(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("stuck-1", migration_fails=True)
    started = time.monotonic()
    result = run(engine, "deploy", "stuck-1", "--timeout", "60", *FAST)
    assert result.code == 1
    assert time.monotonic() - started < 10
    assert "stuck-1: FAILED: its move to maintenance is stuck: the engine logged " \
           "VM_MIGRATION_FAILED (65): Migration failed (VM: web01, Source: stuck-1)." \
        in result.err
    assert "migrate or shut them down by hand (or activate the host to cancel maintenance)" \
        in result.err
    assert engine.actions() == [("stuck-1", "deactivate")]


def test_a_host_found_stuck_in_preparing_for_maintenance_fails_at_once(engine, run):
    engine.add_host("he-1", he=True)
    host = engine.add_host("stuck-1", status="preparing_for_maintenance")
    engine.model.add_event("normal", 620, "Host stuck-1 was switched to Maintenance mode by "
                                          "admin@internal.", host.id)
    engine.model.add_event("error", 140, "Migration failed while Host is in 'preparing for "
                                         "maintenance' state. (VM: db01, Source: stuck-1)",
                           host.id)
    result = run(engine, "deploy", "stuck-1", "--timeout", "60", *FAST)
    assert result.code == 1
    assert "VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE (140)" in result.err
    assert engine.actions() == []


# -- 6: what the engine would refuse or break on, checked before touching the host -------

def test_deploy_on_a_host_in_another_data_center_is_refused_untouched(engine, run):
    engine.add_host("he-1", he=True)
    engine.model.add_cluster("Remote", data_center="Branch")
    engine.add_host("far-1", cluster="Remote")
    result = run(engine, "deploy", "far-1", *FAST)
    assert result.code == 1
    assert "far-1: FAILED: far-1 is in cluster Remote of data center Branch, but the engine " \
           "VM runs in data center Default: the engine refuses Hosted Engine on a host in " \
           "another data center (ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_DC). Move " \
           "the host to cluster Default first; the host was not touched" in result.err
    assert engine.actions() == []


def test_deploy_on_a_host_in_another_cluster_is_refused_untouched(engine, run):
    engine.add_host("he-1", he=True)
    engine.model.add_cluster("Second")
    engine.add_host("other-1", cluster="Second")
    result = run(engine, "deploy", "other-1", *FAST)
    assert result.code == 1
    assert "other-1 is in cluster Second, but the engine VM runs in cluster Default" \
        in result.err
    assert "ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_CLUSTER" in result.err
    assert engine.actions() == []
    assert engine.model.violations == []


def test_the_engine_itself_lets_a_deploy_into_another_cluster_through(engine):
    """Why the check above is ours: the install request is accepted (UpdateVds validates only
    the data center), and the fake records the harm."""
    import ovirtsdk4
    engine.add_host("he-1", he=True)
    engine.model.add_cluster("Second")
    host = engine.add_host("other-1", cluster="Second", status="maintenance")
    connection = ovirtsdk4.Connection(url=engine.url, username="admin@internal",
                                      password=PASSWORD)
    try:
        connection.system_service().hosts_service().host_service(host.id).install(
            deploy_hosted_engine=True)
    finally:
        connection.close()
    assert engine.model.violations == [
        "other-1 got Hosted Engine in cluster Second, not the engine VM's Default"]


def test_adding_a_new_host_to_a_cluster_of_another_data_center_is_refused(engine, run):
    engine.add_host("he-1", he=True)
    engine.model.add_cluster("Remote", data_center="Branch")
    result = run(engine, "deploy", "new-1", "--cluster", "Remote", *FAST)
    assert result.code == 1
    assert "new-1 is in cluster Remote of data center Branch" in result.err
    assert "the host was not added" in result.err
    assert not engine.find("POST", "/api/hosts")


def test_deploy_with_an_unmanaged_engine_vm_is_refused(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("plain-1")
    engine.model.he_vm_origin = "hosted_engine"
    result = run(engine, "deploy", "plain-1", *FAST)
    assert result.code == 1
    assert "ACTION_TYPE_FAILED_UNMANAGED_HOSTED_ENGINE" in result.err
    assert engine.actions() == []


# -- 7: undeploy says what is left in the shared metadata --------------------------------

def test_undeploy_prints_the_clean_metadata_command_with_the_hosts_id(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("plain-2")
    engine.add_host("he-3", he=True)
    assert engine.host("he-3").spm_id == 3
    result = run(engine, "undeploy", "he-3", *FAST)
    assert result.code == 0, result.err
    assert "he-3: OK: Hosted Engine undeployed\n  note: its slot (host id 3) in the shared " \
           "Hosted Engine metadata stays (the engine's undeploy only removes " \
           "hosted-engine.conf and stops the agent) until someone runs " \
           "`hosted-engine --clean-metadata --host-id=3 --force-cleanup` on a remaining Hosted " \
           "Engine host (he-1) (from another host the cleanup needs --force-cleanup, which " \
           "overrides its safety checks: run it once the undeployed host's agent is stopped " \
           "for good)" in result.out
    assert [r.query["search"] for r in engine.find("GET", "/api/hosts")
            if r.query.get("search", "").startswith("spm_id=")] == \
        ["spm_id=1", "spm_id=2", "spm_id=3"]


def test_the_host_id_is_found_past_gaps_left_by_removed_hosts(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("he-7", he=True).spm_id = 7
    result = run(engine, "undeploy", "he-7", *FAST)
    assert result.code == 0, result.err
    assert "`hosted-engine --clean-metadata --host-id=7 --force-cleanup` on a remaining " \
           "Hosted Engine host (he-1)" in result.out
