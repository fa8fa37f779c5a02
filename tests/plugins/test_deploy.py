# -*- coding: utf-8 -*-
"""The plugin group end to end (the otopi test double, or the real otopi): deploy, remove, none."""

import os
import re
import stat

import pytest
from he_host import (
    PREFIX,
    SECRET_PASSWORD,
    assert_no_secret,
    example,
    expected_conf,
    otopi_version,
)


def calls_in(result, stage):
    return [call.split(" ", 1)[1] for call in result.calls if call.startswith(stage + " ")]


def test_deploy_nfs_writes_conf_clears_maintenance_and_starts_services(host):
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.log_text[-3000:]
    assert host.read(host.conf) == expected_conf(example("nfs.conf"))
    assert stat.S_IMODE(os.stat(host.conf).st_mode) == 0o440
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}
    packages = calls_in(result, "packages")
    assert packages.index("services.state ovirt-ha-agent False") < packages.index(
        "services.state ovirt-ha-broker False")
    assert any(call.startswith("packager.installUpdate") and "ovirt-hosted-engine-setup"
               in call for call in packages)
    closeup = calls_in(result, "closeup")
    assert "services.startup ovirt-ha-agent True" in closeup
    assert "services.startup ovirt-ha-broker True" in closeup
    assert closeup.index("services.restart ovirt-ha-broker") < closeup.index(
        "services.restart ovirt-ha-agent")
    assert host.conf in result.environment["CORE/modifiedFiles"]


def test_deploy_events_run_in_their_stages_in_order(host):
    result = host.run(example("nfs.conf"))
    # The boot event runs before otopi's log exists, so the log cannot show it.
    ours = [(stage, method[len(PREFIX):]) for stage, method, _name in result.events
            if method.startswith(PREFIX) and stage != "boot"]
    assert ours == [
        ("init", "customization.Plugin._init"),
        ("validation", "customization.Plugin._validation"),
        ("packages", "packages.Plugin._packages"),
        ("misc", "misc.Plugin._misc"),
        ("closeup", "closeup.Plugin._closeup"),
        ("cleanup", "customization.Plugin._cleanup"),
    ]


def test_the_group_keeps_its_events_few():
    """otopi logs the environment's changes around every event, whatever its condition: each
    event costs every host install (issue 15), so the group has one per stage it needs; BOOT
    has two: secrets filtered before otopi's log starts, and again after otopi 1.8 empties
    its CORE/logFilterRe there."""
    import ast

    from paths import PLUGINS
    group = os.path.join(PLUGINS, "ovirt-he-deploy", "hosted-engine")
    events = []
    for name in sorted(os.listdir(group)):
        if name.endswith(".py"):
            with open(os.path.join(group, name)) as stream:
                tree = ast.parse(stream.read())
            events += [node.name for node in ast.walk(tree)
                       if isinstance(node, ast.FunctionDef) and any(
                           "event" in ast.dump(decorator) for decorator in node.decorator_list)]
    assert sorted(events) == sorted([
        "_boot", "_log_ready", "_init", "_secrets_from_dialog", "_validation", "_packages", "_misc",
        "_closeup", "_cleanup"])


def test_deploy_iscsi_chap_keeps_the_secret_out_of_the_log(host):
    result = host.run(example("iscsi-chap.conf"))
    assert result.exit_code == 0, result.log_text[-3000:]
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
    assert b"password=Ch4p-S3cret.value" in host.read(host.conf)
    assert "**FILTERED**" in result.log_text
    assert_no_secret(result.log_text, result.stdout)


def test_second_identical_deploy_writes_no_file(host):
    first = host.run(example("nfs.conf"))
    assert first.exit_code == 0
    host_files = [path for path in host.files() if path.startswith(("etc/", "var/"))]
    assert len(host_files) == 2
    before = {path: os.stat(os.path.join(host.root, path)) for path in host_files}
    contents = {path: host.read(os.path.join(host.root, path)) for path in host_files}
    second = host.run(example("nfs.conf"))
    assert second.exit_code == 0
    assert second.environment["CORE/modifiedFiles"] == []
    assert "services.restart" not in " ".join(calls_in(second, "closeup"))
    for path, status in before.items():
        now = os.stat(os.path.join(host.root, path))
        assert host.read(os.path.join(host.root, path)) == contents[path], path
        if path.endswith("ha.conf"):
            # otopi path: local maintenance on while the services are stopped around the
            # package update, back at the commit; edited in place as HA does.
            assert now.st_ino == status.st_ino
        else:
            assert (now.st_ino, getattr(now, "st_mtime_ns", now.st_mtime)) == \
                (status.st_ino, getattr(status, "st_mtime_ns", status.st_mtime)), path
    assert not any(name.endswith(".previous") for name in host.files())


@pytest.mark.parametrize("statements,says", [
    ((), "Hosted Engine: changed: started ovirt-ha-broker; started ovirt-ha-agent."),
    (("OVIRT_HE_DEPLOY/installMissingOnly=bool:True",),
     "Hosted Engine: checked: it was deployed already;"),
    (("OVIRT_HE_DEPLOY/installMissingOnly=bool:True",
      "OVIRT_HE_DEPLOY/engineRoleDeployed=bool:True"),
     "Hosted Engine: checked: the engine had deployed it;"),
], ids=["otopi-path", "host-deploy-by-hand", "engine-hook"])
def test_a_rerun_says_what_is_true_on_each_path(host, statements, says):
    # The otopi path stops broker and agent around its package step, as ovirt-host-deploy's
    # plugin did, so its rerun starts them again; `host deploy` (installMissingOnly) changes
    # nothing, and only the engine hook's key says the engine had deployed it.
    assert host.run(example("nfs.conf"), *statements).exit_code == 0
    second = host.run(example("nfs.conf"), *statements)
    assert second.exit_code == 0, second.stdout[-3000:]
    assert says in second.stdout
    assert len(re.findall(r"Hosted Engine: (?:checked|changed):", second.stdout)) == 1


def test_redeploy_with_a_new_conf_keeps_exactly_one_previous_copy(host):
    with open(host.conf, "wb") as stream:
        stream.write(b"host_id=9\n")
    os.chmod(host.conf, 0o440)
    result = host.run(example("nfs.conf"), "HOSTED_ENGINE_CONFIG/host_id=str:5")
    assert result.exit_code == 0, result.log_text[-3000:]
    assert b"\nhost_id=5\n" in host.read(host.conf)
    assert host.read(host.conf + ".previous") == b"host_id=9\n"
    assert stat.S_IMODE(os.stat(host.conf + ".previous").st_mode) == 0o440
    conf_dir = os.path.dirname(host.conf)
    assert sorted(os.listdir(conf_dir)) == ["hosted-engine.conf", "hosted-engine.conf.previous"]


def test_remove_keeps_a_copy_without_the_password_and_stops_and_disables_services(host):
    assert host.run(example("iscsi-chap.conf")).exit_code == 0
    deployed = host.read(host.conf)
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.log_text[-3000:]
    assert host.read(host.conf) is None
    kept = host.read(host.conf + ".undeployed")
    assert kept == deployed.replace(b"password=" + SECRET_PASSWORD.encode(), b"password=")
    assert SECRET_PASSWORD.encode() not in kept
    assert stat.S_IMODE(os.stat(host.conf + ".undeployed").st_mode) == 0o440
    # In closeup (VDSM runs again there): the agent, then the metadata slot, then the
    # broker; the conf is moved; then both are disabled. Nothing in MISC.
    assert calls_in(result, "misc") == []
    assert calls_in(result, "closeup") == [
        "services.exists ovirt-ha-agent", "services.state ovirt-ha-agent False",
        "services.exists ovirt-ha-broker", "services.state ovirt-ha-broker False",
        "services.exists ovirt-ha-agent", "services.startup ovirt-ha-agent False",
        "services.exists ovirt-ha-broker", "services.startup ovirt-ha-broker False",
    ]
    assert not [call for call in result.calls if "packager" in call and "install" in call]


def test_none_and_absent_action_do_nothing_and_log_nothing_above_debug(host):
    for statements in (("HOSTED_ENGINE/action=str:none",), ()):
        before = host.files()
        result = host.run(None, *statements)
        assert result.exit_code == 0
        assert host.files() == before
        assert not [call for call in result.calls
                    if "installUpdate" in call or "services.state" in call
                    or "services.restart" in call]
        ours = [line for line in result.log_text.splitlines()
                if "ovirt_he_deploy" in line and " DEBUG " not in line]
        assert ours == []
        assert "Hosted Engine" not in result.stdout


def test_invalid_unit_fails_in_validation_and_changes_nothing(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    conf, ha = host.read(host.conf), host.read(host.ha_conf)
    result = host.run(example("nfs.conf"), "HOSTED_ENGINE_CONFIG/host_id=str:0",
                      "HOSTED_ENGINE_CONFIG/spUUID=str:abc")
    assert result.exit_code == 1
    assert "HOSTED_ENGINE_CONFIG/host_id" in result.stdout
    assert "HOSTED_ENGINE_CONFIG/spUUID" in result.stdout
    assert ("validation", PREFIX + "customization.Plugin._validation") in [
        event[:2] for event in result.events]
    assert host.read(host.conf) == conf and host.read(host.ha_conf) == ha
    assert not [call for call in result.calls if call.startswith(("packages", "closeup"))]


def test_wrong_architecture_is_refused(host):
    result = host.run(example("nfs.conf"), "OVIRT_HE_DEPLOY/requiredArch=str:s390x")
    assert result.exit_code == 1
    assert "Hosted Engine hosts must be s390x" in result.stdout
    assert host.read(host.conf) is None


def test_deploy_does_not_rely_on_alphabetical_event_order(host):
    """otopi may shuffle events within a level (CORE/randomizeEvents, contract §12)."""
    for _ in range(8):
        result = host.run(example("iscsi-chap.conf"), "CORE/randomizeEvents=bool:True")
        assert result.exit_code == 0, result.log_text[-3000:]
        assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
        # The first run restarts; the next ones find the conf deployed and start them.
        closeup = [call.replace("services.state", "services.restart").replace(" True", "")
                   for call in calls_in(result, "closeup")]
        assert closeup.index("services.restart ovirt-ha-broker") < closeup.index(
            "services.restart ovirt-ha-agent")


def test_deploy_does_not_rely_on_plugin_load_order(host):
    """otopi loads plugin directories in unsorted order; constructors must not matter (the
    double shuffles them with a seed; the real otopi takes its own glob order)."""
    for seed in ("11", "12", "13", "14"):
        result = host.run(example("iscsi-chap.conf"),
                          os_env={"OTOPI_DOUBLE_SHUFFLE_LOAD": seed})
        assert result.exit_code == 0, result.log_text[-3000:]
        assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
        assert_no_secret(result.log_text, result.stdout)


@pytest.mark.skipif(otopi_version() == "1.8", reason="otopi 1.8 has no "
                    "CORE/ignoreMissingBeforeAfter: it never checks before/after names")
def test_deploy_in_strict_mode_names_only_known_events(host):
    """With unknown before/after names fatal, only VDSM's event (absent here) may be missing."""
    result = host.run(example("nfs.conf"), "CORE/ignoreMissingBeforeAfter=bool:False")
    assert result.exit_code == 1
    assert 'Found bad "before" or "after" parameters' in result.stdout
    missing = sorted(re.findall(r'"(?:before|after)" parameter of method "(\S+)" refers to a '
                                r'method name "(\S+)", but no method', result.log_text))
    assert missing == [
        (PREFIX + "closeup.Plugin._closeup", "odeploycons.packages.vdsm.started"),
    ]


def test_deploy_under_the_engines_umask_077_keeps_files_readable_by_vdsm(host):
    """The engine runs host-deploy with umask 0077; the HA services read as vdsm:kvm."""
    os.rmdir(os.path.dirname(host.conf))
    os.unlink(host.ha_conf)
    old = os.umask(0o077)
    try:
        result = host.run(example("nfs.conf"))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.log_text[-3000:]
    assert stat.S_IMODE(os.stat(os.path.dirname(host.conf)).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(host.conf).st_mode) == 0o440
    assert stat.S_IMODE(os.stat(host.ha_conf).st_mode) == 0o644
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}


def test_redeploy_after_remove_drops_the_stale_undeployed_copy(host):
    assert host.run(example("iscsi-chap.conf")).exit_code == 0
    assert host.run(None, "HOSTED_ENGINE/action=str:remove").exit_code == 0
    assert host.read(host.conf + ".undeployed") is not None
    result = host.run(example("iscsi-chap.conf"))
    assert result.exit_code == 0
    conf_dir = os.path.dirname(host.conf)
    assert sorted(os.listdir(conf_dir)) == ["hosted-engine.conf"]
