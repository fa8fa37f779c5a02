"""Which keys and values hosted-engine.conf may hold, proven against real bash (as
hosted-engine sources the file) and HA's key=value rules (keyvalue.parse)."""

import re
import string
import subprocess
import sys

import pytest
from otopi_harness import run_process

from ovirt_he_deploy import keyvalue, render, safety
from ovirt_he_deploy.compat import isprintable

from .helpers import (
    BASH,
    BASH_MODES,
    PASSWORD,
    conf_values,
    config,
    native_text,
    only_problem,
    problems,
    source_like_hosted_engine,
    valid,
)

PY2 = sys.version_info[0] == 2
LIVELINESS = re.compile(r"^([^=]+)=(.*)$")
PRINTABLE = string.printable[:95]  # printable ASCII: letters, digits, punctuation, space

# -- keys -------------------------------------------------------------------------------

KEY_CHARS = [
    pytest.param(c, id=name) for c, name in [
        ("$", "dollar"), ("`", "backtick"), ("\\", "backslash"), ("'", "single-quote"),
        ('"', "double-quote"), (";", "semicolon"), ("&", "ampersand"), ("|", "pipe"),
        ("<", "less"), (">", "greater"), ("(", "open-paren"), (")", "close-paren"),
        ("~", "tilde"), (" ", "space"), ("\t", "tab"), ("\n", "LF"), ("\r", "CR"),
        ("\x00", "NUL"), ("\x7f", "DEL"), ("\x01", "SOH"), ("\x1b", "ESC"),
        (native_text(u"\u00e9"), "e-acute"), (native_text(u"\u00a0"), "nbsp"),
        (native_text(u"\u2028"), "line-separator"),
    ]
]


@pytest.mark.parametrize("char", KEY_CHARS)
def test_key_with_a_character_of_no_identifier_is_refused(char):
    key = "custom{}key".format(char)
    assert safety.key_problem(key) is not None
    problem = only_problem(config(**{key: "1"}), key)
    assert "shell identifiers" in problem.fix
    # The key is echoed escaped: no raw control character in the key-name prefix.
    assert isprintable(problem.key) and isprintable(str(problem))


@pytest.mark.parametrize("key", ["", "1abc", "a-b", "a.b", "a:b", "a=b", "a/b", "a+b",
                                 "a@b", "a,b", native_text(u"\u00e9t\u00e9")])
def test_key_must_be_a_shell_identifier(key):
    assert safety.key_problem(key) is not None


@pytest.mark.parametrize("key", ["host_id", "_x", "a9", "metadata_volume_UUID", "x" * 64])
def test_shell_identifiers_are_accepted_keys(key):
    assert safety.key_problem(key) is None


@pytest.mark.parametrize("key", ["A9", "PATH", "IFS", "UID", "BASH_ENV", "_", "__"])
def test_environment_style_keys_are_refused(key):
    assert "lower case" in safety.key_problem(key)


def test_a_non_identifier_key_is_a_command_for_bash(tmp_path):
    sourced = source_like_hosted_engine("a=1\nhost-id=2\nb=2\n", ["a", "b"], str(tmp_path))
    assert sourced.ran == ["host-id=2"] and sourced.values == {"a": "1", "b": "2"}


def test_ifs_from_the_file_changes_how_hosted_engine_splits_its_commands(tmp_path):
    # hosted-engine.in:185 runs ${VDSMHELPER} checkVmStatus ${vmid} unquoted.
    text = "IFS=-\nvmid=5c1d2e3f-0004-4a5b\n"
    script = 'source "$1"; set -- checkVmStatus ${vmid}; echo "$#"'
    result = run_process([BASH, "--posix", "-c", script, "sh", "/dev/stdin"], input=text,
                         timeout=20)
    assert result.stdout.strip() == "4"


# -- printable ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, shown", [
    ("host_id", "host_id"), ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("a\rb", "a\\rb"), ("a\nb", "a\\nb"), ("a\x00b", "a\\x00b"), ("a\x7fb", "a\\x7fb"),
    ("a\x85b", "a\\x85b"), ("", ""),
] + ([  # Python 3: text; a printable character is kept, a bidi control escaped
    (u"h\u00f3st", u"h\u00f3st"), (u"a\u202eb", "a\\u202eb"),
] if not PY2 else [  # 2.7: otopi 1.8 hands bytes; every byte of a UTF-8 character is escaped
    (native_text(u"h\u00f3st"), "h\\xc3\\xb3st"), (native_text(u"a\u202eb"), "a\\xe2\\x80\\xaeb"),
]))
def test_printable_escapes_what_a_terminal_would_act_on(text, shown):
    assert safety.printable(text) == shown
    assert isprintable(safety.printable(text))


# -- values: what the readers split, strip or decode differently --------------------------

VALUE_REFUSALS = [
    pytest.param("a\tb", "control character", id="TAB"),
    pytest.param("a\nb", "control character", id="LF"),
    pytest.param("a\rb", "control character", id="CR"),
    pytest.param("a\x00b", "control character", id="NUL"),
    pytest.param("a\x0bb", "control character", id="VT"),
    pytest.param("a\x0cb", "control character", id="FF"),
    pytest.param("a\x1cb", "control character", id="FS"),
    pytest.param("a\x1b[2Jb", "control character", id="ESC"),
    pytest.param("a\x7fb", "control character", id="DEL"),
    pytest.param(native_text(u"h\u00e9mlig"), "non-ASCII", id="e-acute"),
    pytest.param(native_text(u"a\u00a0b"), "non-ASCII", id="nbsp"),
    pytest.param(" ab", "blank", id="leading-blank"),
    pytest.param("ab ", "blank", id="trailing-blank"),
]


@pytest.mark.parametrize("value, fragment", VALUE_REFUSALS)
@pytest.mark.parametrize("key", ["password", "mnt_options", "custom"])
def test_values_the_readers_read_apart_are_refused(key, value, fragment):
    assert fragment in safety.value_problem(value)
    problem = only_problem(config("iscsi" if key == "password" else "glusterfs",
                                  **{key: value}), key)
    assert fragment in problem.message
    assert isprintable(str(problem))
    if key == "password":
        assert value not in str(problem) and "(hidden)" in problem.message


def test_cr_is_kept_by_bash_but_ends_the_line_for_ha(tmp_path):
    sourced = source_like_hosted_engine("k=a\rb\n", ["k"], str(tmp_path))
    assert sourced.values["k"] == "a\rb"
    assert keyvalue.parse("k=a\rb\n")["k"] == "a"


@pytest.mark.skipif(PY2, reason="a fact of Python 3's str.splitlines (EL8/EL9's HA); 2.7's "
                    "str.splitlines ends lines at LF and CR only, the refusal stands for EL8/EL9")
def test_vt_ff_and_fs_end_a_line_for_the_liveliness_check():
    for char in "\x0b\x0c\x1c\x1d\x1e":
        assert len("fqdn=a{}b".format(char).splitlines()) == 2


def test_ha_strips_outer_blanks_that_bash_would_keep_or_split_on():
    assert keyvalue.parse("password=Secret \n")["password"] == "Secret"


def test_non_ascii_depends_on_the_locale_for_ha():
    raw = u"k=a\u00e9b\n".encode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("ascii")
    assert raw.decode("latin-1") != u"k=a\u00e9b\n"


# -- bash: refused classes, shown to run something or to stop reading ---------------------
#
# The file has neighbours around the line: before=1 above, port=3260 and after=2 below.
# "Refused" must be visible with the real bash: a command ran, a file appeared, a
# neighbour no longer reads back, or bash stopped.

NEIGHBOURS = {"before": "1", "port": "3260", "after": "2"}


def file_with(key, value):
    return "before=1\n{}={}\nport=3260\nafter=2\n".format(key, value)


def harm(sourced):
    """What bash did that it must not: empty when it ran nothing and read every neighbour."""
    seen = []
    if sourced.ran:
        seen.append("ran {}".format(sourced.ran))
    if sourced.created:
        seen.append("created {}".format(sourced.created))
    if sourced.stdout or sourced.stderr:
        seen.append("printed {!r}".format(sourced.stdout + sourced.stderr))
    lost = {key: sourced.values.get(key) for key, value in NEIGHBOURS.items()
            if sourced.values.get(key) != value}
    if lost:
        seen.append("neighbours {}".format(lost))
    if sourced.rc != 0:
        seen.append("status {}".format(sourced.rc))
    return seen


BASH_REFUSED = [
    pytest.param("Pw word", "unquoted blank", id="blank-runs-the-rest"),
    pytest.param("Pw;canary", "operator ';'", id="semicolon-runs"),
    pytest.param("Pw&canary", "operator '&'", id="ampersand-runs"),
    pytest.param("Pw|canary", "operator '|'", id="pipe-runs"),
    pytest.param("Pw>out", "operator '>'", id="greater-creates-a-file"),
    pytest.param("Pw<in", "operator '<'", id="less-reads-a-file"),
    pytest.param("Pw(x)", "operator '('", id="open-paren-syntax-error"),
    pytest.param("Pw)x", "operator ')'", id="close-paren-syntax-error"),
    pytest.param("Pw`canary`", "backquote", id="backquote-runs"),
    pytest.param("Pw$(canary)", "'$('", id="dollar-paren-runs"),
    pytest.param('"Pw$(canary)"', "'$('", id="dollar-paren-in-double-quotes-runs"),
    pytest.param('"Pw`canary`"', "backquote", id="backquote-in-double-quotes-runs"),
    pytest.param("Pw${before:+$(canary)}", "'${'", id="dollar-brace-runs"),
    pytest.param("Pw${x?}", "'${'", id="dollar-brace-stops-the-shell"),
    pytest.param("Pw$[before=7]", "'$['", id="dollar-bracket-assigns"),
    pytest.param("Pw'word", "unbalanced single quote", id="single-quote-swallows-lines"),
    pytest.param('Pw"word', "unbalanced double quote", id="double-quote-swallows-lines"),
    pytest.param("Pw$'wo\\'rd", "unbalanced $' quote", id="ansi-c-escaped-quote"),
    pytest.param("Pw\\", "trailing backslash", id="backslash-joins-the-next-line"),
    pytest.param("'Pw'\\", "trailing backslash", id="backslash-after-quotes-joins"),
]


@pytest.mark.parametrize("mode, options", BASH_MODES, ids=[m for m, _ in BASH_MODES])
@pytest.mark.parametrize("value, fragment", BASH_REFUSED)
def test_bash_runs_or_stops_on_refused_values(value, fragment, mode, options, tmp_path):
    reading = safety.bash_reading(value)
    assert reading.refused and fragment in reading.refused
    sourced = source_like_hosted_engine(file_with("password", value),
                                        ["password"] + list(NEIGHBOURS), str(tmp_path),
                                        options)
    assert harm(sourced), sourced


@pytest.mark.parametrize("value, fragment", BASH_REFUSED)
@pytest.mark.parametrize("key", ["password", "user", "mnt_options", "custom"])
def test_validator_refuses_what_bash_would_run_or_stop_on(key, value, fragment):
    values = config("iscsi", **{key: value})
    found = problems(values)
    problem = only_problem(values, key) if len(found) == 1 else None
    assert problem is not None, found
    assert fragment in problem.message
    if key in ("password", "user"):
        assert value not in str(problem) and "(hidden)" in problem.message
        assert "CHAP" in problem.fix


# -- bash: accepted classes, read differently by bash and only by bash ---------------------

BASH_DIFFERS = [
    pytest.param("Pw$HOME", id="dollar-name"),
    pytest.param("Pw$1x", id="dollar-digit"),
    pytest.param("Pw$$", id="dollar-dollar"),
    pytest.param("Pw\\x", id="backslash-before-a-letter"),
    pytest.param("Pw\\;x", id="backslash-before-an-operator"),
    pytest.param("Pw\\ x", id="backslash-before-a-blank"),
    pytest.param("'Pw word'", id="single-quoted-blank"),
    pytest.param("'Pw;$(x)`y`'", id="single-quoted-shell"),
    pytest.param('"Pw;|&<>()"', id="double-quoted-operators"),
    pytest.param('"Pw$HOME"', id="double-quoted-dollar-name"),
    pytest.param('Pw"a"\'b\'', id="mixed-quotes"),
    pytest.param("$'Pw\\x41\\''", id="ansi-c-quote"),
    pytest.param('$"Pw"', id="locale-quote"),
    pytest.param("~root", id="leading-tilde"),
    pytest.param("~", id="tilde-alone"),
    pytest.param("Pw:~/x", id="tilde-after-colon"),
]


def rendered_with(key, value):
    unit = valid(config("iscsi", **{key: value}))
    return unit, render.render_conf(unit)


@pytest.mark.parametrize("mode, options", BASH_MODES, ids=[m for m, _ in BASH_MODES])
@pytest.mark.parametrize("value", BASH_DIFFERS)
def test_accepted_password_runs_nothing_and_leaves_every_other_key_intact(
        value, mode, options, tmp_path):
    reading = safety.bash_reading(value)
    assert reading.refused is None and reading.differs, reading
    unit, text = rendered_with("password", value)
    expected = conf_values(text)
    sourced = source_like_hosted_engine(text, list(expected), str(tmp_path), options)
    assert (sourced.rc, sourced.stdout, sourced.stderr, sourced.created, sourced.ran) == (
        0, "", "", [], [])
    others = {key: item for key, item in expected.items() if key != "password"}
    assert {key: sourced.values[key] for key in others} == others
    assert sourced.values["password"] != value  # what the warning says


@pytest.mark.parametrize("value", BASH_DIFFERS)
def test_accepted_password_is_read_verbatim_by_ha_and_the_liveliness_regex(value):
    unit, text = rendered_with("password", value)
    assert keyvalue.parse(text)["password"] == value
    line = [line for line in text.split("\n") if line.startswith("password=")]
    assert LIVELINESS.match(line[0]).group(2) == value


@pytest.mark.parametrize("value", BASH_DIFFERS)
@pytest.mark.parametrize("key", ["password", "user"])
def test_accepted_chap_value_is_warned_about_without_showing_it(key, value):
    unit = valid(config("iscsi", **{key: value}))
    assert unit.get(key) == value
    (warning,) = [w for w in unit.warnings if w.startswith(key + ":")]
    assert "hosted-engine's bash reads another value" in warning
    assert "never uses {}".format(key) in warning
    assert value not in warning and PASSWORD not in warning


@pytest.mark.parametrize("value", ["Pw$HOME", "'soft'", "~root", "a\\b"])
def test_other_keys_bash_reads_differently_are_accepted_with_the_reason(value):
    unit = valid(config("glusterfs", mnt_options=value))
    (warning,) = [w for w in unit.warnings if w.startswith("mnt_options:")]
    assert "reads another value from this line (" in warning


@pytest.mark.parametrize("key, value", [
    pytest.param("conf", "/var/run/$x/vm.conf", id="conf-dollar"),
    pytest.param("conf", "/var/run/'ha'/vm.conf", id="conf-quotes"),
    pytest.param("conf", "/var/run/h\\a/vm.conf", id="conf-backslash"),
])
def test_keys_hosted_engine_uses_must_read_the_same_in_bash(key, value):
    problem = only_problem(config(**{key: value}), key)
    assert "read differently by bash" in problem.message and "${conf}" in problem.message


def test_every_other_printable_character_reads_back_the_same_everywhere(tmp_path):
    # Glob characters must not glob: a file that a* or [ab] would match exists in the cwd.
    (tmp_path / "w" / "cwd").mkdir(parents=True)
    (tmp_path / "w" / "cwd" / "ab").write_text("")
    same = "".join(c for c in PRINTABLE if c not in "$`\\'\";&|<>()~ ")
    values = {}
    for index, char in enumerate(same):
        values["m{}".format(index)] = "a{}b".format(char)
        values["s{}".format(index)] = "{}b".format(char)
        values["e{}".format(index)] = "a{}".format(char)
        values["o{}".format(index)] = char
    values.update(all=same, glob="a*", cls="[ab]", brace="{a,b}", braces="a{b}",
                  hist="a!b", comment="#x", assign="x=y", opt="-x", colon="a:b:/c",
                  gluster="backup-volfile-servers=gl2:gl3", empty="", dollar_end="a$",
                  dollar_slash="a$/b", mid_tilde="a~b")
    for value in values.values():
        assert safety.value_problem(value) is None
        assert safety.bash_reading(value) == safety.BashReading(), value
    text = "".join("{}={}\n".format(key, value) for key, value in values.items())
    for _mode, options in BASH_MODES:
        sourced = source_like_hosted_engine(text, list(values), str(tmp_path / "w"), options)
        assert (sourced.rc, sourced.stderr, sourced.created, sourced.ran) == (0, "", [], [])
        assert sourced.values == values
    assert keyvalue.parse(text) == values


# -- iscsi_paths_blacklist: '<>' is the broker's separator --------------------------------


@pytest.mark.parametrize("value", [
    pytest.param("eth1<>192.0.2.20", id="one-pair"),
    pytest.param("eth1<>192.0.2.20,eth2<>192.0.2.20", id="two-pairs"),
    pytest.param("bond0.100<>192.0.2.20", id="vlan"),
    pytest.param("eth1<>portal.example.com", id="host-name"),
    pytest.param("default<>192.0.2.20", id="iface-name-default"),
])
def test_iscsi_paths_blacklist_accepts_pairs(value):
    assert valid(config("iscsi", iscsi_paths_blacklist=value)).get(
        "iscsi_paths_blacklist") == value


@pytest.mark.parametrize("value, fragment", [
    pytest.param("", "has no '<>'", id="empty"),
    pytest.param("eth1", "has no '<>'", id="no-separator"),
    pytest.param("eth1<>192.0.2.20,", "has no '<>'", id="trailing-comma"),
    pytest.param("eth1<>192.0.2.20,,eth2<>192.0.2.20", "has no '<>'", id="empty-entry"),
    pytest.param("eth1<192.0.2.20", "operator '<'", id="only-less"),
    pytest.param("eth1>192.0.2.20", "operator '>'", id="only-greater"),
    pytest.param("eth1<>", "without a file name", id="nothing-after-the-separator"),
    pytest.param("eth1<><>192.0.2.20", "without a file name", id="doubled-separator"),
    pytest.param("eth1<>192.0.2.20 ", "blank", id="trailing-space"),
    pytest.param("eth1<>$(id)", "'$('", id="command-substitution"),
])
def test_iscsi_paths_blacklist_refusals(value, fragment):
    problem = only_problem(config("iscsi", iscsi_paths_blacklist=value),
                           "iscsi_paths_blacklist")
    assert fragment in problem.message


@pytest.mark.parametrize("value, fragment", [
    pytest.param("eth1<>192.0.2.99", "never matches", id="not-a-storage-address"),
    pytest.param("eth1<>192.0.2.20<>x", "uses only eth1<>192.0.2.20", id="two-separators"),
])
def test_iscsi_paths_blacklist_entries_that_do_nothing_are_warned(value, fragment):
    unit = valid(config("iscsi", iscsi_paths_blacklist=value))
    assert any(fragment in warning for warning in unit.warnings), unit.warnings


@pytest.mark.parametrize("key", ["mnt_options", "custom", "password"])
def test_angle_brackets_are_refused_in_every_other_key(key):
    problem = only_problem(config("iscsi", **{key: "eth1<>192.0.2.10"}), key)
    assert "operator '<'" in problem.message


@pytest.mark.parametrize("mode, options", BASH_MODES, ids=[m for m, _ in BASH_MODES])
def test_bash_reads_the_separator_as_a_harmless_redirection(mode, options, tmp_path):
    # `source` reads k=eth1<>192.0.2.10 as k=eth1 plus a read-write redirection, which
    # creates an empty file named 192.0.2.10 in the current directory and runs nothing.
    sourced = source_like_hosted_engine(
        "before=1\niscsi_paths_blacklist=eth1<>192.0.2.10,eth2<>192.0.2.11\nafter=2\n",
        ["before", "iscsi_paths_blacklist", "after"], str(tmp_path), options)
    assert (sourced.rc, sourced.stderr, sourced.ran) == (0, "", [])
    assert sourced.values == {"before": "1", "iscsi_paths_blacklist": "eth1",
                              "after": "2"}
    assert sourced.created == ["192.0.2.10,eth2", "192.0.2.11"]


@pytest.mark.parametrize("mode, options", BASH_MODES, ids=[m for m, _ in BASH_MODES])
def test_bash_stops_on_a_separator_with_nothing_after_it(mode, options, tmp_path):
    sourced = source_like_hosted_engine("before=1\niscsi_paths_blacklist=eth1<>\nafter=2\n",
                                        ["before", "after"], str(tmp_path), options)
    assert "syntax error" in sourced.stderr and sourced.values.get("after") != "2"


def test_ha_reads_the_blacklist_verbatim():
    assert keyvalue.parse("iscsi_paths_blacklist=eth1<>192.0.2.10\n") == {
        "iscsi_paths_blacklist": "eth1<>192.0.2.10"}


def test_bash_is_available():
    assert subprocess.call([BASH, "-c", "true"]) == 0
