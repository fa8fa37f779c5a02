"""engine deploy / undeploy against the fake engine: requests sent, waiting, failures."""

import time
import xml.etree.ElementTree as ElementTree

from ovirt_he_deploy.engine import deploy

from .conftest import FAST, PASSWORD


def action(recorded):
    """The <action> body as {tag: text} (nested ssh → 'ssh/authentication_method')."""
    root = ElementTree.fromstring(recorded.body)
    values = {child.tag: child.text for child in root if len(child) == 0}
    for child in root:
        for grandchild in child:
            values["{}/{}".format(child.tag, grandchild.tag)] = grandchild.text
    return values


def test_deploy_new_host_adds_it_with_hosted_engine(engine, run, tmp_path):
    root_pw = tmp_path / "root-pw"
    root_pw.write_text("r00t-pw\n")
    result = run(engine, "deploy", "new-1", "--cluster", "Prod", "--address", "192.0.2.10",
                 "--root-password-file", str(root_pw), *FAST)
    assert result.code == 0, result.err
    [add] = engine.find("POST", "/api/hosts")
    assert add.query == {"activate": "true", "deploy_hosted_engine": "true", "reboot": "false"}
    host = ElementTree.fromstring(add.body)
    assert host.findtext("name") == "new-1"
    assert host.findtext("address") == "192.0.2.10"
    assert host.findtext("cluster/name") == "Prod"
    assert host.findtext("root_password") == "r00t-pw"
    assert "new-1: OK: Hosted Engine deployed (score 3400)" in result.out
    assert "new-1: installing" in result.out
    fake = engine.host("new-1")
    assert fake.status == "up" and fake.he is not None and fake.he.score == 3400
    assert "r00t-pw" not in result.text and PASSWORD not in result.text


def test_deploy_existing_host_goes_through_maintenance_and_reinstall(engine, run):
    host = engine.add_host("old-1")
    result = run(engine, "deploy", "old-1", "--reboot", *FAST)
    assert result.code == 0, result.err
    posts = [r.path.rsplit("/", 1)[1] for r in engine.requests
             if r.method == "POST" and "/hosts/" in r.path]
    assert posts == ["deactivate", "install"]
    [install] = engine.find("POST", "/hosts/{}/install".format(host.id))
    assert action(install) == {"activate": "true", "deploy_hosted_engine": "true",
                               "reboot": "true", "ssh/authentication_method": "publickey"}
    assert "old-1: maintenance, no Hosted Engine" in result.out
    assert "old-1: up, Hosted Engine configured, active, score 3400" in result.out
    assert engine.host("old-1").he.configured


def test_deploy_unknown_host_without_cluster_names_the_fix(engine, run):
    result = run(engine, "deploy", "ghost", *FAST)
    assert result.code == 1
    assert "ghost: FAILED: the engine knows no host of that name; to add it give --cluster" \
        in result.err
    assert not engine.find("POST", "/api/hosts")


def test_address_with_several_hosts_is_a_usage_error(engine, run):
    result = run(engine, "deploy", "a", "b", "--address", "192.0.2.1", *FAST)
    assert result.code == 2
    assert "--address applies to one HOST only" in result.err


def test_install_failure_shows_the_hosts_events_since_the_command_started(engine, run):
    host = engine.add_host("bad-1", fail_install=True)
    other = engine.add_host("good-1")
    engine.model.add_event("error", "OLD failure from last week", host.id)
    result = run(engine, "deploy", "bad-1", *FAST)
    engine.model.add_event("error", "Unrelated error on good-1", other.id)
    assert result.code == 1
    assert "bad-1: FAILED: the engine reports status install_failed" in result.err
    assert "WARNING " in result.err and "Task Install ovirt-hosted-engine-setup failed" \
        in result.err
    assert "ERROR " in result.err and "Host bad-1 installation failed" in result.err
    assert "OLD failure" not in result.err
    assert "good-1" not in result.err
    assert "Hosted Engine deployed on 0 of 1 host(s); failed: bad-1" in result.out
    [since] = engine.find("GET", "/api/events")[:1]
    assert since.query == {"max": "1"}
    assert any("from" in r.query for r in engine.find("GET", "/api/events"))


def test_timeout_names_the_host_and_its_last_state(engine, run):
    engine.add_host("slow-1", install_seconds=30)
    result = run(engine, "deploy", "slow-1", "--timeout", "0.4", *FAST)
    assert result.code == 1
    assert "slow-1: FAILED: timed out after 0.4 s waiting for the host to be ready for " \
           "Hosted Engine" in result.err
    assert "(last seen: installing, no Hosted Engine)" in result.err


def test_host_that_never_gets_a_score_times_out(engine, run):
    engine.add_host("zero-1", never_ready=True)
    result = run(engine, "deploy", "zero-1", "--timeout", "0.5", *FAST)
    assert result.code == 1
    assert "last seen: up, Hosted Engine configured, agent not active, score 0" in result.err


def test_parallel_deploy_runs_hosts_at_the_same_time(engine, run):
    names = ["p-{}".format(number) for number in range(4)]
    for name in names:
        engine.add_host(name, install_seconds=0.6)
    result = run(engine, "deploy", *names, "--parallel", "4", *FAST)
    assert result.code == 0, result.err
    installs = [r for r in engine.requests if r.path.endswith("/install")]
    assert len(installs) == 4
    # All four installs were sent before the first one could have finished.
    assert max(r.at for r in installs) - min(r.at for r in installs) < 0.6
    for name in names:
        assert "{}: OK: Hosted Engine deployed".format(name) in result.out
    assert "Hosted Engine deployed on 4 of 4 host(s)" in result.out
    # Every worker logged in and out on its own connection (+1 for the event index).
    assert len(engine.find("POST", "/sso/oauth/token")) == 5
    assert len(engine.find("POST", "/sso-logout")) == 5


def test_parallel_reports_each_host_failure_separately(engine, run):
    engine.add_host("ok-1")
    engine.add_host("bad-1", fail_install=True)
    result = run(engine, "deploy", "ok-1", "bad-1", "--parallel", "2", *FAST)
    assert result.code == 1
    assert "ok-1: OK" in result.out
    assert "bad-1: FAILED" in result.err
    assert "Hosted Engine deployed on 1 of 2 host(s); failed: bad-1" in result.out


def test_undeploy_reinstalls_without_hosted_engine_and_checks_it(engine, run):
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


def test_undeploy_of_a_host_in_an_uninstallable_state_fails_clearly(engine, run):
    engine.add_host("busy-1", status="installing", install_seconds=30)
    result = run(engine, "undeploy", "busy-1", *FAST)
    assert result.code == 1
    assert "busy-1: FAILED: it is installing; the engine reinstalls only hosts in " \
           "maintenance, install_failed, non_operational" in result.err
    assert not engine.find("POST", "/install")


def test_ctrl_c_during_deploy_stops_the_workers_and_logs_every_connection_out(engine, run,
                                                                              monkeypatch):
    engine.add_host("slow-1", install_seconds=30)

    class InterruptedWhileWaiting(deploy.ThreadPoolExecutor):
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

    monkeypatch.setattr(deploy, "ThreadPoolExecutor", InterruptedWhileWaiting)
    started = time.monotonic()
    # Without the stop signal the worker would only give up at --timeout (8 s).
    result = run(engine, "deploy", "slow-1", "--timeout", "8", *FAST)
    assert result.code == 130
    assert time.monotonic() - started < 5
    assert len(engine.find("POST", "/sso/oauth/token")) == 2
    assert len(engine.find("POST", "/sso-logout")) == 2
