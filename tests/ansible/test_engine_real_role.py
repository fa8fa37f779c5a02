"""The post-task hook inside ovirt-engine's REAL host-deploy play and Hosted Engine role.

engine_project.py extracts ovirt-host-deploy.yml and the role ovirt-host-deploy-hosted-engine
from $OVIRT_ENGINE_GIT at each of $OVIRT_ENGINE_REFS (HEAD and ovirt-engine-4.4.10), cut down
to that role and the hook; the role's service and package modules run as the fakes of
intercept/ on the fake host's state. Skipped without the repository (CI has none: it runs the
stand-in of test_ansible_post_tasks.py). docs/development.md says how to run it.
"""

import grp
import os
import pwd
import stat
import sys
from typing import List, Optional, Tuple

import engine_project
import pytest
from engine_hook import HOST_CTL, EngineHook, ansible_missing, running_host_conf
from test_ansible_post_tasks import (
    HA_SERVICES,
    RUN_TASK,
    allowed_holders,
    assert_clean,
    assert_undeployed_after_the_engines_role,
    changed_tasks,
    engine_copy,
    group_starts,
    make_engine,
    snapshot,
)

pytestmark = [
    pytest.mark.skipif(ansible_missing() is not None, reason=str(ansible_missing())),
    pytest.mark.skipif(engine_project.missing() is not None,
                       reason=str(engine_project.missing())),
]

BACKENDS = ["double", "real-otopi"]
CASES = [(ref, backend) for ref in engine_project.refs() for backend in BACKENDS]
CASE_IDS = ["{}-{}".format(ref, backend) for ref, backend in CASES]


def real_engine(backend: str, root: str, ref: str,
                conf_text: str = "") -> Tuple[EngineHook, engine_project.Project]:
    """An engine whose play is the engine's own at ref, its role acting on the fake host."""
    engine = make_engine(backend, root)
    if conf_text:
        engine.write_engine_conf(conf_text)
    project = engine_project.extract(
        engine_project.git_dir() or "", ref, os.path.join(root, "engine-project"),
        engine.host.owner or "", engine.host.group or "", engine.host.conf)
    engine.playbook = project.playbook
    # As the engine runs it: the engine's copy and lineinfile are not no_log, so with --diff
    # they would print the conf, CHAP password included.
    engine.diff = False
    engine.env.update(engine_project.environment(
        [sys.executable, HOST_CTL, engine.host.state]))
    return engine, project


def left_mode(project: engine_project.Project) -> Optional[int]:
    """The mode the engine's copy leaves root-owned for the hook to fix, None when it copies
    vdsm:kvm 0440 (HEAD, 4.5.0.2+). 4.4.3-4.5.0.1: mode preserve, the engine's temp file's
    0600; 4.4.0-4.4.2: no mode, a new file's 0644."""
    args = project.copy_task[next(key for key in project.copy_task if "copy" in key)]
    if "owner" in args:
        assert (args["owner"], args["group"], args["mode"]) == ("vdsm", "kvm", 0o440), args
        return None
    assert args.get("mode") in ("preserve", None), args
    return 0o600 if args.get("mode") == "preserve" else 0o644


def copies_as_vdsm(project: engine_project.Project) -> bool:
    return left_mode(project) is None


def conf_owner(engine: EngineHook) -> List[str]:
    """[owner, group] of the host's hosted-engine.conf, [] without one."""
    if not os.path.exists(engine.host.conf):
        return []
    found = os.stat(engine.host.conf)
    return [pwd.getpwuid(found.st_uid).pw_name, grp.getgrgid(found.st_gid).gr_name]


@pytest.fixture(scope="module", params=CASES, ids=CASE_IDS)
def lifecycle(request, tmp_path_factory):
    """deploy, the whole play again, undeploy: the engine's role, then the hook, each time."""
    ref, backend = request.param
    engine, project = real_engine(backend, str(tmp_path_factory.mktemp("real-role")), ref)
    shots, engine_calls = {}, {}
    for stage, action in (("deploy", "deploy"), ("rerun", "deploy"), ("undeploy", "undeploy")):
        done = len(engine.engine_calls())
        shots[stage] = snapshot(engine, engine.run(action, host_id=3))
        engine_calls[stage] = engine.engine_calls()[done:]
        engine_calls[stage + " group starts"] = group_starts(engine)
        engine_calls[stage + " conf owner"] = conf_owner(engine)
    return engine, project, shots, engine_calls


def test_the_extracted_project_is_cut_down_and_redirected_only_where_counted(lifecycle):
    _engine, project, _shots, _calls = lifecycle
    assert any("defaults/main.yml: hosted_engine_conf: /etc/ovirt-hosted-engine" in key
               for key in project.rewrites), project.rewrites
    if copies_as_vdsm(project):
        assert "deploy.yml: owner: 'vdsm'" in " ".join(project.rewrites)
        # ansible.builtin.X reaches no library/ override: renamed ansible.legacy.X, counted.
        assert [key for key in project.rewrites if "ansible.legacy." in key]
    else:
        assert not [key for key in project.rewrites if "ansible.legacy." in key]


def test_the_engines_role_runs_first_through_the_fakes(lifecycle):
    _engine, _project, shots, calls = lifecycle
    for stage in ("deploy", "rerun", "undeploy"):
        assert shots[stage].result.returncode == 0, shots[stage].result.output[-5000:]
    # A new host: nothing to stop yet; the package, then the agent enabled and restarted.
    assert calls["deploy"] == ["engine install ovirt-hosted-engine-setup",
                               "engine enable ovirt-ha-agent",
                               "engine restart ovirt-ha-agent"]
    # Again: both services stopped first (service_facts lists them), installed, restarted.
    assert calls["rerun"] == ["engine stop ovirt-ha-agent", "engine stop ovirt-ha-broker",
                              "engine enable ovirt-ha-agent",
                              "engine restart ovirt-ha-agent"]
    assert calls["undeploy"] == ["engine stop ovirt-ha-agent"]
    output = shots["deploy"].result.output
    assert output.index("TASK [ovirt-host-deploy-hosted-engine : Start ovirt-ha-agent") < \
        output.index("TASK [Executing post tasks defined by user]") < output.index(RUN_TASK)


def test_deploy_completes_the_engines_deploy_without_repeating_it(lifecycle):
    engine, project, shots, calls = lifecycle
    shot = shots["deploy"]
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    assert shot.files[conf] == engine_copy(3)
    assert conf + ".previous" not in shot.files
    assert shot.conf_mode == 0o440
    assert calls["deploy conf owner"] == [engine.host.owner, engine.host.group]
    if copies_as_vdsm(project):
        assert "Hosted Engine: checked: the engine had deployed it" in shot.result.output
        assert changed_tasks(shot.result.output) == []
    else:
        # The engine's copy left it root-owned: the hook fixes owner and mode only.
        assert "{:04o} -> {}:{} 0440".format(left_mode(project), engine.host.owner,
                                            engine.host.group) in shot.result.output
        assert changed_tasks(shot.result.output) == [RUN_TASK + " deploy"]
    assert calls["deploy group starts"] == []
    for name in HA_SERVICES:
        assert shot.services[name]["enabled"] and shot.services[name]["running"], name
    assert_clean(engine, shot, allowed_holders(engine))


def test_rerun_of_the_whole_play_restarts_nothing_in_the_hook(lifecycle):
    engine, project, shots, calls = lifecycle
    first, second = shots["deploy"], shots["rerun"]
    assert calls["rerun group starts"] == []
    if left_mode(project) == 0o600:
        # mode preserve puts root:root 0600 back at every run: the hook fixes it every time.
        assert "0600 -> {}:{} 0440".format(engine.host.owner, engine.host.group) in \
            second.result.output
        assert changed_tasks(second.result.output) == [RUN_TASK + " deploy"]
    else:
        # vdsm:kvm 0440, or no mode: the copy keeps the existing file's owner and mode.
        assert "Hosted Engine: checked: the engine had deployed it" in second.result.output
        assert changed_tasks(second.result.output) == []
    skip = (os.path.relpath(engine.host.lock, engine.host.root),
            os.path.relpath(engine.host.state + ".log", engine.host.root))
    assert {k: v for k, v in second.files.items() if k not in skip} == \
        {k: v for k, v in first.files.items() if k not in skip}
    assert second.conf_mode == 0o440
    assert calls["rerun conf owner"] == calls["deploy conf owner"]
    assert second.services == first.services
    assert_clean(engine, second, allowed_holders(engine))


def test_undeploy_after_the_engines_role_stops_disables_and_leaves_no_password(lifecycle):
    engine, _project, shots, _calls = lifecycle
    shot = shots["undeploy"]
    text = assert_undeployed_after_the_engines_role(engine, shot)
    assert "The engine's role had deleted hosted-engine.conf first" in text
    assert "hosted-engine --clean-metadata --host-id=3 --force-cleanup" in text
    assert_clean(engine, shot, holders=[])


@pytest.mark.parametrize("ref,backend", CASES, ids=CASE_IDS)
def test_a_refused_conf_fails_the_play_with_what_is_true(ref, backend, tmp_path):
    engine, _project = real_engine(backend, str(tmp_path), ref,
                                   running_host_conf(drop="sdUUID"))
    result = engine.run("deploy", host_id=3)
    assert result.returncode != 0
    # The engine's role did install it and restart the agent on it, as the hook says.
    assert engine.engine_calls()[-1] == "engine restart ovirt-ha-agent"
    assert engine.host.read(engine.host.conf) == running_host_conf(3, drop="sdUUID").encode()
    text = " ".join(result.output.split())
    assert "The engine's role has already installed it as {}".format(engine.host.conf) in text
    assert "restarted ovirt-ha-agent on it" in text
    assert "HOSTED_ENGINE_CONFIG/sdUUID" in text
    assert "This host was put in local maintenance" in text
    assert "not touched" not in text and "untouched" not in text
    assert RUN_TASK not in result.output
    assert engine.host.ha_values()["local_maintenance"] == "True"
    assert stat.S_IMODE(os.stat(engine.host.ha_conf).st_mode) == 0o644
    assert_clean(engine, snapshot(engine, result), holders=allowed_holders(engine))
