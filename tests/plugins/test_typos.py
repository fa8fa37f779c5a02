"""Misspelt keys through the plugin group: a typo of ours fails the run in STAGE_VALIDATION,
naming the key and the key meant, whatever the action (a misspelt action leaves it none);
keys that are not ours never fail a host install; unknown far keys deploy with a warning."""

import os
import sys

import pytest
from he_host import assert_no_secret, example, typed, unit_environment

from ovirt_he_deploy import envkeys

NFS = example("nfs.conf")


@pytest.fixture
def units(tmp_path_factory):
    """A directory for unit files outside the fake host's root."""
    return tmp_path_factory.mktemp("units")


def state(host):
    return {path: host.read(os.path.join(host.root, path)) for path in host.files()}


def unit_file(directory, lines):
    path = os.path.join(str(directory), "unit.conf")
    with open(path, "w") as stream:
        stream.write("[environment:default]\n" + "\n".join(lines) + "\n")
    return path


def nfs_lines(rename=None, prefix="HOSTED_ENGINE_CONFIG/", action="HOSTED_ENGINE/action"):
    """The nfs example's lines, with one conf key renamed or another prefix or action key."""
    rename = rename or {}
    lines = ["{}=str:deploy".format(action)]
    environment = unit_environment(NFS)
    for name in sorted(environment):
        if name.startswith(envkeys.CONFIG_PREFIX):
            key = name[len(envkeys.CONFIG_PREFIX):]
            lines.append("{}{}={}".format(prefix, rename.get(key, key), typed(environment[name])))
    return lines


def assert_refused(result, host, before, *fragments):
    assert result.exit_code == 1, result.stdout[-3000:]
    text = result.stdout + result.log_text
    for fragment in fragments:
        assert fragment in text, (fragment, result.stdout[-3000:])
    assert state(host) == before
    assert host.read(host.conf) is None
    assert not host.read(host.lock)
    assert_no_secret(result.stdout, result.log_text, result.stderr)


def test_a_misspelt_action_fails_the_run_naming_it_and_the_key_meant(host, units):
    before = state(host)
    result = host.run(unit_file(units, nfs_lines(action="HOSTED_ENGINE/actoin")))
    assert_refused(result, host, before,
                   "HOSTED_ENGINE/actoin: is not a deploy-unit key: under HOSTED_ENGINE/ there "
                   "is only action",
                   "rename it to HOSTED_ENGINE/action (e.g. HOSTED_ENGINE/action=str:deploy)")


@pytest.mark.parametrize("statement, named, meant", [
    pytest.param("HOSTED_ENGINE/Action=str:deploy", "HOSTED_ENGINE/Action",
                 "HOSTED_ENGINE/action", id="wrong-case-action"),
    pytest.param("HOSTED_ENGINE/host_id=str:2", "HOSTED_ENGINE/host_id",
                 "HOSTED_ENGINE_CONFIG/host_id", id="conf-key-under-the-action-prefix"),
    pytest.param("HOSTED-ENGINE/action=str:deploy", "HOSTED-ENGINE/",
                 "rename HOSTED-ENGINE/action to HOSTED_ENGINE/action", id="hyphen-prefix"),
    pytest.param("hosted_engine/action=str:remove", "hosted_engine/",
                 "rename hosted_engine/action to HOSTED_ENGINE/action", id="lower-case-prefix"),
])
def test_a_misspelt_key_of_ours_fails_a_run_with_action_none(statement, named, meant, host):
    # The engine's default for every host is none: the typo must still be named.
    before = state(host)
    result = host.run(None, statement)
    assert_refused(result, host, before, named + ":", meant)


def test_a_misspelt_config_prefix_is_named_once_without_missing_key_noise(host, units):
    before = state(host)
    result = host.run(unit_file(units, nfs_lines(prefix="HOSTED_ENGINE_CONFIGS/")))
    assert_refused(result, host, before,
                   "HOSTED_ENGINE_CONFIGS/: is not a deploy-unit prefix",
                   "nothing reads the 26 keys under it",
                   "write HOSTED_ENGINE_CONFIG/ instead of HOSTED_ENGINE_CONFIGS/")
    assert "is missing" not in result.stdout + result.log_text


def test_a_misspelt_conf_key_fails_the_deploy_with_the_key_meant(host, units):
    before = state(host)
    result = host.run(unit_file(units, nfs_lines(rename={"gateway": "gatway"})))
    assert_refused(result, host, before,
                   "HOSTED_ENGINE_CONFIG/gatway: is not a hosted-engine.conf key but one edit "
                   "from gateway", "rename it to HOSTED_ENGINE_CONFIG/gateway")
    assert "HOSTED_ENGINE_CONFIG/gateway: is missing" not in result.stdout + result.log_text


def test_an_unknown_far_key_deploys_with_a_warning_on_its_own_line(host, units):
    lines = nfs_lines() + ["HOSTED_ENGINE_CONFIG/he_future_setting=str:on"]
    result = host.run(unit_file(units, lines))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert b"\nhe_future_setting=on\n" in host.read(host.conf)
    warning = [line for line in result.stdout.splitlines() if "he_future_setting" in line]
    assert len(warning) == 1 and "WARNING" in warning[0], result.stdout[-3000:]
    assert "HOSTED_ENGINE_CONFIG/he_future_setting: not a hosted-engine.conf key" in warning[0]


@pytest.mark.parametrize("statement", [
    "OVIRT_ENGINE/correlationId=str:abc",
    "HOSTED_ENGINE_SETUP/anything=str:x",
    "OVEHOSTED_CORE/deployProceed=bool:True",
    "HE_FAKES/unused=str:x",
    "HOSTED_ENGINE_CONFIGURATION_TOOL/x=str:y",
])
def test_keys_that_are_not_ours_never_fail_a_host_install(statement, host):
    result = host.run(None, statement)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "deploy-unit" not in result.stdout + result.log_text


ISCSI = example("iscsi-chap.conf")


@pytest.mark.parametrize("old, new, named", [
    pytest.param("HOSTED_ENGINE_CONFIG/password=", "HOSTED_ENGINE_CONFIG/passwrod=",
                 "HOSTED_ENGINE_CONFIG/passwrod:", id="misspelt-password-key"),
    pytest.param("HOSTED_ENGINE_CONFIG/", "HOSTED_ENGINE_CONFIGS/", "HOSTED_ENGINE_CONFIGS/:",
                 id="secrets-under-a-misspelt-prefix"),
    pytest.param("HOSTED_ENGINE_CONFIG/user=", "hosted_engine_config/User=",
                 "hosted_engine_config/:", id="user-under-a-lower-case-prefix"),
])
def test_a_secret_under_a_misspelt_name_is_refused_and_never_logged(old, new, named, host,
                                                                    units):
    with open(ISCSI) as stream:
        text = stream.read()
    path = os.path.join(str(units), "unit.conf")
    with open(path, "w") as stream:
        stream.write(text.replace(old, new))
    before = state(host)
    result = host.run(path)
    # assert_refused also scans stdout, the log and stderr for the password and user.
    assert_refused(result, host, before, named)


@pytest.mark.parametrize("extra", [
    pytest.param("HOSTED_ENGINE/action=str:none", id="the-action"),
    pytest.param("HOSTED_ENGINE_CONFIG/host_id=str:5", id="a-conf-key"),
])
def test_a_key_set_twice_fails_the_run_in_init_on_every_python(host, units, extra):
    # Each Python's configparser reads such a file another way: 2.7 (otopi 1.8) keeps the
    # last value, so a repeated action none would silently do nothing; 3.6-3.12 stop and
    # otopi fails its init; 3.13 keeps the first value and drops the rest of the file. The
    # group refuses it where otopi read it.
    before = state(host)
    lines = nfs_lines()
    key = extra.split("=")[0]
    first = 2 + [line.split("=")[0] for line in lines].index(key)
    result = host.run(unit_file(units, lines + [extra]))
    assert result.exit_code == 1, result.stdout[-3000:]
    assert "Failed to execute stage 'Initializing'" in result.stdout
    otopi_read_it = sys.version_info[0] == 2 or sys.version_info >= (3, 13)
    if otopi_read_it:
        assert ("sets {} twice in section [environment:default] (lines {} and {})".format(
            key, first, len(lines) + 2) in result.stdout), result.stdout[-3000:]
        assert "Fix: keep one line for {}.".format(key) in result.stdout
    assert state(host) == before
    assert host.read(host.conf) is None
    assert not host.read(host.lock)
    assert not [call for call in result.calls if not call.startswith("init")]


@pytest.mark.parametrize("statement,fragments", [
    ("OVIRT_HE_DEPLOY/serviceWaitSecond=int:300",
     ("OVIRT_HE_DEPLOY/serviceWaitSecond: is not a setting of ovirt-he-deploy, so nothing "
      "reads it; the setting OVIRT_HE_DEPLOY/serviceWaitSeconds keeps its default.",
      "rename it to OVIRT_HE_DEPLOY/serviceWaitSeconds (keys are case-sensitive)")),
    ("OVIRT_HE_DEPLOY/clearLocalMaintenance=str:False",
     # As text, "False" would be a true value: the flag the admin turned off would be on.
     ("OVIRT_HE_DEPLOY/clearLocalMaintenance: has type str, not bool.",
      "send it as OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True")),
    ("OVIRT_HE_DEPLOY/serviceWaitSeconds=str:300",
     ("OVIRT_HE_DEPLOY/serviceWaitSeconds: has type str, not int.",)),
    ("OVIRT_HE_DEPLOY/somethingElse=bool:True",
     ("OVIRT_HE_DEPLOY/somethingElse: is not a setting of ovirt-he-deploy, so nothing reads "
      "it. Fix: drop it;",)),
], ids=["typo", "bool-as-text", "int-as-text", "unknown"])
def test_a_setting_nothing_reads_or_of_the_wrong_type_is_refused(host, statement, fragments):
    before = state(host)
    result = host.run(NFS, statement)
    assert_refused(result, host, before, *fragments)


def test_settings_are_not_checked_when_nothing_is_done(host):
    # Action none: nothing reads our settings, so a host install never fails for them.
    result = host.run(None, "OVIRT_HE_DEPLOY/serviceWaitSecond=int:300")
    assert result.exit_code == 0, result.stdout[-3000:]
