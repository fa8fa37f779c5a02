"""The CHAP password and user: in no log, output or exception, in any form; files that
hold them never readable beyond the plan's mode."""

import os
import stat

import otopi_harness
import pytest
from he_host import SECRET_PASSWORD, expected_conf
from paths import DOUBLE, SRC

from ovirt_he_deploy import cli

from .support import (
    CORPUS,
    OLD_CONF,
    assert_no_secret_in_run,
    assert_no_secret_in_text,
    example,
    failed_stage,
    write,
)

ISCSI = example("iscsi-chap.conf")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_conf_and_previous_copy_are_0440_even_over_a_world_readable_conf(host):
    write(host.conf, OLD_CONF, 0o644)
    result = host.run(ISCSI)
    assert result.exit_code == 0
    assert mode(host.conf) == 0o440
    assert mode(host.conf + ".previous") == 0o440
    assert_no_secret_in_run(result, host)


def test_undeployed_copy_is_0440(host):
    assert host.run(ISCSI).exit_code == 0
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0
    assert mode(host.conf + ".undeployed") == 0o440
    assert_no_secret_in_run(result, host)


def test_int_typed_password_keeps_the_log_and_the_secret_filtered(host, capfd):
    """otopi's key filter needs str values: an int used to wipe out the whole log."""
    result = host.run(ISCSI, "HOSTED_ENGINE_CONFIG/password=int:98765432")
    _out, err = capfd.readouterr()
    assert result.exit_code == 0, result.stdout[-2000:]
    assert "Logging error" not in err
    assert "Stage: Setup validation" in result.log_text
    assert b"\npassword=98765432\n" in host.read(host.conf)
    assert_no_secret_in_run(result, host, extra=("98765432",))
    assert "98765432" not in err


@pytest.mark.parametrize("statement", ["HOSTED_ENGINE_CONFIG/password=bool:True",
                                       "HOSTED_ENGINE_CONFIG/user=multi-str:a"],
                         ids=["password-bool", "user-multi-str"])
def test_secret_of_another_type_is_refused_in_validation(host, capfd, statement):
    result = host.run(ISCSI, statement)
    _out, err = capfd.readouterr()
    assert result.exit_code == 1
    assert failed_stage(result) == "validation"
    assert statement.split("=")[0] in result.stdout
    assert "Logging error" not in err
    assert host.read(host.conf) is None
    assert_no_secret_in_run(result, host)


def test_cli_output_never_shows_the_secret(tmp_path, capsys):
    assert cli.main(["check", ISCSI]) == 0
    assert cli.main(["preview", ISCSI, "--root", str(tmp_path / "preview")]) == 0
    out, err = capsys.readouterr()
    assert_no_secret_in_text(out, err)
    conf = tmp_path / "preview" / "etc/ovirt-hosted-engine/hosted-engine.conf"
    assert mode(str(conf)) == 0o440
    refused = os.path.join(CORPUS, "value-password-semicolon.conf")
    assert cli.main(["check", refused]) == 1
    out, err = capsys.readouterr()
    assert "(hidden)" in err
    assert_no_secret_in_text(out, err, extra=("Hx9;pw",))


def test_answer_file_is_0600_and_the_command_says_nothing_secret(tmp_path, capsys):
    source = tmp_path / "running-host.conf"
    source.write_bytes(expected_conf(ISCSI))
    answer = tmp_path / "answer.conf"
    answer.write_text("stale, world readable\n")
    os.chmod(str(answer), 0o644)
    code = cli.main(["answer-file", "--from-conf", str(source), "--host-id", "5",
                     "-o", str(answer)])
    out, err = capsys.readouterr()
    assert code == 0
    assert mode(str(answer)) == 0o600
    assert SECRET_PASSWORD in answer.read_text()
    assert_no_secret_in_text(out, err)


def test_secrets_over_the_machine_dialog_stay_out_of_the_log(host):
    """The engine's way: env-query for the password, then for a refused user."""
    statements = host.statements(ISCSI)
    result = otopi_harness.EngineDriver(
        statements,
        customization=[("env-query -k HOSTED_ENGINE_CONFIG/password", "str:Dlg-Pw.77x"),
                       ("env-query -k HOSTED_ENGINE_CONFIG/user", "str:dlg usr;x")],
        os_env={"OTOPI_CONFIG": os.path.join(host.root, "no-otopi.conf"),
                "PYTHONPATH": os.pathsep.join((DOUBLE, SRC))},
    ).run()
    assert not result.timed_out
    assert result.exit_code == 1
    assert "HOSTED_ENGINE_CONFIG/user" in "\n".join(result.received)
    assert host.read(host.conf) is None
    assert_no_secret_in_run(result, host, extra=("Dlg-Pw.77x", "dlg usr;x"))
