"""The 4.4+ engine's host-deploy post-task hook, run by ansible-core as the engine runs it.

Each play is shaped like ovirt-engine's ovirt-host-deploy.yml and runs against this machine
(connection: local) with otopi = the test double, and again with the real otopi where
OTOPI_TREE names an otopi source tree (docs/development.md: Testing against the real otopi).
"""

import os
import stat
from typing import Dict, List, NamedTuple, Optional

import he_host
import pytest
from engine_hook import (
    EngineHook,
    PlayResult,
    ansible_missing,
    real_otopi_tree,
    running_host_conf,
)

from ovirt_he_deploy import answerfile, render

pytestmark = pytest.mark.skipif(ansible_missing() is not None, reason=str(ansible_missing()))

SECRETS = (he_host.SECRET_PASSWORD, he_host.SECRET_USER)
RUN_TASK = "ovirt-he-deploy | Run ovirt-he-deploy host"
HA_SERVICES = ("ovirt-ha-agent", "ovirt-ha-broker")
BACKENDS = ["double", "real-otopi"]


def make_engine(backend: str, root: str, generation: str = "4.5") -> EngineHook:
    tree = real_otopi_tree() if backend == "real-otopi" else None
    engine = EngineHook(root, tree, generation)
    engine.write_engine_conf(running_host_conf())
    return engine


def engine_copy(host_id: int) -> bytes:
    """What the engine's role leaves on the host: the running host's conf, host_id set."""
    return running_host_conf(host_id).encode()


def changed_tasks(output: str, prefix: str = "ovirt-he-deploy | ") -> List[str]:
    """The names of the tasks starting with prefix that reported changed in a play."""
    changed = []
    for chunk in output.split("\nTASK [")[1:]:
        name = chunk.split("]", 1)[0]
        if name.startswith(prefix) and "\nchanged: [" in chunk:
            changed.append(name)
    return changed


def group_starts(engine: EngineHook) -> List[str]:
    """The group's restarts and starts of services (otopi services API), all plays so far."""
    return [call for call in engine.group_calls()
            if call.startswith("restart ") or (call.startswith("state ") and
                                                call.endswith(" True"))]


def expected_conf(host_id: int) -> bytes:
    unit = answerfile.build_answer_file(running_host_conf(), host_id)
    return render.render_conf(unit).encode()


class Snapshot(NamedTuple):
    """What one play printed and left on the fake host."""

    result: PlayResult
    files: Dict[str, Optional[bytes]]
    conf_mode: Optional[int]
    services: Dict[str, Dict[str, bool]]
    leftovers: List[str]
    holding_secrets: List[str]


def snapshot(engine: EngineHook, result: PlayResult) -> Snapshot:
    host = engine.host
    files = {name: host.read(os.path.join(host.root, name)) for name in host.files()}
    conf_mode = stat.S_IMODE(os.stat(host.conf).st_mode) if os.path.exists(host.conf) else None
    return Snapshot(result, files, conf_mode,
                    engine.services() if os.path.exists(host.state) else {},
                    engine.leftovers(), engine.files_holding(*SECRETS))


def allowed_holders(engine: EngineHook) -> List[str]:
    """hosted-engine.conf holds the CHAP password by design (0440), as may its one
    .previous copy after a rewrite (docs/design.md, the otopi plugin group: MISC)."""
    conf = os.path.relpath(engine.host.conf, engine.root)
    return [conf, conf + ".previous"]


def assert_clean(engine: EngineHook, shot: Snapshot, holders: List[str]) -> None:
    """No secret in Ansible's output, no unit left anywhere, the secret only where allowed."""
    for secret in SECRETS:
        assert secret not in shot.result.output
    assert shot.leftovers == []
    assert set(shot.holding_secrets) <= set(holders), shot.holding_secrets


@pytest.fixture(scope="module", params=BACKENDS)
def lifecycle(request, tmp_path_factory):
    """deploy, the whole play again, undeploy, deploy again (the host added back): one
    engine, one host, four plays; the engine's role (its 4.5.0.2+ stand-in) runs before the
    hook every time."""
    engine = make_engine(request.param, str(tmp_path_factory.mktemp(request.param)))
    shots = {}
    starts = {}
    for stage, action in (("deploy", "deploy"), ("rerun", "deploy"), ("undeploy", "undeploy"),
                          ("re-add", "deploy")):
        shots[stage] = snapshot(engine, engine.run(action, host_id=3))
        starts[stage] = group_starts(engine)
        starts[stage + " engine"] = engine.engine_calls()
    return engine, shots, starts


def test_deploy_completes_the_engines_deploy_without_repeating_it(lifecycle):
    engine, shots, starts = lifecycle
    shot = shots["deploy"]
    assert shot.result.returncode == 0, shot.result.output[-5000:]
    assert RUN_TASK + " deploy" in shot.result.output
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    # The engine's copy stays as it is: not rewritten, no copy kept, nothing restarted.
    assert shot.files[conf] == engine_copy(3)
    assert conf + ".previous" not in shot.files
    assert shot.conf_mode == 0o440
    assert "Hosted Engine: checked: the engine had deployed it" in shot.result.output
    assert starts["deploy"] == []
    assert starts["deploy engine"].count("engine restart ovirt-ha-agent") == 1
    # The unit is never a file on the engine nor copied to the host: answer-file prints it,
    # `host deploy -` reads it on standard input.
    assert engine.unit_arguments()[:2] == ["answer-file -o -", "host deploy -"]
    for name in HA_SERVICES:
        assert shot.services[name]["enabled"] and shot.services[name]["running"], name
    # The hook's own tasks changed nothing on the host.
    assert changed_tasks(shot.result.output) == []
    assert_clean(engine, shot, allowed_holders(engine))


def test_deploy_keeps_the_local_maintenance_it_found_and_says_how_to_clear_it(lifecycle):
    engine, shots, _starts = lifecycle
    # make_host's ha.conf says local_maintenance=True: the engine's role wrote the conf
    # before the hook, so the group cannot tell the engine's flag from one of an earlier life
    # of the host: kept, with the command that clears it. (A host that left through our
    # remove has none: test_undeploy_clears_both_maintenance_flags_...)
    assert shots["deploy"].files[os.path.relpath(engine.host.ha_conf, engine.host.root)] == \
        b"local_maintenance=True\nlocal_maintenance_manual=True\n"
    assert "hosted-engine --set-maintenance --mode=none" in shots["deploy"].result.output


def test_rerun_of_the_whole_play_changes_nothing_and_restarts_nothing(lifecycle):
    engine, shots, starts = lifecycle
    first, second = shots["deploy"], shots["rerun"]
    assert second.result.returncode == 0, second.result.output[-5000:]
    assert changed_tasks(second.result.output) == []
    assert starts["rerun"] == []
    # The run lock holds the pid of the last run, the stand-in's log grows; everything else
    # stays byte for byte.
    skip = (os.path.relpath(engine.host.lock, engine.host.root),
            os.path.relpath(engine.host.state + ".log", engine.host.root))
    assert {k: v for k, v in second.files.items() if k not in skip} == \
        {k: v for k, v in first.files.items() if k not in skip}
    assert second.services == first.services
    assert_clean(engine, second, allowed_holders(engine))


def assert_undeployed_after_the_engines_role(engine: EngineHook, shot: Snapshot) -> str:
    """Both services stopped and disabled, no copy of the conf, no cleanup run; the output's
    words, blanks joined."""
    assert shot.result.returncode == 0, shot.result.output[-5000:]
    assert RUN_TASK + " remove" in shot.result.output
    assert shot.conf_mode is None
    for name in HA_SERVICES:
        assert not shot.services[name]["enabled"], name
        assert not shot.services[name]["running"], name
    assert not [name for name in shot.files if ".previous" in name or ".undeployed" in name]
    # The engine's role deleted the conf, so the group could not run the agent's cleanup
    # (`hosted-engine` refuses: "You must run deploy first"): the hook says the manual step.
    assert engine.host.commands() == []
    return " ".join(shot.result.output.split())


def test_undeploy_after_the_engines_role_stops_disables_and_says_the_metadata_step(lifecycle):
    engine, shots, _starts = lifecycle
    shot = shots["undeploy"]
    text = assert_undeployed_after_the_engines_role(engine, shot)
    assert "The engine's role had deleted hosted-engine.conf first, so this host's slot " \
        "(host_id 3) in the shared Hosted Engine metadata could not be freed here" in text
    assert "probably free" not in text
    assert "hosted-engine --clean-metadata --host-id=3 --force-cleanup" in text
    assert "Free this host's slot in the shared Hosted Engine metadata" in shot.result.output
    assert_clean(engine, shot, holders=[])


def test_undeploy_clears_both_maintenance_flags_so_a_re_added_host_starts_clean(lifecycle):
    engine, shots, _starts = lifecycle
    ha_conf = os.path.relpath(engine.host.ha_conf, engine.host.root)
    # The host leaves Hosted Engine: nobody would clear a flag left in ha.conf, and the
    # engine's role writes the conf before the hook when the host is added again, so the
    # hook could not tell those stale flags from the engine's own.
    assert shots["undeploy"].files[ha_conf] == \
        b"local_maintenance=False\nlocal_maintenance_manual=False\n"
    assert "leaves Hosted Engine" in shots["undeploy"].result.output
    re_added = shots["re-add"]
    assert re_added.result.returncode == 0, re_added.result.output[-5000:]
    assert re_added.files[ha_conf] == b"local_maintenance=False\nlocal_maintenance_manual=False\n"
    assert "hosted-engine --set-maintenance --mode=none" not in re_added.result.output
    for name in HA_SERVICES:
        assert re_added.services[name]["enabled"] and re_added.services[name]["running"], name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("agent_says,freed", [
    ("INFO:{}:Cleaning the metadata block!", True),
    ("INFO:{}:Metadata for current host missing.", False),
], ids=["freed", "missing"])
def test_undeploy_with_the_conf_in_place_says_the_metadata_step_only_when_not_freed(
        backend, agent_says, freed, tmp_path):
    # A play whose Hosted Engine role left the conf (the group's own remove then runs the
    # agent's cleanup): the hook's step appears only when the agent did not say it cleaned.
    engine = make_engine(backend, str(tmp_path))
    assert engine.run("deploy", host_id=3).returncode == 0
    agent = "ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"
    with open(os.path.join(engine.host.root, "hosted-engine.output"), "w") as stream:
        stream.write(agent_says.format(agent) + "\n")
    result = engine.run("undeploy", host_id=3, engine_role=False)
    assert result.returncode == 0, result.output[-5000:]
    assert [call["argv"] for call in engine.host.commands()] == [
        ["--clean-metadata", "--host-id=3"]]
    text = " ".join(result.output.split())
    assert ("freed this host's slot (host_id 3)" in text) == freed
    assert ("hosted-engine --clean-metadata --host-id=3 --force-cleanup" in text) == (not freed)
    assert "The engine's role had deleted" not in text
    # The agent found no metadata for the slot: probably free, not "could not be freed".
    assert ("it is probably free already" in text) == (not freed)
    assert "could not be freed" not in text
    shot = snapshot(engine, result)
    assert not [name for name in shot.files if name.endswith(".previous")]
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    assert shot.files[conf + ".undeployed"] is not None
    # The kept copy has the CHAP password blanked (its user name stays); nothing holds it.
    assert engine.files_holding(he_host.SECRET_PASSWORD) == []
    assert_clean(engine, shot, holders=[os.path.relpath(engine.host.conf, engine.root)
                                        + ".undeployed"])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("generation,left", [("4.4.3", 0o600), ("4.4.0", 0o644)],
                         ids=["4.4.3-preserve-0600", "4.4.0-no-mode-0644"])
def test_a_4_4_engines_owner_and_mode_are_fixed_in_place(backend, generation, left, tmp_path):
    engine = make_engine(backend, str(tmp_path), generation)
    result = engine.run("deploy", host_id=3)
    assert result.returncode == 0, result.output[-5000:]
    shot = snapshot(engine, result)
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    assert shot.files[conf] == engine_copy(3)
    assert shot.conf_mode == 0o440
    owner = os.stat(engine.host.conf)
    import grp
    import pwd
    assert (pwd.getpwuid(owner.st_uid).pw_name, grp.getgrgid(owner.st_gid).gr_name) == (
        engine.host.owner, engine.host.group)
    assert "{:04o} -> {}:{} 0440".format(left, engine.host.owner, engine.host.group) in \
        result.output
    assert changed_tasks(result.output) == [RUN_TASK + " deploy"]
    assert group_starts(engine) == []
    assert_clean(engine, shot, allowed_holders(engine))


def changed_lines(output: str) -> List[str]:
    """The group's closing lines ("Hosted Engine: changed: ..." or "checked: ...")."""
    return [line[line.index("Hosted Engine: "):].rstrip('",') for line in output.splitlines()
            if "Hosted Engine: changed:" in line or "Hosted Engine: checked:" in line]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("generation", ["4.4.3", "4.4.0"],
                         ids=["4.4.3-preserve-0600", "4.4.0-no-mode-0644"])
def test_a_rerun_on_a_4_4_engine_changes_at_most_owner_and_mode(backend, generation,
                                                                 tmp_path):
    # 4.4.3 to 4.5.0.1: that role's copy (mode: preserve) gives the conf the engine's temp
    # file's 0600 again at every play (the temp file holds the running host's host_id, so the
    # copy always writes; Ansible keeps the owner of the file it replaces), so every rerun has
    # the group fix the mode again: the hook's task says changed, for that alone. 4.4.0 to
    # 4.4.2: the copy without a mode keeps the 0440 the group gave: nothing to do. Either way
    # nothing is rewritten and the group restarts nothing.
    engine = make_engine(backend, str(tmp_path), generation)
    first = engine.run("deploy", host_id=3)
    assert first.returncode == 0, first.output[-5000:]
    before = snapshot(engine, first)
    rerun = engine.run("deploy", host_id=3)
    assert rerun.returncode == 0, rerun.output[-5000:]
    shot = snapshot(engine, rerun)
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    assert "engine-hosted-engine-standin : Engine role stand-in | store the Hosted Engine " \
        "configuration ({})".format("4.4.3-4.5.0.1" if generation == "4.4.3" else "4.4.0-4.4.2") \
        in changed_tasks(rerun.output, "engine-hosted")
    account = "{}:{}".format(engine.host.owner, engine.host.group)
    if generation == "4.4.3":
        assert changed_tasks(rerun.output) == [RUN_TASK + " deploy"]
        assert changed_lines(rerun.output) == [
            "Hosted Engine: changed: owner and mode of {}: {} 0600 -> {} 0440.".format(
                engine.host.conf, account, account)]
    else:
        assert changed_tasks(rerun.output) == []
        assert [line.split(";")[0] for line in changed_lines(rerun.output)] == [
            "Hosted Engine: checked: the engine had deployed it"]
    assert group_starts(engine) == []
    assert shot.files[conf] == before.files[conf] == engine_copy(3)
    assert conf + ".previous" not in shot.files
    assert shot.conf_mode == 0o440
    assert shot.services == before.services
    assert_clean(engine, shot, allowed_holders(engine))


def test_a_refused_conf_whose_maintenance_cannot_be_set_says_so(tmp_path):
    # Double only: the group never runs. An account the host lacks makes the edit fail.
    engine = make_engine("double", str(tmp_path))
    engine.write_engine_conf(running_host_conf(drop="sdUUID"))
    before = engine.host.read(engine.host.ha_conf)
    result = engine.run("deploy", host_id=3,
                        more_vars={"ovirt_he_deploy_ha_conf_owner": "no-such-user-here"})
    assert result.returncode != 0
    text = " ".join(result.output.split())
    assert "Setting local maintenance in {} failed (".format(engine.host.ha_conf) in text
    assert "run hosted-engine --set-maintenance --mode=local on this host" in text
    assert "This host was put in local maintenance" not in text
    assert "HOSTED_ENGINE_CONFIG/sdUUID" in text
    assert engine.host.read(engine.host.ha_conf) == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_conf_fails_the_play_with_what_is_true(backend, tmp_path):
    engine = make_engine(backend, str(tmp_path))
    engine.write_engine_conf(running_host_conf(drop="sdUUID"))
    result = engine.run("deploy", host_id=3)
    assert result.returncode != 0
    assert "Refuse the engine's Hosted Engine configuration for this host" in result.output
    text = " ".join(result.output.split())
    assert "The engine's role has already installed it as {}".format(engine.host.conf) in text
    assert "restarted ovirt-ha-agent on it" in text
    assert "HOSTED_ENGINE_CONFIG/sdUUID" in text
    assert "hosted-engine --set-shared-config KEY VALUE --type=he_shared" in text
    assert "This host was put in local maintenance" in text
    assert "not touched" not in text and "untouched" not in text
    assert "could not run ovirt-he-deploy on the engine" not in text
    assert RUN_TASK not in result.output
    assert engine.host.ha_values()["local_maintenance"] == "True"
    assert_clean(engine, snapshot(engine, result), holders=allowed_holders(engine))


def failing_engine_command(engine: EngineHook, status: int, says: str) -> str:
    """An ovirt-he-deploy on the engine that fails on its own, whatever the conf says."""
    path = os.path.join(engine.root, "bin", "broken-ovirt-he-deploy")
    with open(path, "w") as stream:
        stream.write("#!/bin/sh\necho '{}' >&2\nexit {}\n".format(says, status))
    os.chmod(path, 0o700)
    return path


@pytest.mark.parametrize("case", ["not-installed", "crashes", "cannot-read"])
def test_answer_file_that_cannot_run_fails_the_play_without_claiming_a_refusal(case, tmp_path):
    # Only answer-file's refusal of the conf (exit 1, the validator's problems) means the
    # conf is wrong; a command that is missing, crashes or cannot read the engine's temp file
    # says so, and sets no local maintenance (the conf may be right).
    engine = make_engine("double", str(tmp_path))
    with open(engine.host.ha_conf, "w") as stream:
        stream.write("local_maintenance=False\nlocal_maintenance_manual=False\n")
    more_vars: Dict[str, object] = {}
    engine_role = True
    if case == "not-installed":
        more_vars["ovirt_he_deploy_engine_command"] = [os.path.join(engine.root, "missing")]
        # The command module's errno; ansible-core 2.9 says the OSError, 2.19 only this.
        status, detail = 2, ("No such file or directory", "Error executing command")
    elif case == "crashes":
        more_vars["ovirt_he_deploy_engine_command"] = [
            failing_engine_command(engine, 3, "Traceback: something broke")]
        status, detail = 3, ("Traceback: something broke",)
    else:
        # The temp file is gone (the engine's role, which copies it, is left out here).
        engine_role = False
        more_vars["hosted_engine_tmp_cfg_file"] = os.path.join(engine.root, "gone")
        status, detail = 1, ("cannot read {}".format(os.path.join(engine.root, "gone")),)
    result = engine.run("deploy", host_id=3, engine_role=engine_role, more_vars=more_vars)
    assert result.returncode != 0
    text = " ".join(result.output.split())
    assert "Build the deploy unit on the engine failed" in result.output
    assert "could not run ovirt-he-deploy on the engine" in text
    assert "exit status {}".format(status) in text
    assert any(words in text for words in detail), text[-3000:]
    assert "Install it on the engine" in text
    assert "did not set local maintenance" in text
    assert "changed nothing else" not in text and "--set-shared-config" not in text
    assert "This host was put in local maintenance" not in text
    assert RUN_TASK not in result.output
    assert engine.host.ha_values()["local_maintenance"] == "False"
    assert_clean(engine, snapshot(engine, result), holders=allowed_holders(engine))


@pytest.mark.parametrize("backend", BACKENDS)
def test_clear_local_maintenance_opt_in_through_the_hook(backend, tmp_path):
    engine = make_engine(backend, str(tmp_path))
    result = engine.run("deploy", host_id=3,
                        more_vars={"ovirt_he_deploy_clear_local_maintenance": True})
    assert result.returncode == 0, result.output[-5000:]
    assert engine.host.ha_values()["local_maintenance"] == "False"
    assert engine.host.ha_values()["local_maintenance_manual"] == "True"
    assert changed_tasks(result.output) == [RUN_TASK + " deploy"]
    assert group_starts(engine) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_conf_that_differs_gets_the_full_deploy(backend, tmp_path):
    # An older cluster's file whose keys differ from what the unit says (here: bash would
    # run a blank-separated line) is rewritten, its old content kept once.
    engine = make_engine(backend, str(tmp_path))
    engine.write_engine_conf(running_host_conf().replace("bridge=", "bridge = "))
    result = engine.run("deploy", host_id=3)
    assert result.returncode == 0, result.output[-5000:]
    assert engine.host.read(engine.host.conf) == expected_conf(3)
    assert engine.host.read(engine.host.conf + ".previous") is not None
    assert sorted(group_starts(engine)) == ["restart ovirt-ha-agent", "restart ovirt-ha-broker"]
    assert changed_tasks(result.output) == [RUN_TASK + " deploy"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_failing_service_fails_the_play_with_the_groups_message(backend, tmp_path):
    engine = make_engine(backend, str(tmp_path))
    # A conf the group rewrites, so it restarts the services itself.
    engine.write_engine_conf(running_host_conf().replace("bridge=", "bridge = "))
    result = engine.run("deploy", host_id=3, fakes=["HE_FAKES/failStart=str:ovirt-ha-agent"])
    assert result.returncode != 0
    assert "Hosted Engine deploy or undeploy failed on this host" in result.output
    assert "otopi failed (exit status 1)" in result.output
    assert "Hosted Engine: ovirt-ha-agent failed to start" in result.output
    assert "journalctl -u ovirt-ha-agent" in result.output
    assert engine.host.ha_values()["local_maintenance"] == "True"
    assert_clean(engine, snapshot(engine, result), allowed_holders(engine))


@pytest.mark.parametrize("action", ["", "none"], ids=["empty", "none"])
def test_no_hosted_engine_action_does_nothing(action, tmp_path):
    engine = make_engine("double", str(tmp_path))
    before = engine.host.files()
    result = engine.run(action, host_id=3, engine_role=False)
    assert result.returncode == 0, result.output[-5000:]
    assert "changed=0" in result.output and "failed=0" in result.output
    assert engine.host.files() == before
    assert_clean(engine, snapshot(engine, result), holders=[])
