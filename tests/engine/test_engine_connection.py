"""Login, TLS, secrets and the lazy SDK import of the engine commands."""

import os
import subprocess
import sys

import pytest

from ovirt_he_deploy import cli
from ovirt_he_deploy.engine import hosts

from .conftest import PASSWORD, TESTS


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
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
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
