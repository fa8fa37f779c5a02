"""The ovirt-he-deploy command line: check, preview, answer-file (through cli.main)."""

import argparse
import io
import os
import stat
import subprocess
import sys
import tempfile

import pytest

from ovirt_he_deploy import (
    answerfile,
    cli,
    hostfacts,
    otopiconf,
    plan,
    render,
    rootdir,
    validation,
)

from .helpers import EXAMPLES, GOLDEN, PASSWORD, SRC, config, valid

NFS_UNIT = os.path.join(GOLDEN, "nfs.unit.conf")
ISCSI_UNIT = os.path.join(GOLDEN, "iscsi-chap.unit.conf")
CONF = "etc/ovirt-hosted-engine/hosted-engine.conf"
HA_CONF = "var/lib/ovirt-hosted-engine-ha/ha.conf"
LIBRARY_COMMANDS = ["check", "preview", "answer-file"]


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    out, err = capsys.readouterr()
    return caught.value.code, err


def snapshot(*directories):
    """Every path below the directories, with size and mode."""
    seen = {}
    for directory in directories:
        for base, dirs, files in os.walk(str(directory)):
            for name in dirs + files:
                path = os.path.join(base, name)
                status = os.lstat(path)
                seen[path] = (status.st_size, status.st_mode)
    return seen


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A private cwd and TMPDIR, so 'writes nothing outside' can be checked."""
    cwd = tmp_path / "cwd"
    tmp = tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(str(cwd))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return tmp_path


def write_unit(path, values, action="deploy"):
    text = "[environment:default]\nHOSTED_ENGINE/action=str:{}\n".format(action)
    text += "".join("HOSTED_ENGINE_CONFIG/{}={}\n".format(k, otopiconf.format_typed(v))
                    for k, v in values.items())
    path.write_text(text)
    return str(path)


# -- check -------------------------------------------------------------------------------


@pytest.mark.parametrize("path, summary", [
    pytest.param(NFS_UNIT, "valid: action deploy, host_id 2, domainType nfs, 26 keys, "
                 "unknown keys kept: site_owner zz_site_note", id="golden-nfs"),
    pytest.param(ISCSI_UNIT, "valid: action deploy, host_id 3, domainType iscsi, 25 keys",
                 id="golden-iscsi"),
    pytest.param(os.path.join(EXAMPLES, "nfs.conf"),
                 "valid: action deploy, host_id 2, domainType nfs, 24 keys", id="example-nfs"),
    pytest.param(os.path.join(EXAMPLES, "iscsi-chap.conf"),
                 "valid: action deploy, host_id 3, domainType iscsi, 24 keys",
                 id="example-iscsi"),
])
def test_check_valid_unit_prints_the_summary(path, summary, capsys):
    code, out, err = run(["check", path], capsys)
    assert code == 0
    assert out == summary + "\n"


def test_check_reports_notes_and_warnings_on_stderr(tmp_path, capsys):
    path = write_unit(tmp_path / "u.conf", config(host_id="300", console="vnc"))
    code, out, err = run(["check", path], capsys)
    assert code == 0 and out.startswith("valid: action deploy, host_id 300")
    assert "warning: host_id=300 is above 250" in err
    assert "note: console dropped" in err


@pytest.mark.parametrize("action", ["remove", "none"])
def test_check_other_actions(action, tmp_path, capsys):
    path = write_unit(tmp_path / "u.conf", {}, action=action)
    assert run(["check", path], capsys)[:2] == (0, "valid: action {}\n".format(action))


def test_check_lists_every_problem_and_exits_1(tmp_path, capsys):
    path = write_unit(tmp_path / "u.conf", config(
        "iscsi", host_id="0", spUUID=None, password="bad pass;word", storage="a b"))
    code, out, err = run(["check", path], capsys)
    assert code == 1 and out == ""
    assert "invalid (4 problems)" in err
    for key in ("host_id", "spUUID", "password", "storage"):
        assert "HOSTED_ENGINE_CONFIG/{}:".format(key) in err
    assert "bad pass;word" not in err


@pytest.mark.parametrize("text, fragment", [
    pytest.param("[environment:default]\nHOSTED_ENGINE/action=deploy\n", "no otopi type",
                 id="untyped"),
    pytest.param("HOSTED_ENGINE/action=str:deploy\n", "not an otopi config file",
                 id="no-section"),
    pytest.param("[environment:default]\nA=str:1\nA=str:2\n", "is set twice", id="dup"),
])
def test_check_bad_config_file_exits_1(text, fragment, tmp_path, capsys):
    path = tmp_path / "u.conf"
    path.write_text(text)
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1 and fragment in err


def test_check_missing_file_exits_1(tmp_path, capsys):
    code, out, err = run(["check", str(tmp_path / "nope.conf")], capsys)
    assert code == 1 and "cannot read" in err and "nope.conf" in err


@pytest.mark.parametrize("argv", [
    pytest.param([], id="no-command"),
    pytest.param(["bogus"], id="unknown-command"),
    pytest.param(["check"], id="check-without-unit"),
    pytest.param(["check", "a", "b"], id="check-two-units"),
    pytest.param(["preview"], id="preview-without-unit"),
    pytest.param(["answer-file", "--host-id", "2"], id="answer-file-without-from-conf"),
    pytest.param(["answer-file", "--from-conf", "x"], id="answer-file-without-host-id"),
    pytest.param(["answer-file"], id="answer-file-without-anything"),
    pytest.param(["answer-file", "--remove", "--from-conf", "x"], id="remove-with-from-conf"),
    pytest.param(["answer-file", "--remove", "--host-id", "2"], id="remove-with-host-id"),
    pytest.param(["answer-file", "--remove", "--from-conf", "x", "--host-id", "2"],
                 id="remove-with-both"),
    pytest.param(["answer-file", "--from-conf", "x", "--host-id", "0"], id="host-id-0"),
    pytest.param(["answer-file", "--from-conf", "x", "--host-id", "2001"], id="host-id-2001"),
    pytest.param(["answer-file", "--from-conf", "x", "--host-id", "two"], id="host-id-word"),
    pytest.param(["check", "--no-such-option", "x"], id="unknown-option"),
])
def test_usage_errors_exit_2(argv, capsys):
    code, err = usage_error(argv, capsys)
    assert code == 2 and "usage: ovirt-he-deploy" in err


def all_commands():
    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def test_library_commands_are_registered():
    assert set(LIBRARY_COMMANDS) <= set(all_commands())


@pytest.mark.parametrize("command", [None] + all_commands())
def test_help_on_every_command(command, capsys):
    argv = ([command] if command else []) + ["--help"]
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    out, err = capsys.readouterr()
    assert caught.value.code == 0 and err == ""
    assert out.startswith("usage: ovirt-he-deploy" + (" " + command if command else ""))


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("ovirt-he-deploy ")


# -- preview -----------------------------------------------------------------------------


def facts_of_this_machine(monkeypatch, **facts):
    """preview describes the machine it runs on; these tests say what that machine has."""
    monkeypatch.setattr(hostfacts, "read_facts", lambda settings: plan.HostFacts(**facts))


@pytest.fixture
def on_ha_host(monkeypatch):
    """A machine with ovirt-hosted-engine-ha installed (its state directory exists)."""
    facts_of_this_machine(monkeypatch, ha_state_dir_exists=True)


def test_preview_where_ha_is_not_installed_leaves_ha_conf_alone(isolated, capsys,
                                                                monkeypatch):
    facts_of_this_machine(monkeypatch)
    root = isolated / "root"
    code, out, err = run(["preview", NFS_UNIT, "--root", str(root)], capsys)
    assert code == 0, err
    assert "local maintenance: not touched here, /var/lib/ovirt-hosted-engine-ha/ha.conf has " \
        "no directory on this machine" in out
    assert "a new file" in out and ".previous" not in out
    assert not (root / HA_CONF).exists()
    assert (root / CONF).exists()


def test_preview_on_a_deployed_host_in_manual_maintenance_says_what_a_reinstall_does(
        isolated, capsys, monkeypatch):
    facts_of_this_machine(monkeypatch, conf_exists=True, conf_host_id="2",
                          ha_state_dir_exists=True, manual_maintenance=True)
    code, out, err = run(["preview", NFS_UNIT, "--root", str(isolated / "root")], capsys)
    assert code == 0, err
    assert "its current content kept as /etc/ovirt-hosted-engine/hosted-engine.conf.previous " \
        "if it changes" in out
    assert "set local_maintenance=False when the deploy commits" in out
    assert "'hosted-engine --set-maintenance --mode=none'" in out


@pytest.mark.usefixtures("on_ha_host")
@pytest.mark.parametrize("unit_path", [NFS_UNIT, ISCSI_UNIT], ids=["nfs", "iscsi"])
def test_preview_writes_conf_and_ha_conf_below_root_only(unit_path, isolated, capsys):
    root = isolated / "root"
    watched = (isolated / "cwd", isolated / "tmp", GOLDEN)
    before = snapshot(*watched)
    code, out, err = run(["preview", unit_path, "--root", str(root)], capsys)
    assert code == 0, err
    assert snapshot(*watched) == before
    files = sorted(os.path.relpath(os.path.join(base, name), str(root))
                   for base, _, names in os.walk(str(root)) for name in names)
    assert files == sorted([CONF, HA_CONF])
    expected = render.render_conf(validation.check(otopiconf.load_unit(unit_path)))
    assert (root / CONF).read_bytes() == expected.encode("ascii")
    assert (root / HA_CONF).read_bytes() == (
        b"local_maintenance=False\nlocal_maintenance_manual=False\n")
    assert stat.S_IMODE(os.stat(str(root / CONF)).st_mode) == 0o440
    assert stat.S_IMODE(os.stat(str(root / HA_CONF)).st_mode) == 0o644
    assert out.startswith("valid: action deploy")
    assert "Action deploy:" in out
    assert "wrote {} (mode 0440".format(root / CONF) in out
    assert "wrote {} (mode 0644".format(root / HA_CONF) in out
    assert PASSWORD not in out + err


def test_preview_twice_gives_the_same_files(isolated, capsys):
    root = isolated / "root"
    run(["preview", NFS_UNIT, "--root", str(root)], capsys)
    first = snapshot(root)
    content = (root / CONF).read_bytes()
    assert run(["preview", NFS_UNIT, "--root", str(root)], capsys)[0] == 0
    assert snapshot(root) == first and (root / CONF).read_bytes() == content


def test_preview_default_root_is_below_the_cwd(isolated, capsys):
    assert run(["preview", NFS_UNIT], capsys)[0] == 0
    assert (isolated / "cwd" / "he-preview" / CONF).is_file()


def test_preview_invalid_unit_writes_nothing(isolated, tmp_path, capsys):
    path = write_unit(isolated / "u.conf", config(host_id="abc"))
    before = snapshot(isolated)
    code, out, err = run(["preview", path, "--root", str(isolated / "root")], capsys)
    assert code == 1 and "HOSTED_ENGINE_CONFIG/host_id" in err
    assert snapshot(isolated) == before


def test_preview_root_that_is_a_file_exits_1(isolated, capsys):
    blocker = isolated / "root"
    blocker.write_text("")
    code, out, err = run(["preview", NFS_UNIT, "--root", str(blocker)], capsys)
    assert code == 1 and "cannot write the preview" in err


# -- answer-file -------------------------------------------------------------------------


LEGACY_LINES = ('ca_cert=/etc/pki/vdsm/libvirt-spice/ca-cert.pem\n'
                'ca_subject="C=EN, L=Test, O=Test, CN=Test"\n')


@pytest.fixture
def source_conf(tmp_path):
    """A running host's hosted-engine.conf (old style: legacy lines, quoted ca_subject)."""
    unit = validation.check(otopiconf.load_unit(ISCSI_UNIT))
    path = tmp_path / "hosted-engine.conf"
    path.write_text(LEGACY_LINES + render.render_conf(unit))
    return path


def test_answer_file_to_a_file(source_conf, isolated, capsys):
    (isolated / "out").mkdir()
    out_path = isolated / "out" / "answers.conf"
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "7",
                          "-o", str(out_path)], capsys)
    assert code == 0, err
    assert stat.S_IMODE(os.stat(str(out_path)).st_mode) == 0o600
    assert out.startswith("wrote {} (mode 0600): valid: action deploy, host_id 7".format(
        out_path))
    assert "note: ca_cert dropped" in err and "note: ca_subject dropped" in err
    text = out_path.read_text()
    assert "HOSTED_ENGINE_CONFIG/host_id=str:7\n" in text
    assert "host_id=str:3" not in text
    assert "ca_subject" not in text and "ca_cert" not in text
    environment = otopiconf.parse_config_text(text)
    assert environment["HOSTED_ENGINE_CONFIG/password"] == ",".join([PASSWORD + "+=@%^*!#/"] * 2)
    code, out, err = run(["check", str(out_path)], capsys)
    assert code == 0 and out.startswith("valid: action deploy, host_id 7, domainType iscsi")


def test_answer_file_replaces_an_existing_file_and_tightens_its_mode(source_conf, isolated,
                                                                     capsys):
    out_path = isolated / "answers.conf"
    out_path.write_text("old")
    out_path.chmod(0o644)
    argv = ["answer-file", "--from-conf", str(source_conf), "--host-id", "4",
            "--output", str(out_path)]
    assert run(argv, capsys)[0] == 0
    assert stat.S_IMODE(os.stat(str(out_path)).st_mode) == 0o600
    assert "host_id=str:4" in out_path.read_text()


@pytest.mark.parametrize("output", [None, "-"], ids=["no-output", "dash"])
def test_answer_file_to_stdout(output, source_conf, isolated, capsys):
    argv = ["answer-file", "--from-conf", str(source_conf), "--host-id", "12"]
    if output:
        argv += ["-o", output]
    before = snapshot(isolated)
    code, out, err = run(argv, capsys)
    assert code == 0
    assert snapshot(isolated) == before
    assert out.startswith("# Hosted Engine deploy unit")
    environment = otopiconf.parse_config_text(out)
    assert environment["HOSTED_ENGINE_CONFIG/host_id"] == "12"
    assert environment["HOSTED_ENGINE/action"] == "deploy"
    assert "HOSTED_ENGINE_CONFIG/ca_subject" not in environment
    assert "holds the iSCSI CHAP password; prefer -o FILE" in err
    assert PASSWORD not in err


@pytest.mark.parametrize("bad_line, key", [
    pytest.param("spUUID=5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d", "spUUID", id="real-pool"),
    pytest.param("domainType=posixfs", "domainType", id="posixfs"),
    pytest.param("custom=$(reboot)", "custom", id="shell-in-unknown-key"),
])
def test_answer_file_from_invalid_conf_writes_nothing(bad_line, key, source_conf, isolated,
                                                      capsys):
    with source_conf.open("a") as stream:
        stream.write(bad_line + "\n")
    before = snapshot(isolated)
    out_path = isolated / "cwd" / "answers.conf"
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "2",
                          "-o", str(out_path)], capsys)
    assert code == 1 and out == ""
    assert "HOSTED_ENGINE_CONFIG/{}:".format(key) in err
    assert snapshot(isolated) == before and not out_path.exists()


def test_answer_file_missing_source_exits_1(isolated, capsys):
    code, out, err = run(["answer-file", "--from-conf", str(isolated / "nope"), "--host-id",
                          "2"], capsys)
    assert code == 1 and "cannot read" in err


def test_build_answer_file_replaces_host_id():
    text = render.render_conf(valid(config("nfs", host_id="9")))
    unit = answerfile.build_answer_file(text, 5)
    assert unit.get("host_id") == "5" and unit.action == "deploy"
    assert dict(unit.entries) == dict(valid(config("nfs", host_id="5")).entries)


# -- as a program ------------------------------------------------------------------------


def test_python_dash_m_runs_the_cli(tmp_path):
    env = dict(os.environ, PYTHONPATH=SRC)
    result = subprocess.run([sys.executable, "-m", "ovirt_he_deploy", "check", NFS_UNIT],
                            cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: action deploy, host_id 2, domainType nfs")
    bad = subprocess.run([sys.executable, "-m", "ovirt_he_deploy", "check"],
                         cwd=str(tmp_path), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                         timeout=60)
    assert bad.returncode == 2 and "usage:" in bad.stderr
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("root", ["/", "/etc/..", "//"], ids=["slash", "dotdot", "double"])
def test_preview_refuses_the_hosts_own_root(root, capsys):
    before = os.path.exists("/etc/ovirt-hosted-engine/hosted-engine.conf")
    code, out, err = run(["preview", NFS_UNIT, "--root", root], capsys)
    assert code == 2
    assert "the host's own root" in err and "--root ./he-preview" in err
    assert out == ""
    assert os.path.exists("/etc/ovirt-hosted-engine/hosted-engine.conf") == before


# -- answer-file: mixes of options say what to give -------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    pytest.param(["--remove", "--host-id", "2"], "--remove builds a remove unit from "
                 "nothing; drop --host-id", id="remove-host-id"),
    pytest.param(["--remove", "--from-conf", "x", "--host-id", "2"],
                 "drop --from-conf and --host-id", id="remove-both"),
    pytest.param([], "give --from-conf FILE --host-id N for a deploy unit, or --remove",
                 id="nothing"),
    pytest.param(["--from-conf", "x"], "--from-conf needs --host-id N", id="no-host-id"),
    pytest.param(["--host-id", "2"], "give --from-conf FILE", id="no-from-conf"),
])
def test_answer_file_usage_errors_say_what_to_give(argv, fragment, isolated, capsys):
    before = snapshot(isolated)
    code, err = usage_error(["answer-file"] + argv + ["-o", "unit.conf"], capsys)
    assert code == 2 and fragment in err and "usage: ovirt-he-deploy answer-file" in err
    assert snapshot(isolated) == before


# -- answer-file --remove (issue 14.3) ---------------------------------------------------


def test_answer_file_builds_a_remove_unit(isolated, capsys):
    code, out, err = run(["answer-file", "--remove", "-o", "remove.conf"], capsys)
    path = isolated / "cwd" / "remove.conf"
    assert code == 0, err
    assert out == "wrote remove.conf (mode 0600): valid: action remove\n"
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    text = path.read_text()
    assert otopiconf.parse_config_text(text) == {"HOSTED_ENGINE/action": "remove"}
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        "[environment:default]", "HOSTED_ENGINE/action=str:remove"]
    assert "CHAP" not in text
    assert run(["check", str(path)], capsys)[:2] == (0, "valid: action remove\n")


def test_answer_file_remove_unit_on_standard_output(isolated, capsys):
    before = snapshot(isolated)
    code, out, err = run(["answer-file", "--remove"], capsys)
    assert code == 0 and err == ""
    assert otopiconf.parse_config_text(out) == {"HOSTED_ENGINE/action": "remove"}
    assert snapshot(isolated) == before


# -- answer-file -o: no directories grow (issue 14.5) ------------------------------------


@pytest.mark.parametrize("relative, named, missing", [
    pytest.param("nodir/unit.conf", "nodir", "does not exist", id="missing-parent"),
    pytest.param("a/b/unit.conf", "a/b", "does not exist (", id="missing-grandparent"),
])
def test_answer_file_output_in_a_missing_directory_fails_naming_it(
        relative, named, missing, source_conf, isolated, capsys):
    before = snapshot(isolated)
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "2",
                          "-o", relative], capsys)
    assert code == 1 and out == ""
    assert "the directory {} {}".format(isolated / "cwd" / named, missing) in err
    assert "creates no directories" in err
    if "/" in named:
        assert "{} is missing".format(isolated / "cwd" / named.split("/")[0]) in err
    assert snapshot(isolated) == before


def test_answer_file_output_below_a_file_fails(source_conf, isolated, capsys):
    (isolated / "cwd" / "afile").write_text("")
    before = snapshot(isolated)
    code, out, err = run(["answer-file", "--remove", "-o", "afile/unit.conf"], capsys)
    assert code == 1 and "is not a directory" in err
    assert snapshot(isolated) == before


# -- check - (issue 14.6) ----------------------------------------------------------------


@pytest.fixture
def stdin_of(monkeypatch):
    def feed(data):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return feed


def test_check_dash_reads_standard_input(stdin_of, capsys):
    with open(NFS_UNIT, "rb") as stream:
        stdin_of(stream.read())
    code, out, err = run(["check", "-"], capsys)
    assert code == 0, err
    assert out.startswith("valid: action deploy, host_id 2, domainType nfs")


def test_check_dash_names_standard_input_in_problems(stdin_of, capsys):
    stdin_of(b"[environment:default]\nHOSTED_ENGINE/action=str:install\n")
    code, out, err = run(["check", "-"], capsys)
    assert code == 1 and "HOSTED_ENGINE/action" in err
    stdin_of(b"HOSTED_ENGINE/action=str:deploy\n")
    code, out, err = run(["check", "-"], capsys)
    assert code == 1 and "<stdin>" in err


def test_check_dash_as_a_program(tmp_path):
    with open(NFS_UNIT, "rb") as stream:
        data = stream.read()
    result = subprocess.run([sys.executable, "-m", "ovirt_he_deploy", "check", "-"],
                            input=data, cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=SRC),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("valid: action deploy, host_id 2")


# -- wrong file, right hint (issue 12.6) -------------------------------------------------


def one_line(err):
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_check_given_a_hosted_engine_conf_points_at_answer_file(tmp_path, capsys):
    conf = tmp_path / "hosted-engine.conf"
    conf.write_bytes(open(os.path.join(GOLDEN, "nfs.hosted-engine.conf"), "rb").read())
    code, out, err = run(["check", str(conf)], capsys)
    line = one_line(err)
    assert code == 1 and out == ""
    assert "is a hosted-engine.conf" in line and "not a deploy unit" in line
    assert "answer-file --from-conf {} --host-id N".format(conf) in line


def test_answer_file_given_a_deploy_unit_points_at_check(isolated, capsys):
    before = snapshot(isolated)
    code, out, err = run(["answer-file", "--from-conf", NFS_UNIT, "--host-id", "2",
                          "-o", "unit.conf"], capsys)
    line = one_line(err)
    assert code == 1 and out == ""
    assert "is a deploy unit" in line and "ovirt-he-deploy check {}".format(NFS_UNIT) in line
    assert snapshot(isolated) == before


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("data, fragment", [
    pytest.param(BOM, "byte order mark", id="bom"),
    pytest.param(b"\xff\xfe", "byte order mark", id="utf16-bom"),
    pytest.param(b"\x00\x01\x02binary\x00" * 50, "not a text file (it holds NUL bytes)",
                 id="binary"),
    pytest.param(b"\x89PNG\r\n\x1a\n\xff\xd8", "not a text file (the byte at offset 0",
                 id="not-utf8"),
])
def test_check_binary_or_bom_file_gets_one_line(data, fragment, tmp_path, capsys):
    path = tmp_path / "unit.conf"
    with open(NFS_UNIT, "rb") as stream:
        path.write_bytes(data + stream.read() if fragment == "byte order mark" else data)
    code, out, err = run(["check", str(path)], capsys)
    line = one_line(err)
    assert code == 1 and fragment in line and str(path) in line
    assert line.isprintable()


@pytest.mark.parametrize("data, fragment", [
    pytest.param(BOM, "byte order mark", id="bom"),
    pytest.param(b"\x00\x01binary\x00" * 50, "holds NUL bytes", id="binary"),
])
def test_answer_file_binary_or_bom_conf_gets_one_line(data, fragment, source_conf, isolated,
                                                      capsys):
    source_conf.write_bytes(data + source_conf.read_bytes())
    before = snapshot(isolated)
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "2",
                          "-o", "unit.conf"], capsys)
    line = one_line(err)
    assert code == 1 and fragment in line and line.isprintable()
    assert snapshot(isolated) == before


# -- action none with config keys (issue 12.5) -------------------------------------------


@pytest.mark.parametrize("action_line, why", [
    pytest.param("", "HOSTED_ENGINE/action is absent, which means none", id="absent"),
    pytest.param("HOSTED_ENGINE/action=str:none\n", "HOSTED_ENGINE/action is none", id="none"),
])
def test_check_says_config_keys_are_unused_without_deploy(action_line, why, tmp_path, capsys):
    path = tmp_path / "u.conf"
    path.write_text("[environment:default]\n" + action_line +
                    "HOSTED_ENGINE_CONFIG/host_id=str:2\nHOSTED_ENGINE_CONFIG/fqdn=str:e.x\n")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 0 and out == "valid: action none\n"
    assert "warning: 2 HOSTED_ENGINE_CONFIG/* keys will not be used: " + why in err


# -- nothing raw reaches the terminal (issue 12.7) ---------------------------------------


@pytest.mark.parametrize("key, value", [
    pytest.param("host\x1b[2Jid", "str:2", id="esc-in-key"),
    pytest.param("fqdn", "str:engine\x1b]0;owned\x07", id="osc-in-value"),
    pytest.param("password", "str:pw\x1b[2J", id="esc-in-secret"),
    pytest.param("fq\u202edn", "str:x", id="bidi-in-key"),
    pytest.param("host_id", "int:x\x1b[2J", id="esc-in-bad-int"),
    pytest.param("host_id", "bogus\x1b[2J:2", id="esc-in-type"),
])
def test_check_escapes_every_echoed_key_and_value(key, value, tmp_path, capsys):
    path = tmp_path / "u.conf"
    with open(ISCSI_UNIT) as stream:
        text = stream.read()
    path.write_bytes((text + "HOSTED_ENGINE_CONFIG/{}={}\n".format(key, value)).encode())
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert all(line.isprintable() for line in err.splitlines())
    assert "pw" + "\\x1b" not in err


def test_check_escapes_the_path_it_cannot_read(tmp_path, capsys):
    code, out, err = run(["check", str(tmp_path / "no\x1b[2Jfile")], capsys)
    assert code == 1 and "\x1b" not in err and "no\\x1b[2Jfile" in err


# -- preview never writes outside --root (issue 14.4) ------------------------------------


def plant(root, relative, target):
    link = root / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(str(target), str(link))
    return link


@pytest.mark.usefixtures("on_ha_host")
@pytest.mark.parametrize("relative", [
    pytest.param("etc", id="etc"),
    pytest.param("etc/ovirt-hosted-engine", id="conf-dir"),
    pytest.param(CONF, id="conf-file"),
    pytest.param("var", id="var"),
    pytest.param("var/lib/ovirt-hosted-engine-ha", id="ha-dir"),
    pytest.param(HA_CONF, id="ha-conf-file"),
])
def test_preview_refuses_a_symlink_out_of_the_root(relative, isolated, capsys):
    root = isolated / "root"
    outside = isolated / "outside"
    outside.mkdir()
    (outside / "ovirt-hosted-engine").mkdir()
    (outside / "precious").write_text("keep")
    link = plant(root, relative, outside / ("precious" if "." in relative.rsplit("/", 1)[-1]
                                            else ""))
    before = snapshot(isolated)
    code, out, err = run(["preview", NFS_UNIT, "--root", str(root)], capsys)
    assert code == 1
    assert "{} is a symlink to {}, outside {}".format(link, os.readlink(str(link)), root) in err
    assert "nothing is written outside that directory" in err
    assert "wrote " not in out
    assert snapshot(isolated) == before
    assert (outside / "precious").read_text() == "keep"


def test_preview_refuses_a_link_that_leaves_through_a_relative_target(isolated, capsys):
    root = isolated / "root"
    (root / "etc").mkdir(parents=True)
    os.symlink("../../outside", str(root / "etc" / "ovirt-hosted-engine"))
    (isolated / "outside").mkdir()
    code, out, err = run(["preview", NFS_UNIT, "--root", str(root)], capsys)
    assert code == 1 and "is a symlink to ../../outside" in err
    assert os.listdir(str(isolated / "outside")) == []


def test_preview_follows_a_symlink_that_stays_inside_the_root(isolated, capsys):
    root = isolated / "root"
    (root / "real-etc").mkdir(parents=True)
    os.symlink("real-etc", str(root / "etc"))
    code, out, err = run(["preview", NFS_UNIT, "--root", str(root)], capsys)
    assert code == 0, err
    assert (root / "real-etc" / "ovirt-hosted-engine" / "hosted-engine.conf").is_file()


def test_preview_root_may_itself_be_a_symlink(isolated, capsys):
    (isolated / "real-root").mkdir()
    os.symlink(str(isolated / "real-root"), str(isolated / "root"))
    code, out, err = run(["preview", NFS_UNIT, "--root", str(isolated / "root")], capsys)
    assert code == 0, err
    assert (isolated / "real-root" / CONF).is_file()


def test_check_below_root_refuses_dot_dot(tmp_path):
    with pytest.raises(rootdir.OutsideRoot):
        rootdir.check_below_root(str(tmp_path), "/etc/../../x")


# -- README's CLI block runs as printed ----------------------------------------------------


def readme_cli_commands():
    with open(os.path.join(os.path.dirname(GOLDEN), "..", "README.md")) as stream:
        text = stream.read()
    section = text[text.index("\n## Checking a unit before a host sees it"):]
    block = section.split("```sh\n")[1].split("```")[0]
    return [line.split("#")[0].split() for line in block.strip().splitlines()]


def test_readme_cli_commands_run_as_printed(isolated, capsys):
    """Run from a copy of a checkout's examples/ (the unit and the running host's conf)."""
    (isolated / "cwd" / "examples").mkdir()
    for name in ("nfs.conf", "hosted-engine.conf"):
        example = os.path.join(os.path.dirname(GOLDEN), "..", "examples", name)
        (isolated / "cwd" / "examples" / name).write_bytes(open(example, "rb").read())
    commands = readme_cli_commands()
    assert [argv[1] for argv in commands] == ["check", "preview", "answer-file", "answer-file"]
    for argv in commands:
        assert argv[0] == "ovirt-he-deploy"
        code, out, err = run(argv[1:], capsys)
        assert code == 0, (argv, err)
    assert (isolated / "cwd" / "he-preview" / CONF).is_file()
    assert run(["check", "unit.conf"], capsys)[1].startswith("valid: action deploy, host_id 3")
    assert run(["check", "remove.conf"], capsys)[1] == "valid: action remove\n"


CHECK_IMPORTS = """
import sys
from ovirt_he_deploy import cli
code = cli.main(['check', sys.argv[1]])
print(' '.join(sorted(sys.modules)))
"""


def test_check_imports_only_what_checking_needs():
    """`check` is the command admins and scripts run most: none of the other commands'
    modules (the engine side's HTTP and TLS, otopi runs, host files, jinja2) are imported."""
    done = subprocess.run([sys.executable, "-c", CHECK_IMPORTS, NFS_UNIT],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=dict(os.environ, PYTHONPATH=SRC))
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split()[-1000:])
    assert "ovirt_he_deploy.validation" in modules
    assert modules.isdisjoint({
        "ovirt_he_deploy.engine", "ovirt_he_deploy.hostcmd", "ovirt_he_deploy.hostfs",
        "ovirt_he_deploy.preview", "ovirt_he_deploy.answerfile", "ovirt_he_deploy.plan",
        "ovirt_he_deploy.render", "ovirt_he_deploy.sandbox", "ovirt_he_deploy.rootdir",
        "jinja2", "ovirtsdk4", "subprocess", "ssl", "http.client",
    }), sorted(modules)


# -- a unit's own OVIRT_HE_DEPLOY/ settings ----------------------------------------------


def unit_with_settings(tmp_path, *lines):
    """The NFS golden unit with OVIRT_HE_DEPLOY/ lines added, as the group reads them."""
    path = tmp_path / "unit.conf"
    path.write_text(open(NFS_UNIT).read().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    return str(path)


def test_preview_plans_with_the_units_own_conf_file(isolated, capsys):
    # The group reads OVIRT_HE_DEPLOY/confFile from the same file: preview shows that path.
    unit = unit_with_settings(isolated, "OVIRT_HE_DEPLOY/confFile=str:/srv/he/he.conf")
    root = isolated / "root"
    code, out, err = run(["preview", unit, "--root", str(root)], capsys)
    assert code == 0, err
    assert "write /srv/he/he.conf (" in out
    assert (root / "srv/he/he.conf").is_file()
    assert not (root / CONF).exists()
    assert "found no /srv/he/he.conf" in out


def test_preview_says_which_files_it_read_and_which_it_found_absent(isolated, capsys,
                                                                   tmp_path):
    here = tmp_path / "here.conf"
    here.write_text("host_id=1\n")
    unit = unit_with_settings(isolated, "OVIRT_HE_DEPLOY/confFile=str:{}".format(here),
                              "OVIRT_HE_DEPLOY/haConfFile=str:{}".format(tmp_path / "no" / "ha"))
    code, out, err = run(["preview", unit, "--root", str(isolated / "root")], capsys)
    assert code == 0, err
    assert "Planned from this machine: it read {}, found no {}, {} does not exist;".format(
        here, tmp_path / "no" / "ha", tmp_path / "no") in out


@pytest.mark.parametrize("command", ["check", "preview"])
def test_a_misspelt_setting_in_the_unit_is_refused_by_check_and_preview(command, isolated,
                                                                       capsys):
    unit = unit_with_settings(isolated, "OVIRT_HE_DEPLOY/confFiel=str:/srv/he/he.conf")
    argv = [command, unit] + (["--root", str(isolated / "root")] if command == "preview" else [])
    code, out, err = run(argv, capsys)
    assert code == 1
    assert "OVIRT_HE_DEPLOY/confFiel: is not a setting of ovirt-he-deploy" in err
    assert "rename it to OVIRT_HE_DEPLOY/confFile" in err
    assert not (isolated / "root").exists()


def test_host_deploy_sandbox_writes_the_units_own_conf_file_below_the_sandbox(isolated,
                                                                            capsys):
    unit = unit_with_settings(isolated, "OVIRT_HE_DEPLOY/confFile=str:/srv/he/he.conf")
    box = isolated / "box"
    code, out, err = run(["host", "deploy", "--sandbox", str(box), unit], capsys)
    assert code == 0, err
    assert (box / "srv/he/he.conf").is_file()
    assert not (box / CONF).exists()
    assert "transaction wrote {} (".format(box / "srv/he/he.conf") in out


def test_host_deploy_sandbox_refuses_a_units_conf_file_that_leaves_it(isolated, capsys):
    unit = unit_with_settings(isolated, "OVIRT_HE_DEPLOY/confFile=str:/etc/../../he.conf")
    box = isolated / "box"
    code, out, err = run(["host", "deploy", "--sandbox", str(box), unit], capsys)
    assert code == 1
    assert "nothing is written outside" in err
    assert not (isolated / "he.conf").exists()
