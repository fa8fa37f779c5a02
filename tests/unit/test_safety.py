"""Which characters hosted-engine.conf keys and values may hold, proven against real bash."""

import os
import string
import subprocess

import pytest

from ovirt_he_deploy import keyvalue, safety

from .helpers import bash_source, config, only_problem, valid

FORBIDDEN = [
    pytest.param(c, id=name) for c, name in [
        ("$", "dollar"), ("`", "backtick"), ("\\", "backslash"), ("'", "single-quote"),
        ('"', "double-quote"), (";", "semicolon"), ("&", "ampersand"), ("|", "pipe"),
        ("<", "less"), (">", "greater"), ("(", "open-paren"), (")", "close-paren"),
        ("~", "tilde"), (" ", "space"), ("\t", "tab"), ("\n", "LF"), ("\r", "CR"),
        ("\x00", "NUL"), ("\x7f", "DEL"), ("\x01", "SOH"), ("\x1b", "ESC"),
        ("\u00e9", "e-acute"), ("\u00a0", "nbsp"), ("\u2028", "line-separator"),
    ]
]
ALLOWED = "".join(c for c in string.printable[:94] if c not in "$`\\'\";&|<>()~")


@pytest.mark.parametrize("char", FORBIDDEN)
def test_forbidden_char_in_value_is_refused(char):
    assert safety.unsafe_char("a{}b".format(char)) is not None
    problem = only_problem(config(custom="a{}b".format(char)), "custom")
    assert safety.describe_char(char) in problem.message or "space" in problem.message
    assert "change the value" in problem.fix


@pytest.mark.parametrize("char", FORBIDDEN)
def test_forbidden_char_in_known_key_value_is_refused(char):
    only_problem(config("glusterfs", mnt_options="backup-volfile-servers=a{}b".format(char)),
                 "mnt_options")


@pytest.mark.parametrize("char", FORBIDDEN)
def test_forbidden_char_in_key_is_refused(char):
    key = "custom{}key".format(char)
    assert safety.key_problem(key) is not None
    problem = only_problem(config(**{key: "1"}), key)
    assert "shell identifiers" in problem.fix


@pytest.mark.parametrize("key", ["", "1abc", "a-b", "a.b", "a:b", "a=b", "a/b", "a+b",
                                 "a@b", "a,b", "\u00e9t\u00e9"])
def test_key_must_be_a_shell_identifier(key):
    assert safety.key_problem(key) is not None


@pytest.mark.parametrize("key", ["host_id", "_x", "a9", "metadata_volume_UUID", "x" * 64])
def test_shell_identifiers_are_accepted_keys(key):
    assert safety.key_problem(key) is None


@pytest.mark.parametrize("key", ["A9", "PATH", "IFS", "UID", "BASH_ENV", "_", "__"])
def test_environment_style_keys_are_refused(key):
    assert "lower case" in safety.key_problem(key)


def test_every_allowed_printable_char_is_accepted_in_a_value():
    assert len(ALLOWED) == 94 - 13
    assert safety.unsafe_char(ALLOWED) is None
    assert valid(config(custom=ALLOWED)).get("custom") == ALLOWED


@pytest.mark.parametrize("value", [
    pytest.param("eth1<>192.0.2.10", id="one-pair"),
    pytest.param("eth1<>192.0.2.10,eth2<>192.0.2.11", id="two-pairs"),
    pytest.param("bond0.100<>2001:db8::10", id="vlan-ipv6"),
    pytest.param("", id="empty"),
])
def test_iscsi_paths_blacklist_accepts_iface_address_pairs(value):
    assert valid(config("iscsi", iscsi_paths_blacklist=value)).get(
        "iscsi_paths_blacklist") == value


@pytest.mark.parametrize("value", [
    pytest.param("eth1<192.0.2.10", id="only-less"),
    pytest.param("eth1>192.0.2.10", id="only-greater"),
    pytest.param("eth1><192.0.2.10", id="reversed"),
    pytest.param("eth1<>>192.0.2.10", id="extra-greater"),
    pytest.param("eth1<>", id="no-address"),
    pytest.param("<>192.0.2.10", id="no-iface"),
    pytest.param("<>", id="separator-only"),
    pytest.param("eth1<>host.example.com", id="host-name-not-address"),
    pytest.param("eth1<>192.0.2.10,", id="trailing-comma"),
    pytest.param("eth1<>192.0.2.10<>192.0.2.11", id="two-separators"),
    pytest.param("eth1/0<>192.0.2.10", id="bad-iface"),
    pytest.param("eth1", id="no-separator"),
])
def test_iscsi_paths_blacklist_rejects_anything_else(value):
    problem = only_problem(config("iscsi", iscsi_paths_blacklist=value),
                           "iscsi_paths_blacklist")
    assert "<iface><><portal address>" in problem.message


@pytest.mark.parametrize("value", [
    pytest.param("eth1;x<>192.0.2.10", id="unsafe-iface"),
    pytest.param("eth1<>192.0.2.10 ", id="trailing-space"),
    pytest.param("eth1<>$(id)", id="command-substitution"),
])
def test_iscsi_paths_blacklist_halves_are_still_safety_checked(value):
    problem = only_problem(config("iscsi", iscsi_paths_blacklist=value),
                           "iscsi_paths_blacklist")
    assert "contains" in problem.message


@pytest.mark.parametrize("key", ["mnt_options", "custom", "gateway"])
def test_angle_brackets_are_refused_in_every_other_key(key):
    problem = only_problem(config("iscsi", **{key: "eth1<>192.0.2.10"}), key)
    assert "shell character '<'" in problem.message


# -- the rule, proven with real bash ----------------------------------------------------
#
# hosted-engine (the CLI the agent itself runs) does `source hosted-engine.conf`. A line
# k=a<char>b must come back from bash as exactly 'a<char>b'. `b` is put on PATH as a
# command that leaves a marker, so "bash ran something" is observable.


@pytest.fixture
def sandbox(tmp_path):
    cwd = tmp_path / "cwd"
    bindir = tmp_path / "bin"
    cwd.mkdir()
    bindir.mkdir()
    marker = tmp_path / "ran-b"
    command = bindir / "b"
    command.write_text("#!/bin/sh\ntouch '{}'\n".format(marker))
    command.chmod(0o755)

    def source(text, encoding="utf-8"):
        conf = tmp_path / "test.conf"
        conf.write_bytes(text.encode(encoding))
        before = set(os.listdir(str(cwd)))
        rc, added, stderr = bash_source(
            str(conf), str(cwd),
            {"PATH": "{}:{}".format(bindir, os.environ.get("PATH", "/usr/bin:/bin"))})
        created = set(os.listdir(str(cwd))) - before
        ran = marker.exists()
        if ran:
            marker.unlink()
        return rc, added, stderr, created, ran

    return source


BASH_BREAKS = [
    # char, what bash does with k=a<char>b
    pytest.param("$", "differs", id="dollar-expands-$b"),
    pytest.param("`", "fails", id="backtick-unterminated-substitution"),
    pytest.param("\\", "differs", id="backslash-is-removed"),
    pytest.param("'", "fails", id="single-quote-unterminated"),
    pytest.param('"', "fails", id="double-quote-unterminated"),
    pytest.param(";", "runs", id="semicolon-runs-b"),
    pytest.param("&", "runs", id="ampersand-runs-b"),
    pytest.param("|", "runs", id="pipe-runs-b"),
    pytest.param("<", "fails", id="less-reads-file-b"),
    pytest.param(">", "creates", id="greater-creates-file-b"),
    pytest.param("(", "fails", id="open-paren-syntax-error"),
    pytest.param(")", "fails", id="close-paren-syntax-error"),
    pytest.param(" ", "runs", id="space-runs-b"),
    pytest.param("\t", "runs", id="tab-runs-b"),
    pytest.param("\n", "runs", id="LF-runs-b"),
    pytest.param("\x00", "differs", id="NUL-is-dropped"),
]


@pytest.mark.parametrize("char, outcome", BASH_BREAKS)
def test_bash_does_not_read_back_a_forbidden_char(sandbox, char, outcome):
    assert safety.unsafe_char(char) is not None
    rc, added, stderr, created, ran = sandbox("k=a{}b\n".format(char))
    assert added.get("k") != "a{}b".format(char)
    if outcome == "fails":
        assert rc != 0 and stderr
    elif outcome == "runs":
        assert ran, stderr
    elif outcome == "creates":
        assert created == {"b"}
    else:
        assert rc == 0 and added.get("k") in ("a", "ab")


def test_tilde_is_expanded_by_bash_where_a_path_may_put_it(sandbox):
    # Inside a word (k=a~b) bash keeps '~'; at the start of the value and after ':' it
    # is tilde expansion, e.g. an NFS path server:~/he becomes server:/home/...
    rc, added, _, _, _ = sandbox("k1=a~b\nk2=~/he\nk3=nfs:~/he\n")
    assert rc == 0
    assert added["k1"] == "a~b"
    assert added["k2"] == "/nonexistent-home/he"
    assert added["k3"] == "nfs:/nonexistent-home/he"


def test_cr_is_kept_by_bash_but_splits_the_line_for_ha(sandbox):
    # bash keeps the CR in the value; HA reads in text mode (universal newlines), where a
    # lone CR ends the line, so the HA value is cut at the CR.
    rc, added, _, _, _ = sandbox("k=a\rb\n")
    assert rc == 0 and added["k"] == "a\rb"
    assert keyvalue.parse("k=a\rb\n")["k"] == "a"


@pytest.mark.parametrize("char", ["\u00e9", "\u00a0"], ids=["e-acute", "nbsp"])
def test_non_ascii_is_kept_by_bash_but_depends_on_the_locale_for_ha(sandbox, char):
    # HA opens the file with the locale's encoding: the same bytes are another value, or
    # unreadable (an unreadable file means "not configured"), depending on the locale.
    rc, added, _, _, _ = sandbox("k=a{}b\n".format(char))
    assert rc == 0
    raw = "k=a{}b\n".format(char).encode("utf-8")
    assert raw.decode("latin-1") != "k=a{}b\n".format(char)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("ascii")


def test_del_is_read_back_by_bash_and_refused_as_a_control_character(sandbox):
    # No reader breaks on DEL; it is refused because it is invisible in editors and logs.
    rc, added, _, _, _ = sandbox("k=a\x7fb\n")
    assert rc == 0 and added["k"] == "a\x7fb"
    assert "control character" in safety.unsafe_char("a\x7fb")


def test_bash_reads_back_every_allowed_char_in_every_position(sandbox, tmp_path):
    # Glob characters must not glob: a file that a* or [ab] would match exists in the cwd.
    (tmp_path / "cwd" / "ab").write_text("")
    values = {}
    for index, char in enumerate(ALLOWED):
        values["m{}".format(index)] = "a{}b".format(char)
        values["s{}".format(index)] = "{}b".format(char)
        values["e{}".format(index)] = "a{}".format(char)
        values["o{}".format(index)] = char
    values.update(all=ALLOWED, glob="a*", cls="[ab]", brace="{a,b}", braces="a{b}",
                  hist="a!b", comment="#x", assign="x=y", opt="-x", colon="a:b:/c",
                  gluster="backup-volfile-servers=gl2:gl3", empty="")
    text = "".join("{}={}\n".format(key, value) for key, value in values.items())
    rc, added, stderr, created, ran = sandbox(text)
    assert (rc, stderr, created, ran) == (0, "", set(), False)
    assert added == values


def test_bash_source_treats_the_blacklist_separator_as_a_redirection(sandbox, tmp_path):
    # Documented hazard of the one key allowed to hold '<>': `source` reads
    # k=eth1<>192.0.2.10 as k=eth1 plus a read-write redirection, which creates an empty
    # file named 192.0.2.10 in the current directory and runs nothing.
    rc, added, stderr, created, ran = sandbox("iscsi_paths_blacklist=eth1<>192.0.2.10\n")
    assert rc == 0 and stderr == "" and not ran
    assert added == {"iscsi_paths_blacklist": "eth1"}
    assert created == {"192.0.2.10"}
    assert (tmp_path / "cwd" / "192.0.2.10").stat().st_size == 0


def test_bash_helper_sees_missing_and_empty_values_apart(sandbox):
    rc, added, _, _, _ = sandbox("# only a comment\nk=\n")
    assert rc == 0 and added == {"k": ""}


def test_bash_is_available():
    assert subprocess.run(["bash", "-c", "true"]).returncode == 0
