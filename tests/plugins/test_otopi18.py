"""The group under otopi 1.8 (the double's 1.8 mode, otopi/emulation.py), as the bundle of
engines 4.0-4.3 runs it on EL7 hosts: whatever OTOPI_DOUBLE_VERSION says for the rest."""

import os

import otopi_harness
import pytest
from he_host import SECRET_PASSWORD, assert_no_secret, example, expected_conf, real
from paths import SRC

pytestmark = pytest.mark.skipif(real(), reason="the real otopi tree decides its version")
V18 = {otopi_harness.DOUBLE_VERSION_ENV: "1.8"}
V110 = {otopi_harness.DOUBLE_VERSION_ENV: "1.10"}


def test_the_engine_dialog_password_stays_out_of_the_log_under_1_8(host):
    """otopi 1.8 empties CORE/logFilterRe when the log starts; the group adds its regexp
    again right after, in BOOT, so the machine dialog's RECEIVE line is filtered all the same."""
    driver = otopi_harness.EngineDriver(
        host.statements(),
        customization=[
            ("env-query -k HOSTED_ENGINE/action", "str:deploy"),
            ("env-query -k HOSTED_ENGINE_CONFIG/password", "str:" + SECRET_PASSWORD),
            "noop"],
        os_env=dict(V18, PYTHONPATH=os.pathsep.join((otopi_harness.DOUBLE_DIR, SRC))),
    )
    result = driver.run()
    assert "DIALOG:RECEIVE" in result.log_file_text
    assert "HOSTED_ENGINE_CONFIG/password=str:**FILTERED**" in result.log_file_text
    assert_no_secret(result.log_file_text, result.log_text)


def test_deploy_and_remove_beside_ovirt_host_deploy_under_1_8(host):
    host.with_host_deploy = True
    host.owner = host.group = None
    result = host.run(example("iscsi-chap.conf"), os_env=V18)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert result.environment["INFO/PACKAGE_VERSION"] == "1.8.4-double"
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
    result = host.run(None, "HOSTED_ENGINE/action=str:remove", os_env=V18)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.commands()[-1]["running"] == ["ovirt-ha-broker", "vdsmd"]
    assert host.read(host.conf) is None


def test_a_value_holding_percent_paren_stops_otopi_1_8_before_the_group(host, tmp_path):
    """otopi 1.8 on Python 2 %-formats any config value holding '%(' (no escape works): the
    host install fails in INIT, before the group sees the unit. 1.10 reads raw values, and
    the group refuses the value itself ('(' is a shell operator in a file bash sources)."""
    unit = tmp_path / "unit.conf"
    with open(example("iscsi-chap.conf")) as stream:
        text = stream.read()
    unit.write_text(text.replace(SECRET_PASSWORD, "pa%(ss)word"))
    result = host.run(str(unit), os_env=V18)
    assert result.exit_code == 1
    assert "Bad value substitution" in result.log_text
    assert "deploy unit is invalid" not in result.stdout
    assert host.read(host.conf) is None
    result = host.run(str(unit), os_env=V110)
    assert result.exit_code == 1
    assert "HOSTED_ENGINE_CONFIG/password: value (hidden) has the unquoted shell operator" in (
        result.stdout)
