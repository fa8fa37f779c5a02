"""compat: the names that differ between Python 2.7 and 3 behave alike on both.

Written in the syntax both read: it runs in the py27 suite too.
"""

import sys
import time

import pytest

from ovirt_he_deploy import compat, keychecks

PY2 = sys.version_info[0] == 2


def test_type_checking_is_false_at_run_time():
    assert compat.TYPE_CHECKING is False


def test_text_and_integer_types():
    assert isinstance("text", compat.TEXT_TYPES)
    assert not isinstance(1, compat.TEXT_TYPES)
    assert isinstance(10 ** 30, compat.INTEGER_TYPES)  # a long on Python 2
    assert not isinstance(1.0, compat.INTEGER_TYPES)


@pytest.mark.parametrize("value,expected", [
    ("plain", "'plain'"),
    ("a\x1bb", "'a\\x1bb'"),
    ("it's", '"it\'s"'),
    (u"\xe9", "'\\xe9'"),
    (u"\u202e", "'\\u202e'"),
    (True, "True"),
], ids=["plain", "escape", "quote", "latin1", "bidi", "bool"])
def test_ascii_writes_what_python3_writes(value, expected):
    assert compat.ascii(value) == expected


@pytest.mark.parametrize("text,expected", [
    ("host_id=2", True),
    ("a b", True),
    ("", True),
    ("tab\there", False),
    ("esc\x1b", False),
    ("del\x7f", False),
    (u"\xe9t\xe9", True),
    (u"\u202e", False),
    (u"\xa0", False),
], ids=["ascii", "space", "empty", "tab", "esc", "del", "accented", "bidi", "nbsp"])
def test_isprintable_is_str_isprintable(text, expected):
    assert compat.isprintable(text) is expected


@pytest.mark.skipif(not PY2, reason="Python 2 only: native str is bytes there")
def test_isprintable_takes_no_byte_above_127_for_printable_on_python2():
    assert not compat.isprintable("\xc3\xa9")


ALL_BYTES = bytes(bytearray(range(256)))


def test_text_from_bytes_keeps_every_byte():
    text = compat.text_from_bytes(ALL_BYTES)
    assert isinstance(text, str)
    assert compat.bytes_from_text(text) == ALL_BYTES
    assert compat.bytes_from_text(text.replace("A", "B")) == ALL_BYTES.replace(b"A", b"B")


def test_bytes_from_text_of_ascii_text():
    assert compat.bytes_from_text("a=1\n") == b"a=1\n"


def test_readable_text_keeps_ascii_and_replaces_the_rest():
    text = compat.readable_text(b"host_id=2\xc3\n")
    assert isinstance(text, str)
    assert text.startswith("host_id=2") and text.endswith("\n")
    assert len(text) == len("host_id=2?\n")
    if not PY2:
        assert text == "host_id=2\ufffd\n"


def test_monotonic_does_not_go_back_and_counts_seconds():
    first = compat.monotonic()
    time.sleep(0.05)
    second = compat.monotonic()
    assert 0.0 < second - first < 5.0  # in steps of 1/100 s on Python 2


@pytest.mark.parametrize("text,expected", [
    ("192.0.2.10", True),
    ("::1", True),
    ("2001:db8::10", True),
    ("::ffff:192.0.2.10", True),
    ("192.0.2", False),
    ("192.0.2.256", False),
    ("010.0.2.1", False),
    ("fe80::1%eth0", False),
    (" 192.0.2.10", False),
    ("192.0.2.10\n", False),
    ("192.0.2.10\x00", False),
    (u"\u0661.2.3.4", False),
    ("engine.example.com", False),
    ("", False),
], ids=["ipv4", "ipv6-loopback", "ipv6", "ipv4-mapped", "three-parts", "octet-256",
        "leading-zero", "zone", "leading-blank", "trailing-lf", "nul", "arabic-digit",
        "name", "empty"])
def test_is_address_reads_addresses_as_the_resolver_does_on_every_python(text, expected):
    assert keychecks.is_address(text) is expected
