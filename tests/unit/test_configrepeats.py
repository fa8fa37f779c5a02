"""configrepeats: keys of ours set twice in an otopi config file, found as configparser
finds them (Python 2 and 3)."""

import os
import sys

import pytest

from ovirt_he_deploy import configrepeats

UNIT = ("[environment:default]\nHOSTED_ENGINE/action=str:deploy\n"
        "HOSTED_ENGINE_CONFIG/host_id=str:4\n")


def found(text):
    return [(r.key, r.section, r.first, r.again) for r in configrepeats.repeats(text, "u.conf")]


@pytest.mark.parametrize("text, expected", [
    pytest.param(UNIT, [], id="clean"),
    pytest.param(UNIT + "HOSTED_ENGINE_CONFIG/host_id=str:5\n",
                 [("HOSTED_ENGINE_CONFIG/host_id", "environment:default", 3, 4)], id="key"),
    pytest.param(UNIT + "HOSTED_ENGINE_CONFIG/host_id : str:5\n",
                 [("HOSTED_ENGINE_CONFIG/host_id", "environment:default", 3, 4)],
                 id="colon-delimiter-and-blanks"),
    pytest.param(UNIT + "HOSTED_ENGINE/action=str:none\n",
                 [("HOSTED_ENGINE/action", "environment:default", 2, 4)], id="the-action"),
    pytest.param(UNIT + "[environment:default]\nHOSTED_ENGINE_CONFIG/fqdn=str:e\n",
                 [(None, "environment:default", 1, 4)], id="section"),
    pytest.param(UNIT + "[environment:init]\nHOSTED_ENGINE_CONFIG/host_id=str:5\n", [],
                 id="same-key-in-another-section-is-otopis-layering"),
    pytest.param(UNIT + "hosted_engine_config/host_id=str:5\n", [],
                 id="keys-are-case-sensitive-in-otopi"),
    pytest.param(UNIT + "# HOSTED_ENGINE_CONFIG/host_id=str:5\n; HOSTED_ENGINE/action=x\n", [],
                 id="comments"),
    pytest.param("[environment:default]\nHOSTED_ENGINE_CONFIG/x=multi-str:a\n"
                 "  HOSTED_ENGINE_CONFIG/x=b\n", [], id="continuation-line"),
    pytest.param("[environment:default]\nCORE/logDir=str:/a\nCORE/logDir=str:/b\n", [],
                 id="not-ours"),
    pytest.param("[other]\nx=1\n[other]\nHOSTED_ENGINE/action=str:none\n",
                 [(None, "other", 1, 3)], id="any-section-holding-ours"),
    pytest.param("[environment:default]\nHOSTED_ENGINE/actoin=str:deploy\n"
                 "HOSTED_ENGINE/actoin=str:none\n",
                 [("HOSTED_ENGINE/actoin", "environment:default", 2, 3)],
                 id="misspelt-keys-of-ours-too"),
])
def test_repeats(text, expected):
    assert found(text) == expected


@pytest.mark.skipif(sys.version_info[0] < 3, reason="Python 3's strict configparser")
@pytest.mark.parametrize("text", [
    UNIT + "HOSTED_ENGINE_CONFIG/host_id=str:5\n",
    UNIT + "[environment:default]\nHOSTED_ENGINE_CONFIG/fqdn=str:e\n",
    UNIT + "\tHOSTED_ENGINE_CONFIG/host_id=str:5\n",
    UNIT + "[environment:init]\nHOSTED_ENGINE_CONFIG/host_id=str:5\n",
    UNIT + "HOSTED_ENGINE_CONFIG/host_id = str:4\n",
])
def test_found_exactly_where_python3s_configparser_stops(text):
    import configparser

    parser = configparser.RawConfigParser()
    parser.optionxform = str
    try:
        parser.read_string(text)
        stops = False
    except (configparser.DuplicateOptionError, configparser.DuplicateSectionError):
        stops = True
    assert bool(found(text)) == stops


def test_the_message_names_file_key_lines_and_fix_not_the_value():
    text = (UNIT + "HOSTED_ENGINE_CONFIG/password=str:Secret1\n"
            "HOSTED_ENGINE_CONFIG/password=str:Secret2\n")
    message = configrepeats.repeats(text, "/root/unit.conf")[0].message()
    assert "/root/unit.conf" in message
    assert "HOSTED_ENGINE_CONFIG/password twice in section [environment:default]" in message
    assert "(lines 4 and 5)" in message
    assert "Fix: keep one line for HOSTED_ENGINE_CONFIG/password." in message
    assert "nothing was changed" in message
    assert "Secret" not in message


def test_files_are_listed_as_otopi_lists_them(tmp_path):
    root = str(tmp_path)
    main = os.path.join(root, "otopi.conf")
    with open(main, "w") as stream:
        stream.write(UNIT)
    os.mkdir(main + ".d")
    for name in ("b.conf", "a.conf", "c.txt"):
        with open(os.path.join(main + ".d", name), "w") as stream:
            stream.write("")
    append = os.path.join(root, "unit.conf")
    with open(append, "w") as stream:
        stream.write(UNIT)

    def resolve(path):
        return path if os.path.isabs(path) else os.path.join(root, path)

    assert configrepeats.config_files(main, "::unit.conf:missing.conf", resolve) == [
        main, os.path.join(main + ".d", "a.conf"), os.path.join(main + ".d", "b.conf"), append]
    assert configrepeats.config_files(None, None, resolve) == []


def test_file_repeats_reads_only_files_that_name_ours(tmp_path):
    ours = tmp_path / "ours.conf"
    ours.write_bytes((UNIT + "HOSTED_ENGINE_CONFIG/host_id=str:5\n").encode("ascii"))
    other = tmp_path / "other.conf"
    other.write_bytes(b"[environment:default]\nA/b=str:1\nA/b=str:2\n\xff\n")
    assert [r.key for r in configrepeats.file_repeats(str(ours))] == [
        "HOSTED_ENGINE_CONFIG/host_id"]
    assert configrepeats.file_repeats(str(other)) == []
    assert configrepeats.file_repeats(str(tmp_path / "absent.conf")) == []
