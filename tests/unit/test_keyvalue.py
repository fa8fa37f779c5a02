"""keyvalue: key=value text read as ovirt-hosted-engine-ha's ConfigFile reads it, and edited."""

import collections

import pytest

from ovirt_he_deploy import keyvalue


@pytest.mark.parametrize("text, expected", [
    pytest.param("a=1\nb=2\n", {"a": "1", "b": "2"}, id="plain"),
    pytest.param(" a = 1 \t\n", {"a": "1"}, id="strips-key-and-value"),
    pytest.param("a=1\r\nb=2\r\n", {"a": "1", "b": "2"}, id="crlf"),
    pytest.param("a=1\rb=2", {"a": "1", "b": "2"}, id="lone-cr-ends-a-line"),
    pytest.param("m=backup-volfile-servers=h2:h3\n", {"m": "backup-volfile-servers=h2:h3"},
                 id="first-equals-only"),
    pytest.param("a=1\na=2\n", {"a": "2"}, id="last-wins"),
    pytest.param("# a=1\n  # b=2\n", {}, id="comments"),
    pytest.param("p=abc # x\n", {"p": "abc # x"}, id="no-inline-comments"),
    pytest.param('s="C=EN, L=Test"\n', {"s": '"C=EN, L=Test"'}, id="quotes-kept"),
    pytest.param("[section]\njunk\n\na=1\n", {"a": "1"}, id="no-equals-ignored"),
    pytest.param("=foo\n", {"": "foo"}, id="empty-key"),
    pytest.param("k=\n", {"k": ""}, id="empty-value"),
    pytest.param("export x=y\n", {"export x": "y"}, id="export-prefix-is-part-of-key"),
    pytest.param("p=ab\x0ccd\x85e\n", {"p": "ab\x0ccd\x85e"},
                 id="form-feed-and-nel-stay-in-the-value"),
])
def test_parse_follows_the_ha_reader(text, expected):
    assert keyvalue.parse(text) == expected


HA_CONF = (
    "# written by hand\n"
    "local_maintenance=True\n"
    "this line is junk\n"
    "\n"
    "  local_maintenance = True  \n"
    "other=1\n"
    "[section]\n"
)


def test_update_keeps_comments_and_junk_and_collapses_duplicates():
    out = keyvalue.update(HA_CONF, {"local_maintenance": "False"})
    assert out == ("# written by hand\n"
                   "local_maintenance=False\n"
                   "this line is junk\n"
                   "\n"
                   "other=1\n"
                   "[section]\n")
    assert keyvalue.parse(out)["local_maintenance"] == "False"


def test_update_appends_missing_keys_in_the_given_order():
    # an OrderedDict: a dict has no order on Python 2.7 (the library's callers pass these)
    out = keyvalue.update("other=1\n", collections.OrderedDict([("b", "2"), ("a", "1")]))
    assert out == "other=1\nb=2\na=1\n"


def test_update_of_empty_text():
    assert keyvalue.update("", {"a": "1"}) == "a=1\n"


def test_update_does_not_touch_commented_out_keys():
    out = keyvalue.update("#local_maintenance=True\n", {"local_maintenance": "False"})
    assert out == "#local_maintenance=True\nlocal_maintenance=False\n"


def test_update_adds_final_newline_and_writes_lf():
    assert keyvalue.update("a=1\r\nb=2", {"b": "3"}) == "a=1\nb=3\n"


def test_update_keeps_a_junk_line_with_a_form_feed_as_one_line():
    assert keyvalue.update("x\x0cy\n", {"a": "1"}) == "x\x0cy\na=1\n"


@pytest.mark.parametrize("value", [
    "Pw$HOME", "Pw\\x", "'Pw word'", '"Pw;|&<>()"', "$'Pw\\x41'", "~root", "Pw:~/x",
    "eth1<>192.0.2.10,eth2<>192.0.2.11", "a=b#c", "Pw$(x)", "Pw'unbalanced",
])
def test_ha_reads_shell_quoting_verbatim(value):
    # The broker hands exactly this to VDSM (lib/storage_server.py:57-58): no quote removal,
    # no expansion, no comment; only outer blanks are stripped.
    assert keyvalue.parse("before=1\npassword={}\nafter=2\n".format(value)) == {
        "before": "1", "password": value, "after": "2"}
