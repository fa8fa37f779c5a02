"""`host deploy|remove --sandbox DIR` does what the plugin group does: the same files (bytes,
modes), the same service and package calls in the same order, the same commands, as the
group run by otopi (the test double, or the real otopi when OTOPI_TREE is set) on a fake host
that starts out the same."""

import io
import json
import os
import stat

import pytest
from he_host import SECRET_PASSWORD, Host, example, make_host

from ovirt_he_deploy import envkeys, sandbox, validation
from ovirt_he_deploy.otopiconf import load_unit
from ovirt_he_deploy.unit import DeployUnit

# What the group changes on a host: the files below these directories.
HOST_FILE_DIRS = ("etc/ovirt-hosted-engine", "var/lib/ovirt-hosted-engine-ha")
ACTING_CALLS = ("services.state", "services.startup", "services.restart",
                "packager.installUpdate", "packager.install")


def files_below(root):
    """{path below root: (bytes, mode)} of the files the group changes."""
    found = {}
    for directory in HOST_FILE_DIRS:
        for top, _dirs, names in os.walk(os.path.join(root, directory)):
            for name in names:
                path = os.path.join(top, name)
                with open(path, "rb") as stream:
                    found[os.path.relpath(path, root)] = (
                        stream.read(), stat.S_IMODE(os.stat(path).st_mode))
    return found


def acting(calls):
    return [call for call in calls if call.split()[1] in ACTING_CALLS]


def sandbox_like(host: Host, root):
    """A sandbox that starts as the fake host does: its files, and the HA services there."""
    for directory in HOST_FILE_DIRS:
        os.makedirs(os.path.join(root, directory))
    with open(host.ha_conf, "rb") as source, \
            open(os.path.join(root, HOST_FILE_DIRS[1], "ha.conf"), "wb") as target:
        target.write(source.read())
    with open(os.path.join(root, sandbox.STATE_FILE), "w") as stream:
        json.dump({"packages": [], "services": {
            name: {"enabled": False, "running": False}
            for name in ("ovirt-ha-agent", "ovirt-ha-broker")}}, stream)


def run_sandbox(root, unit_path=None, **settings):
    if unit_path is None:
        unit = validation.check(DeployUnit(action=envkeys.ACTION_REMOVE))
    else:
        unit = validation.check(load_unit(unit_path))
    out = io.StringIO()
    run = sandbox.run_sandbox(root, unit, out, **settings)
    return run, out.getvalue()


def group_commands(host: Host):
    """restorecon and hosted-engine as the fake host's commands logged them, in order, paths
    made relative to the host's root."""
    lines = []
    for line in (host.read(host.commands_log) or b"").decode().splitlines():
        if line.startswith("{"):
            lines.append(" ".join(["hosted-engine"] + json.loads(line)["argv"]))
        elif line.startswith("restorecon "):
            lines.append(line.replace(host.root + "/", ""))
    return lines


def sandbox_commands(run, root):
    return [line.split(" ", 1)[1].replace(root + "/", "") for line in run.commands]


@pytest.fixture
def pair(tmp_path):
    host = make_host(str(tmp_path / "host"))
    root = str(tmp_path / "sandbox")
    sandbox_like(host, root)
    return host, root


def test_deploy_redeploy_and_remove_match_the_group(pair):
    host, root = pair
    for unit_path in (example("nfs.conf"), example("iscsi-chap.conf"), None):
        before = len(group_commands(host))
        if unit_path is None:
            result = host.run(None, "HOSTED_ENGINE/action=str:remove")
        else:
            result = host.run(unit_path)
        assert result.exit_code == 0, result.stdout[-3000:]
        run, out = run_sandbox(root, unit_path)
        assert files_below(root) == files_below(host.root), out
        assert run.host.calls == acting(result.calls), out
        assert sandbox_commands(run, root) == group_commands(host)[before:]
        assert SECRET_PASSWORD not in out
    assert os.path.exists(os.path.join(root, HOST_FILE_DIRS[0], "hosted-engine.conf.undeployed"))


def test_remove_of_a_host_without_hosted_engine_matches_the_group(pair):
    host, root = pair
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    run, out = run_sandbox(root)
    assert files_below(root) == files_below(host.root)
    assert run.host.calls == acting(result.calls)
    assert run.commands == [] and host.commands() == []
    assert "hosted-engine.conf does not exist: nothing to remove" in out


def set_local_maintenance(root):
    """What the engine does when it moves the host to Maintenance."""
    path = os.path.join(root, HOST_FILE_DIRS[1], "ha.conf")
    with open(path) as stream:
        text = stream.read()
    assert "local_maintenance=False\n" in text
    with open(path, "w") as stream:
        stream.write(text.replace("local_maintenance=False\n", "local_maintenance=True\n"))


def test_completing_deploy_and_kept_local_maintenance_match_the_group(pair):
    """`host deploy`'s way (installMissingOnly): a deploy, the same deploy again (completed:
    nothing rewritten, nothing restarted), and again with local maintenance set in between
    (kept)."""
    host, root = pair
    unit_path = example("nfs.conf")
    missing_only = envkeys.INSTALL_MISSING_ONLY.name + "=bool:True"
    steps = []
    for step in ("deploy", "again", "in-maintenance"):
        if step == "in-maintenance":
            set_local_maintenance(host.root)
            set_local_maintenance(root)
        before = len(group_commands(host))
        result = host.run(unit_path, missing_only)
        assert result.exit_code == 0, result.stdout[-3000:]
        run, out = run_sandbox(root, unit_path, install_missing_only=True)
        assert files_below(root) == files_below(host.root), out
        assert run.host.calls == acting(result.calls), out
        assert sandbox_commands(run, root) == group_commands(host)[before:]
        steps.append((run.host.calls, result.stdout, out))
    first_calls, _group_out, first_out = steps[0]
    assert [call for call in first_calls if call.startswith("packages packager.install ")]
    assert "changed: installed" in first_out
    for calls, group_out, out in steps[1:]:
        # nothing installed, stopped, restarted or started; enabling is idempotent
        assert [call.split()[1] for call in calls] == ["services.startup"] * 2
        assert "checked: it was deployed already;" in group_out
        assert "checked: it was deployed already;" in out
    assert host.ha_values()["local_maintenance"] == "True"
