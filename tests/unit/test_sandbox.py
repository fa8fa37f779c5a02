"""`ovirt-he-deploy host deploy|remove --sandbox DIR`: the command line, what it prints and
what it refuses. tests/plugins/test_sandbox.py holds its steps to the group's."""

import json
import os
import stat

import pytest

from ovirt_he_deploy import cli, envkeys, haconf, hostfs, plan, rootdir, sandbox

from .helpers import EXAMPLES, PASSWORD

NFS = os.path.join(EXAMPLES, "nfs.conf")
ISCSI = os.path.join(EXAMPLES, "iscsi-chap.conf")
CONF = "etc/ovirt-hosted-engine/hosted-engine.conf"
HA_CONF = "var/lib/ovirt-hosted-engine-ha/ha.conf"


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_otopi(tmp_path, monkeypatch):
    """A machine without otopi (and no command at all on PATH): the sandbox needs none."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture
def not_root(monkeypatch):
    monkeypatch.setattr(rootdir, "can_chown", lambda owner, group: False)


def tree(root):
    return sorted(os.path.relpath(os.path.join(top, name), str(root))
                  for top, _dirs, names in os.walk(str(root)) for name in names)


@pytest.mark.usefixtures("no_otopi", "not_root")
def test_deploy_in_a_sandbox_writes_below_it_and_says_what_a_host_would_see(tmp_path, capsys):
    box = tmp_path / "box"
    code, out, err = run(["host", "deploy", "--sandbox", str(box), NFS], capsys)
    assert code == 0, err
    assert tree(box) == sorted([CONF, HA_CONF, "run/ovirt-he-deploy.lock", "sandbox-state.json"])
    assert stat.S_IMODE(os.stat(str(box / CONF)).st_mode) == 0o440
    assert (box / HA_CONF).read_text() == (
        "local_maintenance=False\nlocal_maintenance_manual=False\n")
    lines = out.splitlines()
    assert lines[0].startswith("Sandbox {}: the deploy as the ovirt-he-deploy plugin group does "
                               "it".format(box))
    assert "Not used: otopi" in lines[1]
    assert "Faked: services and packages" in lines[2]
    assert lines[3].startswith("Owners: not applied")
    for expected in (
            "packages    ovirt-ha-agent is not installed: nothing to stop [fake services]",
            # `host deploy` installs what is missing, updates nothing (installMissingOnly)
            "packages    install ovirt-hosted-engine-setup [fake packager",
            "transaction wrote {} (".format(box / CONF),
            "mode 0440, owner vdsm:kvm on a host; not applied here",
            "transaction restorecon -r {} [fake command: not run".format(
                box / "etc/ovirt-hosted-engine"),
            "closeup     enable ovirt-ha-broker [fake services: `systemctl enable",
            "closeup     restart ovirt-ha-agent [fake services",
            "cleanup     lock released"):
        assert expected in out
    assert out.index("restart ovirt-ha-broker") < out.index("restart ovirt-ha-agent")
    state = json.loads((box / sandbox.STATE_FILE).read_text())
    assert state["packages"] == ["ovirt-hosted-engine-setup"]
    assert state["services"]["ovirt-ha-agent"] == {"enabled": True, "running": True}


@pytest.mark.usefixtures("no_otopi", "not_root")
def test_remove_in_the_sandbox_undoes_the_deploy_and_blanks_the_password(tmp_path, capsys):
    box = tmp_path / "box"
    unit = tmp_path / "iscsi.conf"
    unit.write_bytes(open(ISCSI, "rb").read())
    unit.chmod(0o600)
    assert run(["host", "deploy", "--sandbox", str(box), str(unit)], capsys)[0] == 0
    code, out, err = run(["host", "remove", "--sandbox", str(box)], capsys)
    assert code == 0, err
    assert tree(box) == sorted([CONF + ".undeployed", HA_CONF, "run/ovirt-he-deploy.lock",
                                "sandbox-state.json"])
    assert b"\npassword=\n" in (box / (CONF + ".undeployed")).read_bytes()
    # All in closeup, once VDSM runs again: the cleanup needs the conf in place.
    assert out.index("closeup     stop ovirt-ha-agent") < out.index(
        "closeup     hosted-engine --clean-metadata --host-id=3 [fake command: not run") < \
        out.index("closeup     stop ovirt-ha-broker") < out.index("transaction kept") < \
        out.index("closeup     disable ovirt-ha-agent")
    assert "misc  " not in out
    assert PASSWORD not in out + err
    state = json.loads((box / sandbox.STATE_FILE).read_text())
    assert state["services"]["ovirt-ha-agent"] == {"enabled": False, "running": False}


@pytest.mark.usefixtures("no_otopi", "not_root")
def test_remove_in_the_sandbox_clears_the_maintenance_flags_last(tmp_path, capsys):
    box = tmp_path / "box"
    assert run(["host", "deploy", "--sandbox", str(box), NFS], capsys)[0] == 0
    (box / HA_CONF).write_text("local_maintenance=True\nlocal_maintenance_manual=True\n")
    code, out, err = run(["host", "remove", "--sandbox", str(box)], capsys)
    assert code == 0, err
    assert (box / HA_CONF).read_text() == (
        "local_maintenance=False\nlocal_maintenance_manual=False\n")
    cleared = "closeup     {}: set local_maintenance=False, local_maintenance_manual=False: " \
        "this host leaves Hosted Engine".format(box / HA_CONF)
    assert out.index("closeup     disable ovirt-ha-broker") < out.index(cleared)


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another id needs root")
@pytest.mark.usefixtures("no_otopi")
def test_as_root_with_the_accounts_the_owner_is_applied(tmp_path, capsys, monkeypatch):
    def accounts(owner, group):
        assert (owner, group) == ("vdsm", "kvm")
        return 4242, 4343

    monkeypatch.setattr(hostfs, "resolve_account", accounts)
    monkeypatch.setattr(haconf, "resolve_account", accounts)
    code, out, err = run(["host", "deploy", "--sandbox", str(tmp_path / "box"), NFS], capsys)
    assert code == 0, err
    for path in (CONF, HA_CONF):
        status = os.stat(str(tmp_path / "box" / path))
        assert (status.st_uid, status.st_gid) == (4242, 4343)
    assert "not applied" not in out and "Owners:" not in out


@pytest.mark.parametrize("option", [["--dry-run"], ["--otopi", "/usr/sbin/otopi"],
                                    ["--otopi-statement", "A/b=str:c"]],
                         ids=["dry-run", "otopi", "otopi-statement"])
@pytest.mark.parametrize("command", [["deploy", NFS], ["remove"]], ids=["deploy", "remove"])
def test_otopi_options_are_a_usage_error_with_the_sandbox(command, option, tmp_path, capsys):
    box = tmp_path / "box"
    with pytest.raises(SystemExit) as caught:
        cli.main(["host"] + command + ["--sandbox", str(box)] + option)
    assert caught.value.code == 2
    assert "--sandbox runs no otopi; drop {}".format(option[0]) in capsys.readouterr().err
    assert not box.exists()


@pytest.mark.parametrize("command", [["deploy", NFS], ["remove"]], ids=["deploy", "remove"])
def test_the_hosts_own_root_is_refused(command, capsys):
    code, out, err = run(["host"] + command + ["--sandbox", "/"], capsys)
    assert code == 1 and out == ""
    assert "--sandbox / is the host's own root; give a separate directory" in err


def test_a_missing_unit_fails_and_creates_nothing(tmp_path, capsys):
    box = tmp_path / "box"
    code, out, err = run(["host", "deploy", "--sandbox", str(box),
                          str(tmp_path / "nope.conf")], capsys)
    assert code == 1 and "cannot read" in err and "nope.conf" in err
    assert not box.exists()


def test_an_invalid_unit_fails_naming_the_key_and_creates_nothing(tmp_path, capsys):
    unit = tmp_path / "bad.conf"
    unit.write_text(open(NFS).read().replace("host_id=str:2", "host_id=str:two"))
    box = tmp_path / "box"
    code, out, err = run(["host", "deploy", "--sandbox", str(box), str(unit)], capsys)
    assert code == 1 and "HOSTED_ENGINE_CONFIG/host_id" in err
    assert not box.exists()


def test_a_sandbox_that_is_a_file_is_refused(tmp_path, capsys):
    box = tmp_path / "box"
    box.write_text("")
    code, out, err = run(["host", "remove", "--sandbox", str(box)], capsys)
    assert code == 1 and "exists and is not a directory" in err


@pytest.mark.usefixtures("not_root")
def test_a_symlink_out_of_the_sandbox_is_refused_before_anything_is_written(tmp_path, capsys):
    box = tmp_path / "box"
    outside = tmp_path / "outside"
    (outside / "ovirt-hosted-engine").mkdir(parents=True)
    box.mkdir()
    os.symlink(str(outside), str(box / "etc"))
    code, out, err = run(["host", "deploy", "--sandbox", str(box), NFS], capsys)
    assert code == 1 and "is a symlink to {}, outside {}".format(outside, box) in err
    assert tree(outside) == [] and tree(box) == []


@pytest.mark.usefixtures("not_root")
def test_a_busy_lock_is_named(tmp_path, capsys):
    box = tmp_path / "box"
    (box / "run").mkdir(parents=True)
    lock = hostfs.HostLock(str(box / "run" / "ovirt-he-deploy.lock"))
    lock.acquire()
    try:
        code, out, err = run(["host", "deploy", "--sandbox", str(box), NFS], capsys)
    finally:
        lock.release()
    assert code == 1 and "another Hosted Engine deploy is running" in err
    assert not (box / CONF).exists()


def test_a_broken_state_file_is_named_with_the_fix(tmp_path, capsys):
    box = tmp_path / "box"
    box.mkdir()
    (box / sandbox.STATE_FILE).write_text("{not json")
    code, out, err = run(["host", "remove", "--sandbox", str(box)], capsys)
    assert code == 1
    assert "cannot read {}".format(box / sandbox.STATE_FILE) in err and "remove it" in err


@pytest.mark.parametrize("command", ["deploy", "remove"])
def test_help_presents_the_sandbox(command, capsys):
    with pytest.raises(SystemExit):
        cli.main(["host", command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--sandbox DIR" in out and "without otopi or root" in out


def test_every_host_path_of_the_group_is_moved_below_the_sandbox(tmp_path):
    """A path key the group gains (envkeys) must land below DIR too, never on the host."""
    host_paths = {key for key in envkeys.OWN_KEYS
                  if isinstance(key.default, str) and key.default.startswith("/")}
    assert host_paths == set(sandbox.PATH_KEYS)
    settings = plan.HostSettings.from_environment(sandbox.environment(str(tmp_path)))
    for path in (settings.conf_file, settings.ha_conf_file, settings.lock_file):
        assert path.startswith(str(tmp_path) + "/")
    assert (settings.conf_owner, settings.conf_group) == ("vdsm", "kvm")


@pytest.mark.usefixtures("no_otopi", "not_root")
@pytest.mark.parametrize("flag,wording", [
    ([], "checked: it was deployed already;"),
    (["--after-engine-role"], "checked: the engine had deployed it;"),
], ids=["by-hand", "after-engine-role"])
def test_a_sandbox_rerun_says_checked_as_the_group_would(flag, wording, tmp_path, capsys):
    box = tmp_path / "box"
    assert run(["host", "deploy", "--sandbox", str(box), NFS], capsys)[0] == 0
    code, out, err = run(["host", "deploy", "--sandbox", str(box), NFS] + flag, capsys)
    assert code == 0, err
    assert "closeup     " + wording in out
