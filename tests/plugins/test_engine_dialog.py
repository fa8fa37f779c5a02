# -*- coding: utf-8 -*-
"""The deploy unit handed over the machine dialog, exactly as ovirt-engine's VdsDeploy does."""

import otopi_harness
from he_host import SECRET_PASSWORD, assert_no_secret, example, expected_conf, unit_environment


def engine_vector(unit_path):
    """One env-query per key, the action first, then noop (engine-deploy-unit.md §1.4)."""
    environment = unit_environment(unit_path)
    vector = [("env-query -k HOSTED_ENGINE/action",
               "str:" + environment.pop("HOSTED_ENGINE/action"))]
    vector += [("env-query -k " + key, "str:" + str(value))
               for key, value in sorted(environment.items())]
    return ["env-get -k CORE/logFileName"] + vector + ["noop"]


def test_engine_dialog_deploys_iscsi_without_leaking_the_password(host):
    driver = otopi_harness.EngineDriver(
        host.statements(),
        customization=engine_vector(example("iscsi-chap.conf")),
        os_env={"PYTHONPATH": ":".join((otopi_harness.DOUBLE_DIR, host_src()))},
    )
    result = driver.run()
    assert result.exit_code == 0, result.log_file_text[-3000:]
    assert result.values["BASE/error"] is False
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
    assert any("VALUE HOSTED_ENGINE_CONFIG/password=str:" + SECRET_PASSWORD in line
               for line in result.sent)
    assert "DIALOG:RECEIVE" in result.log_file_text
    assert_no_secret(result.log_file_text, result.log_text)


def test_engine_dialog_remove(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    driver = otopi_harness.EngineDriver(
        host.statements(),
        customization=[("env-query -k HOSTED_ENGINE/action", "str:remove"), "noop"],
        os_env={"PYTHONPATH": ":".join((otopi_harness.DOUBLE_DIR, host_src()))},
    )
    result = driver.run()
    assert result.exit_code == 0
    assert host.read(host.conf) is None
    assert host.read(host.conf + ".undeployed") is not None


def host_src():
    from paths import SRC
    return SRC
