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
from engine_hook import EngineHook, PlayResult, ansible_missing, real_otopi_tree, running_host_conf

from ovirt_he_deploy import answerfile, render

pytestmark = pytest.mark.skipif(ansible_missing() is not None, reason=str(ansible_missing()))

SECRETS = (he_host.SECRET_PASSWORD, he_host.SECRET_USER)
RUN_TASK = "ovirt-he-deploy | Run ovirt-he-deploy host"
HA_SERVICES = ("ovirt-ha-agent", "ovirt-ha-broker")
BACKENDS = ["double", "real-otopi"]


def make_engine(backend: str, root: str) -> EngineHook:
    tree = real_otopi_tree() if backend == "real-otopi" else None
    engine = EngineHook(root, tree)
    engine.write_engine_conf(running_host_conf())
    return engine


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
    """deploy, the same deploy again, undeploy: one engine, one host, three plays."""
    engine = make_engine(request.param, str(tmp_path_factory.mktemp(request.param)))
    shots = {}
    for stage, action in (("deploy", "deploy"), ("rerun", "deploy"), ("undeploy", "undeploy")):
        shots[stage] = snapshot(engine, engine.run(action, host_id=3))
    return engine, shots


def test_deploy_configures_the_host_through_the_group(lifecycle):
    engine, shots = lifecycle
    shot = shots["deploy"]
    assert shot.result.returncode == 0, shot.result.output[-5000:]
    assert RUN_TASK + " deploy" in shot.result.output
    conf = os.path.relpath(engine.host.conf, engine.host.root)
    assert shot.files[conf] == expected_conf(3)
    assert shot.conf_mode == 0o440
    assert engine.modes()[:2] == ["engine 600", "host 600"]
    for name in HA_SERVICES:
        assert shot.services[name]["enabled"] and shot.services[name]["running"], name
    assert_clean(engine, shot, allowed_holders(engine))


def test_rerun_converges_and_changes_no_file(lifecycle):
    engine, shots = lifecycle
    first, second = shots["deploy"], shots["rerun"]
    assert second.result.returncode == 0, second.result.output[-5000:]
    lock = os.path.relpath(engine.host.lock, engine.host.root)
    # The run lock holds the pid of the last run; everything else stays byte for byte.
    assert {k: v for k, v in second.files.items() if k != lock} == \
        {k: v for k, v in first.files.items() if k != lock}
    assert second.services == first.services
    assert_clean(engine, second, allowed_holders(engine))


def test_undeploy_stops_and_disables_the_services_and_leaves_no_password(lifecycle):
    engine, shots = lifecycle
    shot = shots["undeploy"]
    assert shot.result.returncode == 0, shot.result.output[-5000:]
    assert RUN_TASK + " remove" in shot.result.output
    assert shot.conf_mode is None
    for name in HA_SERVICES:
        assert not shot.services[name]["enabled"], name
        assert not shot.services[name]["running"], name
    assert_clean(engine, shot, holders=[])


@pytest.mark.parametrize("backend", BACKENDS)
def test_invalid_conf_fails_the_play_before_the_host_is_touched(backend, tmp_path):
    engine = make_engine(backend, str(tmp_path))
    engine.write_engine_conf(running_host_conf(drop="sdUUID"))
    before = engine.host.files()
    result = engine.run("deploy", host_id=3, engine_role=False)
    assert result.returncode != 0
    assert "Refuse an invalid deploy unit before touching the host" in result.output
    assert "sdUUID" in result.output
    assert "this host was not touched by ovirt-he-deploy" in result.output
    assert RUN_TASK not in result.output
    assert engine.host.files() == before
    assert not os.path.exists(engine.host.state)  # no packager or services call at all
    assert_clean(engine, snapshot(engine, result), holders=[])


@pytest.mark.parametrize("backend", BACKENDS)
def test_failing_service_fails_the_play_with_the_groups_message(backend, tmp_path):
    engine = make_engine(backend, str(tmp_path))
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
