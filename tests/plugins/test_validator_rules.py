"""The validator's rules through the plugin group (STAGE_VALIDATION): each refusal stops the
run before anything changes, naming the key; the accepted shell classes deploy as written,
with a warning that never shows the secret; messages never carry raw control characters."""

import os

try:
    from shlex import quote
except ImportError:  # Python 2.7
    from pipes import quote

import pytest
from he_host import (
    SECRET_PASSWORD,
    assert_no_secret,
    example,
    native_text,
    typed,
    unit_environment,
)

from ovirt_he_deploy.compat import ascii
from ovirt_he_deploy.unit import DeployUnit

NFS = example("nfs.conf")
ISCSI = example("iscsi-chap.conf")
ESC = "\x1b"


def base(unit_path):
    return dict(DeployUnit.from_environment(unit_environment(unit_path)).config)


def write_unit(directory, values, action="deploy"):
    """An otopi config file with the action and the values (None: absent)."""
    path = os.path.join(str(directory), "unit.conf")
    lines = ["[environment:default]"]
    if action is not None:
        lines.append("HOSTED_ENGINE/action=str:{}".format(action))
    lines += ["HOSTED_ENGINE_CONFIG/{}={}".format(key, typed(value))
              for key, value in values.items() if value is not None]
    with open(path, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


@pytest.fixture
def units(tmp_path_factory):
    """A directory for unit files outside the fake host's root."""
    return tmp_path_factory.mktemp("units")


def state(host):
    return {path: host.read(os.path.join(host.root, path)) for path in host.files()}


# One refusal per kind of rule, on the example a real cluster would send.
REFUSALS = [
    pytest.param(ISCSI, {"password": "Pw;reboot"}, "password", "operator ';'",
                 id="password-runs-a-command"),
    pytest.param(ISCSI, {"password": "Pw'word"}, "password", "unbalanced single quote",
                 id="password-unbalanced-quote"),
    pytest.param(ISCSI, {"password": "Pw\\"}, "password", "trailing backslash",
                 id="password-trailing-backslash"),
    pytest.param(ISCSI, {"password": '"Pw$(id)"'}, "password", "'$('",
                 id="password-substitution-in-quotes"),
    pytest.param(ISCSI, {"storage": "192.0.2.20,192.0.2.21", "port": "3260,3260",
                         "iqn": "iqn.2024-01.com.example:a,iqn.2024-01.com.example:b"},
                 "iqn", "has 2 targets", id="multi-target-portal-count"),
    pytest.param(ISCSI, {"user": None}, "user", "is empty while password is set",
                 id="chap-half"),
    pytest.param(ISCSI, {"iscsi_paths_blacklist": "eth1<>192.0.2.20,"},
                 "iscsi_paths_blacklist", "has no '<>'", id="blacklist-trailing-comma"),
    pytest.param(NFS, {"sdUUID": "7B2C3D4E-0004-4B6C-9D0E-1F2A3B4C5D6E"}, "sdUUID",
                 "upper-case", id="upper-case-sdUUID"),
    pytest.param(NFS, {"fqdn": "2001:db8::5"}, "fqdn", "check-liveliness", id="fqdn-ipv6"),
    pytest.param(NFS, {"nfs_version": "v5"}, "nfs_version", "NFS version '5'",
                 id="nfs-version"),
    pytest.param(NFS, {"conf": "/var/run/$x/vm.conf"}, "conf", "read differently by bash",
                 id="conf-bash"),
    pytest.param(NFS, {"host_id": "0"}, "host_id", "between 1 and 2000", id="host-id"),
    pytest.param(NFS, {"mnt_options": "soft timeo=10"}, "mnt_options", "unquoted blank",
                 id="blank"),
]


@pytest.mark.parametrize("unit_path, changes, key, fragment", REFUSALS)
def test_group_refuses_in_validation_and_changes_nothing(unit_path, changes, key, fragment,
                                                         host, units):
    values = base(unit_path)
    values.update(changes)
    before = state(host)
    result = host.run(write_unit(units, values))
    assert result.exit_code == 1, result.stdout[-3000:]
    named = "HOSTED_ENGINE_CONFIG/{}:".format(key)
    lines = [line for line in (result.stdout + result.log_text).splitlines() if named in line]
    assert lines and any(fragment in line for line in lines), result.stdout[-3000:]
    assert state(host) == before
    assert host.read(host.conf) is None
    assert not host.read(host.lock)
    assert_no_secret(result.stdout, result.log_text, result.stderr)
    if key == "password":
        assert changes[key] not in result.stdout + result.log_text


@pytest.mark.parametrize("password", [
    pytest.param("Pw$HOME", id="dollar-name"),
    pytest.param("'Pw word'", id="quoted-blank"),
    pytest.param("Pw\\x", id="backslash"),
    pytest.param("~root", id="leading-tilde"),
    pytest.param("$'Pw\\x41'", id="ansi-c"),
])
def test_group_deploys_an_accepted_chap_password_as_written(password, host, units):
    values = base(ISCSI)
    values["password"] = password
    result = host.run(write_unit(units, values))
    assert result.exit_code == 0, result.stdout[-3000:]
    conf = host.read(host.conf).decode("ascii")
    assert "\npassword={}\n".format(password) in conf
    text = result.stdout + result.log_text
    assert "password: hosted-engine's bash reads another value" in text
    assert password not in text
    assert_no_secret(result.stdout, result.log_text, result.stderr)


def test_group_deploys_single_target_with_fewer_ports_than_portals_and_says_what_is_used(
        host, units):
    values = base(ISCSI)
    values.update(storage="192.0.2.20,192.0.2.21,192.0.2.22", port="3260")
    result = host.run(write_unit(units, values))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "\nstorage=192.0.2.20,192.0.2.21,192.0.2.22\n" in host.read(host.conf).decode()
    warning = [line for line in result.stdout.splitlines() if "port only 1" in line]
    assert len(warning) == 1 and "WARNING" in warning[0], result.stdout[-3000:]
    assert "connects only 192.0.2.20:3260; 192.0.2.21, 192.0.2.22 are not used" in warning[0]
    assert_no_secret(result.stdout, result.log_text, result.stderr)


@pytest.mark.parametrize("action", [None, "none"], ids=["absent", "none"])
def test_group_does_nothing_for_config_keys_without_an_action_and_says_so(action, host, units):
    before = state(host)
    result = host.run(write_unit(units, base(NFS), action=action))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert state(host) == before
    warning = [line for line in result.stdout.splitlines() if "will not be used" in line]
    assert len(warning) == 1 and "WARNING" in warning[0]
    assert "HOSTED_ENGINE_CONFIG/* keys will not be used: HOSTED_ENGINE/action is none " \
        "(absent means none)" in warning[0]
    assert "HOSTED_ENGINE_CONFIG/host_id" in warning[0]
    assert "Set HOSTED_ENGINE/action=str:deploy to deploy them" in warning[0]


def test_group_says_config_keys_are_not_used_by_remove(host, units):
    result = host.run(write_unit(units, base(ISCSI), action="remove"))
    assert result.exit_code == 0, result.stdout[-3000:]
    text = result.stdout + result.log_text
    assert "HOSTED_ENGINE_CONFIG/* keys will not be used: HOSTED_ENGINE/action is remove" in text
    assert SECRET_PASSWORD not in text


@pytest.mark.parametrize("key, value", [
    pytest.param("host\x1b[2Jid", "str:2", id="esc-in-key"),
    pytest.param("fqdn", "str:engine\x1b]0;owned\x07.example.com", id="osc-in-value"),
    pytest.param(native_text(u"bad\u202ekey"), "str:1", id="bidi-in-key"),
])
def test_group_messages_carry_no_raw_control_characters(key, value, host):
    before = state(host)
    statement = "HOSTED_ENGINE_CONFIG/{}={}".format(key, quote(value))
    result = host.run(NFS, statement)
    assert result.exit_code == 1
    ours = [line for line in (result.stdout + result.log_text).splitlines()
            if "Fix:" in line or "HOSTED_ENGINE_CONFIG/" in line and "invalid" in line]
    assert ours
    for line in ours:
        assert ESC not in line and "\x07" not in line, ascii(line)
        assert native_text(u"\u202e") not in line, ascii(line)
    assert state(host) == before
