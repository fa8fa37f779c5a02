"""Login, TLS, secrets and the lazy SDK import of the engine commands."""

import os
import subprocess
import sys

import pytest

from .conftest import PASSWORD, SDK_MISSING, TESTS

pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)

from ovirt_he_deploy import cli  # noqa: E402
from ovirt_he_deploy.engine import connection, hosts  # noqa: E402


def test_wrong_password_is_refused_with_the_sso_message(engine, run):
    result = run(engine, "status", password="wrong-password")
    assert result.code == 1
    assert "refused the login of admin@internal" in result.err
    assert "The username or password is incorrect" in result.err
    assert "wrong-password" not in result.text
    assert not engine.find("GET", "/api/hosts")


def test_tls_without_ca_file_fails_verification(tls_engine, run):
    tls_engine.add_host("he-1", he=True)
    result = run(tls_engine, "status")
    assert result.code == 1
    assert "TLS verification of {} failed".format(tls_engine.url) in result.err
    assert "--ca-file" in result.err
    assert not tls_engine.find("GET", "/api/hosts")


def test_tls_with_ca_file_succeeds(tls_engine, run, pki):
    tls_engine.add_host("he-1", he=True)
    result = run(tls_engine, "status", "--ca-file", pki.ca_file)
    assert result.code == 0, result.err
    assert "he-1" in result.out
    assert "warning" not in result.err


def test_insecure_warns_and_skips_verification(tls_engine, run):
    tls_engine.add_host("he-1", he=True)
    result = run(tls_engine, "status", "--insecure")
    assert result.code == 0, result.err
    assert "warning: --insecure" in result.err
    assert "he-1" in result.out


def test_insecure_and_ca_file_together_are_a_usage_error(engine, run, pki):
    result = run(engine, "status", "--insecure", "--ca-file", pki.ca_file)
    assert result.code == 2
    assert "contradict" in result.err


def test_password_file_is_used_and_its_content_never_printed(engine, run, tmp_path,
                                                             monkeypatch):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    engine.add_host("he-1", he=True)
    result = run(engine, "status", "--password-file", str(secret), password="ignored")
    assert result.code == 0, result.err
    monkeypatch.delenv("OVIRT_ENGINE_PASSWORD")
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    failed = run(engine, "status", "--password-file", str(wrong), password="")
    assert failed.code == 1
    assert "not-the-password" not in failed.text
    assert PASSWORD not in result.text + failed.text


def test_no_password_is_a_usage_error_and_argv_has_no_password_option(engine, run, capsys):
    result = run(engine, "status", password="")
    assert result.code == 2
    assert "--password-file" in result.err and "OVIRT_ENGINE_PASSWORD" in result.err
    # Not even as an abbreviation of --password-file (which would echo the "file name").
    with pytest.raises(SystemExit) as usage:
        cli.main(["engine", "status", "--engine-url", engine.url, "--password", "pw-on-argv"])
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert "never taken from the command line" in err
    assert "pw-on-argv" not in err


def test_engine_without_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as usage:
        cli.main(["engine"])
    assert usage.value.code == 2


def test_bad_engine_url_is_a_usage_error(engine, run):
    result = run(engine, "status", url="ftp://engine.example.com")
    assert result.code == 2
    assert "is not an http(s) URL" in result.err


def test_missing_sdk_says_what_to_install(engine, run, monkeypatch):
    monkeypatch.setitem(sys.modules, "ovirtsdk4", None)
    result = run(engine, "status")
    assert result.code == 1
    assert "ovirt-engine-sdk-python" in result.err
    assert "ovirt-he-deploy-engine" in result.err
    assert not engine.requests


def test_importing_the_cli_does_not_import_the_sdk():
    code = ("import sys; sys.modules['ovirtsdk4'] = None\n"
            "import ovirt_he_deploy.engine.cli, ovirt_he_deploy.cli as c\n"
            "c.build_parser().parse_args(['engine', 'status'])\n"
            "print('ok')\n")
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(TESTS), "src"))
    done = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_ctrl_c_still_closes_the_connection(engine, run, monkeypatch):
    real_list_states = hosts.list_states

    def interrupted(connection):
        real_list_states(connection)
        raise KeyboardInterrupt
    monkeypatch.setattr(hosts, "list_states", interrupted)
    result = run(engine, "status")
    assert result.code == 130
    assert engine.find("GET", "/api/hosts")
    assert engine.find("POST", "/ovirt-engine/services/sso-logout")


def test_a_missing_ca_file_is_a_usage_error_naming_it(engine, run, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    result = run(engine, "status", "--ca-file", missing)
    assert result.code == 2
    assert "--ca-file {} is not a file".format(missing) in result.err
    assert not engine.requests


# -- 12: messages ------------------------------------------------------------------------

def test_password_file_help_says_the_variable_holds_the_password_itself(capsys):
    with pytest.raises(SystemExit):
        cli.main(["engine", "status", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "file whose first line is the password (default: the password itself from " \
           "$OVIRT_ENGINE_PASSWORD)" in help_text


def test_no_tls_hint_for_an_engine_message_that_mentions_a_certificate(engine, run):
    engine.faults["GET /hosts"] = (409, "Operation Failed",
                                   "[Cannot enroll certificate for Host he-1.]")
    result = run(engine, "status")
    assert result.code == 1
    assert "the engine at {} reported an error".format(engine.url) in result.err
    assert "Cannot enroll certificate for Host he-1." in result.err
    assert "TLS" not in result.err and "--ca-file" not in result.err


def test_tls_failures_are_recognised_by_their_curl_code():
    import ovirtsdk4
    tls = ovirtsdk4.Error("Error while sending HTTP request: (60, 'SSL certificate problem: "
                          "unable to get local issuer certificate')")
    refused = ovirtsdk4.ConnectionError("Error while sending HTTP request: (7, 'Failed to "
                                        "connect to engine port 443: Connection refused')")
    fault = ovirtsdk4.Error("Fault reason is \"Operation Failed\". Fault detail is \"[Cannot "
                            "enroll certificate (35, 'x')]\". HTTP response code is 409.",
                            code=409)
    assert connection.is_tls_failure(tls)
    assert not connection.is_tls_failure(refused)
    assert not connection.is_tls_failure(fault)
