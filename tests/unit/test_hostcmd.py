"""`ovirt-he-deploy host deploy|remove`: the otopi command line, and running it."""

import io
import json
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import threading

import he_host
import otopi_harness
import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import DOUBLE, PLUGINS

from ovirt_he_deploy import cli, hostcmd, installed

from .helpers import EXAMPLES, SRC

NFS = os.path.join(EXAMPLES, "nfs.conf")
ISCSI = os.path.join(EXAMPLES, "iscsi-chap.conf")
GROUP_WORDS = ["APPEND:BASE/pluginPath=str:" + PLUGINS,
               "APPEND:BASE/pluginGroups=str:ovirt-he-deploy",
               "CORE/logFileNamePrefix=str:ovirt-he-deploy"]

# A stand-in for otopi: records how it was called, prints FAKE_OTOPI_LINES (after the
# first one it waits for a line on stdin when FAKE_OTOPI_WAIT is set), then exits.
FAKE_OTOPI = r'''#!{python}
import json, os, signal, sys
units = {{}}
for word in " ".join(sys.argv[1:]).split():
    if word.startswith("CORE/configFileAppend=str:"):
        path = word.split(":", 1)[1]
        units[path] = [oct(os.stat(path).st_mode & 0o777), open(path).read()]
with open(os.environ["FAKE_OTOPI_RECORD"], "w") as stream:
    json.dump({{"argv": sys.argv[1:], "pythonpath": os.environ.get("PYTHONPATH"),
               "units": units}}, stream)
for number, line in enumerate(os.environ.get("FAKE_OTOPI_LINES", "").split("|")):
    if number == 1 and os.environ.get("FAKE_OTOPI_WAIT"):
        sys.stdout.write("got " + sys.stdin.readline())
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
if os.environ.get("FAKE_OTOPI_SIGNAL"):
    os.kill(os.getpid(), int(os.environ["FAKE_OTOPI_SIGNAL"]))
sys.exit(int(os.environ.get("FAKE_OTOPI_EXIT", "0")))
'''


@pytest.fixture
def fake_otopi(tmp_path, monkeypatch):
    path = tmp_path / "otopi"
    path.write_text(FAKE_OTOPI.format(python=sys.executable))
    path.chmod(0o700)
    record = tmp_path / "otopi-call.json"
    monkeypatch.setenv("FAKE_OTOPI_RECORD", str(record))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    return str(path), record


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def otopi_split(argv):
    """The statements otopi sees: its wrapper joins "$*" and Python shlex-splits it."""
    return shlex.split(" ".join(argv))


# -- the command line ----------------------------------------------------------------------


def test_dry_run_prints_the_exact_deploy_command_line(fake_otopi, capsys):
    otopi, record = fake_otopi
    code, out, err = run(["host", "deploy", NFS, "--dry-run", "--otopi", otopi], capsys)
    assert code == 0 and err == ""
    assert out == ("PYTHONPATH={} {} {} CORE/configFileAppend=str:{} "
                   "OVIRT_HE_DEPLOY/installMissingOnly=bool:True\n").format(
        SRC, otopi, " ".join(GROUP_WORDS), NFS)
    assert not record.exists()  # nothing ran


def test_clear_local_maintenance_flag_passes_the_opt_in(fake_otopi, capsys):
    otopi, record = fake_otopi
    code, out, err = run(["host", "deploy", NFS, "--dry-run", "--otopi", otopi,
                          "--clear-local-maintenance"], capsys)
    assert code == 0
    assert otopi_split(shlex.split(out)[2:])[-2:] == [
        "OVIRT_HE_DEPLOY/installMissingOnly=bool:True",
        "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True"]


def test_after_engine_role_flag_passes_the_engines_key(fake_otopi, capsys):
    otopi, record = fake_otopi
    code, out, err = run(["host", "deploy", NFS, "--dry-run", "--otopi", otopi,
                          "--after-engine-role"], capsys)
    assert code == 0
    assert otopi_split(shlex.split(out)[2:])[-2:] == [
        "OVIRT_HE_DEPLOY/installMissingOnly=bool:True",
        "OVIRT_HE_DEPLOY/engineRoleDeployed=bool:True"]


def test_dry_run_of_remove_passes_the_action_as_a_statement(fake_otopi, capsys):
    otopi, record = fake_otopi
    code, out, err = run(["host", "remove", "--dry-run", "--otopi", otopi,
                          "--otopi-statement", "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:300"],
                         capsys)
    assert code == 0
    words = shlex.split(out)
    assert words[:2] == ["PYTHONPATH=" + SRC, otopi]
    assert otopi_split(words[2:]) == GROUP_WORDS + [
        "HOSTED_ENGINE/action=str:remove",
        "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:300"]


def test_a_statement_with_blanks_reaches_otopi_as_one_statement(tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "my units" / 'he "unit".conf'
    unit.parent.mkdir()
    unit.write_bytes(open(NFS, "rb").read())
    code, out, err = run(["host", "deploy", str(unit), "--otopi", otopi], capsys)
    assert code == 0, err
    argv = json.loads(record.read_text())["argv"]
    assert otopi_split(argv)[-2] == "CORE/configFileAppend=str:" + str(unit)


@given(st.lists(st.text(st.characters(blacklist_characters="'", blacklist_categories=("Cc",)),
                        min_size=1), min_size=1, max_size=5))
def test_otopi_words_survive_otopis_join_and_split(statements):
    assert otopi_split([hostcmd.otopi_word(s) for s in statements]) == statements


@pytest.mark.parametrize("text", ["CORE/configFileAppend=str:/tmp/it's.conf",
                                  "X=str:a\nb", "X=str:\x7f"], ids=["quote", "lf", "del"])
def test_a_statement_otopi_cannot_take_is_refused_by_name(text):
    with pytest.raises(hostcmd.HostCommandError, match="cannot be passed to otopi"):
        hostcmd.otopi_word(text)


def test_a_unit_path_otopi_cannot_take_fails_before_running(tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "it's.conf"
    unit.write_bytes(open(NFS, "rb").read())
    code, out, err = run(["host", "deploy", str(unit), "--otopi", otopi], capsys)
    assert code == 1 and "a single quote" in err and not record.exists()


@pytest.mark.parametrize("statement, fragment", [
    ("FOO=bar", "no otopi type"), ("FOO=float:1", "unknown type"), ("FOO", "not an otopi"),
    ("=str:x", "not an otopi"), ("APPEND:=str:x", "not an otopi"), ("N=int:x", "not an int")])
def test_a_bad_extra_statement_is_a_usage_error(statement, fragment, fake_otopi, capsys):
    otopi, record = fake_otopi
    with pytest.raises(SystemExit) as caught:
        cli.main(["host", "remove", "--otopi", otopi, "--otopi-statement", statement])
    assert caught.value.code == 2
    assert fragment in capsys.readouterr().err
    assert not record.exists()


@pytest.mark.parametrize("command, statement, fragment", [
    pytest.param("remove", "HOSTED_ENGINE/actoin=str:remove",
                 "HOSTED_ENGINE/actoin: is not a deploy-unit key", id="misspelt-action"),
    pytest.param("remove", "APPEND:HOSTED-ENGINE/action=str:remove",
                 "rename HOSTED-ENGINE/action to HOSTED_ENGINE/action", id="hyphen-prefix"),
    pytest.param("deploy", "HOSTED_ENGINE_CONFIGS/host_id=str:3",
                 "rename HOSTED_ENGINE_CONFIGS/host_id to HOSTED_ENGINE_CONFIG/host_id",
                 id="config-prefix"),
    pytest.param("deploy", "OVIRT_HE_DEPLOY/serviceWaitSecond=int:300",
                 "rename it to OVIRT_HE_DEPLOY/serviceWaitSeconds", id="setting"),
    pytest.param("deploy", "OVIRT_HE_DEPLOY/clearLocalMaintenance=str:no",
                 "OVIRT_HE_DEPLOY/clearLocalMaintenance: has type str, not bool.",
                 id="setting-type"),
])
def test_a_misspelt_key_of_ours_in_a_statement_is_a_usage_error(command, statement, fragment,
                                                                fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = [NFS] if command == "deploy" else []
    with pytest.raises(SystemExit) as caught:
        cli.main(["host", command] + unit + ["--otopi", otopi, "--otopi-statement", statement])
    assert caught.value.code == 2
    assert fragment in capsys.readouterr().err
    assert not record.exists()


def test_a_misspelt_action_in_the_unit_is_refused_and_otopi_does_not_run(tmp_path, fake_otopi,
                                                                        capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "unit.conf"
    unit.write_text(open(NFS).read().replace("HOSTED_ENGINE/action=", "HOSTED_ENGINE/actoin="))
    code, out, err = run(["host", "deploy", str(unit), "--otopi", otopi], capsys)
    assert code == 1
    assert "HOSTED_ENGINE/actoin: is not a deploy-unit key" in err
    assert "rename it to HOSTED_ENGINE/action" in err
    assert not record.exists()


# -- the unit --------------------------------------------------------------------------------


def test_an_invalid_unit_is_refused_naming_the_key_and_otopi_does_not_run(
        tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "bad.conf"
    unit.write_text("".join(line for line in open(ISCSI) if "sdUUID" not in line))
    code, out, err = run(["host", "deploy", str(unit), "--otopi", otopi], capsys)
    assert code == 1 and "HOSTED_ENGINE_CONFIG/sdUUID" in err
    he_host.assert_no_secret(out, err)
    assert not record.exists()


def test_a_remove_unit_is_not_a_deploy_unit(tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "remove.conf"
    unit.write_text("[environment:default]\nHOSTED_ENGINE/action=str:remove\n")
    code, out, err = run(["host", "deploy", str(unit), "--otopi", otopi], capsys)
    assert code == 1 and "use `host remove`" in err and not record.exists()


def test_a_missing_unit_is_named(tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    code, out, err = run(["host", "deploy", str(tmp_path / "nope.conf"), "--otopi", otopi],
                         capsys)
    assert code == 1 and "cannot read" in err and "nope.conf" in err


@pytest.fixture
def unit_on_stdin(tmp_path, monkeypatch):
    """Standard input for `host deploy -`, and an empty temp dir for its private copy."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def give(text):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    return give, temp


def test_a_unit_on_standard_input_is_a_private_file_for_the_run_only(
        fake_otopi, unit_on_stdin, capsys):
    otopi, record = fake_otopi
    give, temp = unit_on_stdin
    text = open(ISCSI).read()
    give(text)
    code, out, err = run(["host", "deploy", "-", "--otopi", otopi], capsys)
    assert code == 0, err
    units = json.loads(record.read_text())["units"]
    assert list(units.values()) == [[oct(0o600), text]]
    assert os.path.dirname(list(units)[0]) == str(temp)
    assert os.listdir(str(temp)) == []
    he_host.assert_no_secret(out, err)


def test_an_invalid_unit_on_standard_input_is_refused_and_removed(
        fake_otopi, unit_on_stdin, capsys):
    otopi, record = fake_otopi
    give, temp = unit_on_stdin
    give("".join(line for line in open(ISCSI) if "sdUUID" not in line))
    code, out, err = run(["host", "deploy", "-", "--otopi", otopi], capsys)
    assert code == 1 and "HOSTED_ENGINE_CONFIG/sdUUID" in err
    assert not record.exists()
    assert os.listdir(str(temp)) == []


def test_a_refused_unit_on_standard_input_is_named_so_not_by_its_private_copy(
        fake_otopi, unit_on_stdin, capsys):
    otopi, record = fake_otopi
    give, temp = unit_on_stdin
    give(open(NFS).read().replace("HOSTED_ENGINE/action=str:deploy",
                                  "HOSTED_ENGINE/action=str:remove"))
    code, out, err = run(["host", "deploy", "-", "--otopi", otopi], capsys)
    assert code == 1
    assert "the unit on standard input asks for HOSTED_ENGINE/action=remove" in err
    assert str(temp) not in err and "-unit." not in err
    give("[environment:default]\nHOSTED_ENGINE/action=str:deploy\n"
         "HOSTED_ENGINE/action=str:none\n")
    code, out, err = run(["host", "deploy", "-", "--otopi", otopi], capsys)
    assert code == 1
    assert "of the unit on standard input (line 3)" in err, err
    assert str(temp) not in err
    assert not record.exists() and os.listdir(str(temp)) == []


def test_a_dry_run_of_a_unit_on_standard_input_is_a_usage_error(
        fake_otopi, unit_on_stdin, capsys):
    otopi, record = fake_otopi
    give, temp = unit_on_stdin
    give(open(NFS).read())
    with pytest.raises(SystemExit) as caught:
        cli.main(["host", "deploy", "-", "--dry-run", "--otopi", otopi])
    assert caught.value.code == 2
    assert "give the unit as a file" in capsys.readouterr().err
    assert not record.exists() and os.listdir(str(temp)) == []


def test_a_readable_unit_with_the_password_gets_a_note(tmp_path, fake_otopi, capsys):
    otopi, record = fake_otopi
    unit = tmp_path / "unit.conf"
    unit.write_bytes(open(ISCSI, "rb").read())
    unit.chmod(0o644)
    code, out, err = run(["host", "deploy", str(unit), "--dry-run", "--otopi", otopi], capsys)
    assert code == 0 and "chmod 0600" in err
    unit.chmod(0o600)
    assert "chmod" not in run(["host", "deploy", str(unit), "--dry-run", "--otopi", otopi],
                              capsys)[2]


# -- finding otopi and the group -------------------------------------------------------------


@pytest.fixture
def no_otopi(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(hostcmd, "OTOPI_FALLBACKS", (str(tmp_path / "sbin" / "otopi"),))


def test_without_otopi_the_command_says_so_and_fails(no_otopi, capsys):
    code, out, err = run(["host", "remove"], capsys)
    assert code == 1 and out == ""
    assert "otopi is not installed on this machine" in err
    assert "python3-otopi" in err and "--otopi PATH" in err


def test_without_otopi_a_dry_run_still_prints_the_line_with_a_note(no_otopi, capsys):
    code, out, err = run(["host", "remove", "--dry-run"], capsys)
    assert code == 0
    assert shlex.split(out)[1] == "otopi"
    assert "note: otopi is not installed on this machine" in err


def test_otopi_is_found_in_sbin_when_not_on_path(tmp_path, no_otopi, fake_otopi, monkeypatch,
                                                capsys):
    otopi, record = fake_otopi
    monkeypatch.setattr(hostcmd, "OTOPI_FALLBACKS", ("/nonexistent/otopi", otopi))
    code, out, err = run(["host", "remove", "--dry-run"], capsys)
    assert code == 0 and shlex.split(out)[1] == otopi


def test_an_explicit_otopi_that_does_not_exist_fails(tmp_path, capsys):
    code, out, err = run(["host", "remove", "--otopi", str(tmp_path / "otopi")], capsys)
    assert code == 1 and "no such executable" in err


def test_the_source_tree_group_is_found():
    assert installed.plugin_dir() == PLUGINS


def test_a_missing_group_names_every_directory_searched(tmp_path, monkeypatch, fake_otopi,
                                                        capsys):
    searched = [str(tmp_path / "a"), str(tmp_path / "b")]
    monkeypatch.setattr(installed, "candidate_plugin_dirs", lambda: searched)
    code, out, err = run(["host", "remove", "--otopi", fake_otopi[0]], capsys)
    assert code == 1 and not fake_otopi[1].exists()
    assert "plugin group ovirt-he-deploy is not installed" in err
    for path in searched:
        assert path in err


def test_an_installed_prefix_is_searched_before_the_system_ones():
    site = "/opt/venv/lib/python3.11/site-packages"
    dirs = installed.candidate_plugin_dirs(site)
    assert dirs[0] == "/opt/venv/lib/python3.11/site-packages/plugins"
    assert dirs[1] == "/opt/venv/share/ovirt-he-deploy/plugins"
    assert dirs[-2:] == ["/usr/local/share/ovirt-he-deploy/plugins",
                         "/usr/share/ovirt-he-deploy/plugins"]
    assert len(set(dirs)) == len(dirs)
    rpm = installed.candidate_plugin_dirs("/usr/lib/python3.9/site-packages")
    assert rpm[1] == "/usr/share/ovirt-he-deploy/plugins"


def test_pythonpath_is_left_alone_for_a_system_install(monkeypatch):
    site = "/usr/lib/python3.9/site-packages"
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)
    monkeypatch.setattr(installed.site, "getsitepackages", lambda: [site])
    assert installed.library_pythonpath(site) is None
    assert installed.library_pythonpath(SRC) == SRC


# -- running otopi ---------------------------------------------------------------------------


def test_success_passes_otopis_output_through_and_exits_0(fake_otopi, monkeypatch, capsys):
    otopi, record = fake_otopi
    monkeypatch.setenv("FAKE_OTOPI_LINES", "[ INFO  ] Stage: Initializing|[ INFO  ] done")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    code, out, err = run(["host", "deploy", NFS, "--otopi", otopi], capsys)
    assert (code, err) == (0, "")
    assert out == "[ INFO  ] Stage: Initializing\n[ INFO  ] done\n"
    call = json.loads(record.read_text())
    assert otopi_split(call["argv"]) == GROUP_WORDS + ["CORE/configFileAppend=str:" + NFS,
                                                       "OVIRT_HE_DEPLOY/installMissingOnly=bool:True"]
    assert call["pythonpath"] == SRC + os.pathsep + "/somewhere/else"


@pytest.mark.parametrize("status", [1, 2, 3])
def test_otopis_exit_status_is_passed_through_with_its_errors(status, fake_otopi, monkeypatch,
                                                              capsys):
    otopi, record = fake_otopi
    monkeypatch.setenv("FAKE_OTOPI_EXIT", str(status))
    monkeypatch.setenv("FAKE_OTOPI_LINES", "|".join([
        "[ INFO  ] Stage: Environment setup", "          Log file:",
        "          /var/tmp/ovirt-he-deploy-20260101000000-abcdef.log",
        "[ ERROR ] Failed to execute stage 'Closing up': Hosted Engine: broken",
        "***L:ERROR Internal error: group missing"]))
    code, out, err = run(["host", "remove", "--otopi", otopi], capsys)
    assert code == status
    assert "[ ERROR ] Failed to execute stage 'Closing up'" in out
    assert err.splitlines() == [
        "ovirt-he-deploy host remove: otopi failed (exit status {}):".format(status),
        "  Failed to execute stage 'Closing up': Hosted Engine: broken",
        "  Internal error: group missing",
        "  log: /var/tmp/ovirt-he-deploy-20260101000000-abcdef.log"]


def test_a_failure_without_error_lines_says_where_to_look(fake_otopi, monkeypatch, capsys):
    otopi, record = fake_otopi
    monkeypatch.setenv("FAKE_OTOPI_EXIT", "1")
    monkeypatch.setenv("FAKE_OTOPI_LINES", "          Log file: /tmp/ovirt-he-deploy-x.log")
    code, out, err = run(["host", "remove", "--otopi", otopi], capsys)
    assert code == 1
    assert "otopi printed no error line" in err and "log: /tmp/ovirt-he-deploy-x.log" in err


def test_otopi_killed_by_a_signal_exits_128_plus_the_signal(fake_otopi, monkeypatch, capsys):
    otopi, record = fake_otopi
    monkeypatch.setenv("FAKE_OTOPI_SIGNAL", str(int(signal.SIGTERM)))
    code, out, err = run(["host", "remove", "--otopi", otopi], capsys)
    assert code == 128 + signal.SIGTERM
    assert "exit status {}".format(128 + signal.SIGTERM) in err


def test_progress_is_streamed_while_otopi_runs_and_stdin_reaches_it(fake_otopi):
    """otopi waits for a line on stdin after its first line: that line must already be out."""
    otopi, record = fake_otopi
    env = dict(os.environ, PYTHONPATH=SRC, FAKE_OTOPI_WAIT="1",
               FAKE_OTOPI_LINES="first|second", FAKE_OTOPI_EXIT="4")
    process = subprocess.Popen(
        [sys.executable, "-m", "ovirt_he_deploy", "host", "remove", "--otopi", otopi],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, env=env)
    # Guard only: if the command buffered otopi's output this would hang, so give up
    # (and fail) rather than block the suite.
    guard = threading.Timer(120, process.kill)
    guard.start()
    try:
        first = process.stdout.readline()
        process.stdin.write("go\n")
        process.stdin.close()
        rest = process.stdout.read()
        err = process.stderr.read()
        code = process.wait()
    finally:
        guard.cancel()
    assert first == "first\n"
    assert rest == "got go\nsecond\n"
    assert code == 4 and "otopi failed (exit status 4)" in err


# -- end to end through the otopi double -----------------------------------------------------


def double_otopi(tmp_path):
    path = tmp_path / "bin" / "otopi"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\nPYTHONPATH={}${{PYTHONPATH:+:$PYTHONPATH}} exec {} -m otopi "
                    "\"$@\"\n".format(DOUBLE, sys.executable))
    path.chmod(stat.S_IRWXU)
    return str(path)


def host_options(host, otopi):
    ours = otopi_harness.group_statements(PLUGINS, he_host.GROUP)
    options = ["--otopi", otopi]
    for statement in host.statements():
        if statement not in ours:
            options += ["--otopi-statement", statement]
    return options


@pytest.fixture
def host(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("OTOPI_CONFIG", str(tmp_path / "no-otopi.conf"))
    return he_host.make_host(str(tmp_path / "host"))


def test_deploy_and_remove_through_the_otopi_double(tmp_path, host, capsys):
    options = host_options(host, double_otopi(tmp_path))
    code, out, err = run(["host", "deploy", ISCSI] + options, capsys)
    assert code == 0, out + err
    assert host.read(host.conf) == he_host.expected_conf(ISCSI)
    assert "Hosted Engine: deploying host_id 3 on iscsi storage" in out
    he_host.assert_no_secret(out, err, *(open(os.path.join(host.logdir, name)).read()
                                         for name in os.listdir(host.logdir)))
    assert all(name.startswith("ovirt-he-deploy-") for name in os.listdir(host.logdir))
    code, out, err = run(["host", "remove"] + options, capsys)
    assert code == 0, out + err
    assert not os.path.exists(host.conf)
    he_host.assert_no_secret(out, err)


def test_a_failing_service_through_the_otopi_double_is_summed_up(tmp_path, host, capsys):
    options = host_options(host, double_otopi(tmp_path))
    code, out, err = run(["host", "deploy", NFS, "--otopi-statement",
                          "HE_FAKES/failStart=str:ovirt-ha-agent"] + options, capsys)
    assert code == 1
    assert err.startswith("ovirt-he-deploy host deploy: otopi failed (exit status 1):\n"
                          "  Failed to execute stage 'Closing up': Hosted Engine: "
                          "ovirt-ha-agent failed to start")


def test_deploy_through_the_real_otopi(tmp_path, host, monkeypatch, capsys):
    tree = os.environ.get("OTOPI_TREE")
    if not tree:
        pytest.skip("OTOPI_TREE is not set: the real otopi run needs an otopi source tree")
    pytest.importorskip("distro", reason="the real otopi needs the distro module")
    monkeypatch.setenv("OTOPI_PYTHON", sys.executable)
    if os.geteuid() != 0:
        monkeypatch.setenv("OTOPI_NONROOT", "1")
    options = host_options(host, os.path.join(tree, "src", "bin", "otopi"))
    code, out, err = run(["host", "deploy", ISCSI] + options, capsys)
    assert code == 0, out + err
    assert host.read(host.conf) == he_host.expected_conf(ISCSI)
    logs = os.listdir(host.logdir)
    assert len(logs) == 1 and logs[0].startswith("ovirt-he-deploy-")
    assert "Log file: " + os.path.join(host.logdir, logs[0]) in " ".join(out.split())
    he_host.assert_no_secret(out, err, open(os.path.join(host.logdir, logs[0])).read())
    code, out, err = run(["host", "deploy", NFS, "--otopi-statement",
                          "HE_FAKES/failStart=str:ovirt-ha-agent"] + options, capsys)
    assert code == 1
    assert "Hosted Engine: ovirt-ha-agent failed to start" in err
    assert "  log: " + host.logdir in err


@pytest.mark.parametrize("make", [
    pytest.param(lambda path: None, id="missing"),
    pytest.param(lambda path: path.mkdir(), id="a-directory"),
    pytest.param(lambda path: path.write_text(""), id="empty"),
])
def test_a_unit_that_is_not_there_fails_where_raw_otopi_only_warns(make, tmp_path, host, capsys):
    """The raw otopi line with a mistyped unit path exits 0 having done nothing (otopi only
    warns about a missing config file); `host deploy` fails and never starts otopi."""
    unit = tmp_path / "he-unit.conf"
    make(unit)
    raw = host.run(str(unit))
    if unit.exists():
        assert raw.exit_code != 0 or host.read(host.conf) is None
    else:
        assert raw.exit_code == 0 and host.read(host.conf) is None
    before = sorted(os.listdir(host.logdir))
    for dry_run in ([], ["--dry-run"]):
        code, out, err = run(["host", "deploy", str(unit)] + dry_run +
                             host_options(host, double_otopi_once(tmp_path)), capsys)
        assert code == 1 and out == ""
        assert str(unit) in err and ("cannot read" in err or "no [environment:default]" in err)
    assert sorted(os.listdir(host.logdir)) == before  # otopi did not run
    assert host.read(host.conf) is None


def double_otopi_once(tmp_path):
    path = tmp_path / "bin" / "otopi"
    return str(path) if path.exists() else double_otopi(tmp_path)
