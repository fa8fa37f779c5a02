"""otopiconf: typed values and config files read the way otopi reads them."""

import pytest

from ovirt_he_deploy import otopiconf
from ovirt_he_deploy.unit import DeployUnit, InvalidUnit, ValidUnit

from .helpers import config, unit, valid

KEY = "HOSTED_ENGINE_CONFIG/host_id"


@pytest.mark.parametrize("text, value", [
    pytest.param("bool:f", False, id="f"), pytest.param("bool:F", False, id="F"),
    pytest.param("bool:false", False, id="false"),
    pytest.param("bool:False", False, id="False"),
    pytest.param("bool:True", True, id="True"), pytest.param("bool:0", True, id="zero"),
    pytest.param("bool:no", True, id="no"), pytest.param("bool:", True, id="empty"),
    pytest.param("bool:FALSE", True, id="FALSE"), pytest.param("bool:n", True, id="n"),
    pytest.param("bool: false", True, id="leading-space"),
])
def test_bool_is_false_only_for_f_and_false(text, value):
    assert otopiconf.parse_typed("K", text) is value


@pytest.mark.parametrize("text, value", [
    pytest.param("none:", None, id="none-empty"),
    pytest.param("none:anything", None, id="none-ignores-value"),
    pytest.param("int:42", 42, id="int"), pytest.param("int:-3", -3, id="int-negative"),
    pytest.param("str:", "", id="str-empty"),
    pytest.param("str:a:b=c", "a:b=c", id="str-with-separators"),
    pytest.param("multi-str:a\nb", ["a", "b"], id="multi-str"),
])
def test_typed_values(text, value):
    assert otopiconf.parse_typed("K", text) == value


@pytest.mark.parametrize("text, fragment", [
    pytest.param("2", "missing 'type:'", id="missing-type"),
    pytest.param("integer:2", "unknown type 'integer'", id="unknown-type"),
    pytest.param("Str:2", "unknown type 'Str'", id="type-is-case-sensitive"),
    pytest.param("int:two", "is not an int", id="bad-int"),
])
def test_type_errors_name_the_key(text, fragment):
    with pytest.raises(ValueError) as caught:
        otopiconf.parse_typed(KEY, text)
    assert str(caught.value).startswith(KEY + ": ")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("text", ["hunter2secret", "int:hunter2secret", "bogus:hunter2secret"])
@pytest.mark.parametrize("key", ["HOSTED_ENGINE_CONFIG/password", "HOSTED_ENGINE_CONFIG/user"])
def test_type_errors_never_show_secret_values(key, text):
    with pytest.raises(ValueError) as caught:
        otopiconf.parse_typed(key, text)
    assert "hunter2secret" not in str(caught.value)
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text("[environment:default]\n{}={}\n".format(key, text))
    assert "hunter2secret" not in str(caught.value)


@pytest.mark.parametrize("value", [None, True, False, 0, 7, "", "a:b=c"])
def test_format_typed_round_trips(value):
    parsed = otopiconf.parse_typed("K", otopiconf.format_typed(value))
    assert parsed == value and type(parsed) is type(value)


def test_format_typed_refuses_other_types():
    with pytest.raises(TypeError):
        otopiconf.format_typed(1.5)


def test_config_file_errors_name_every_bad_key():
    text = ("[environment:default]\nHOSTED_ENGINE/action=str:deploy\n"
            "HOSTED_ENGINE_CONFIG/host_id=2\nHOSTED_ENGINE_CONFIG/port=integer:3260\n")
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text(text, source="unit.conf")
    assert [p.key for p in caught.value.problems] == [
        "HOSTED_ENGINE_CONFIG/host_id", "HOSTED_ENGINE_CONFIG/port"]
    assert "type:value" in caught.value.problems[0].fix


def test_duplicate_key_is_an_error_naming_key_section_and_line():
    text = ("# comment\n[environment:default]\nHOSTED_ENGINE_CONFIG/host_id=str:2\n"
            "HOSTED_ENGINE_CONFIG/host_id=str:3\n")
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text(text, source="unit.conf")
    (problem,) = caught.value.problems
    assert problem.key == "HOSTED_ENGINE_CONFIG/host_id"
    assert "[environment:default]" in problem.message and "unit.conf" in problem.message
    assert "line 4" in problem.message


@pytest.mark.parametrize("text", [
    pytest.param("HOSTED_ENGINE/action=str:deploy\n", id="no-section-header"),
    pytest.param("[environment]\nHOSTED_ENGINE/action=str:deploy\n", id="other-section"),
    pytest.param("", id="empty-file"),
])
def test_no_environment_section_is_an_error(text):
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text(text, source="unit.conf")
    (problem,) = caught.value.problems
    assert problem.key == "unit.conf"
    assert "[environment:default]" in problem.message + problem.fix


def test_parse_error_does_not_show_the_offending_line():
    text = "[environment:default]\nHOSTED_ENGINE_CONFIG/password str:hunter2secret\n"
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text(text, source="unit.conf")
    assert "hunter2secret" not in str(caught.value)


SECTIONS = ["default", "init", "override", "enforce"]


@pytest.mark.parametrize("present", [
    pytest.param(combo, id="+".join(combo)) for combo in [
        ["default"], ["init"], ["default", "init"], ["default", "override"],
        ["init", "override"], ["override", "enforce"], ["default", "enforce"],
        ["enforce", "default"], ["override", "init", "default"],
        ["default", "init", "override", "enforce"],
    ]
])
def test_section_precedence(present):
    text = "".join("[environment:{0}]\nK=str:{0}\n".format(name) for name in present)
    winner = max(present, key=SECTIONS.index)
    assert otopiconf.parse_config_text(text) == {"K": winner}


def test_sections_merge_different_keys_and_ignore_other_sections():
    text = ("[environment:default]\nA=int:1\nB=str:x\n[environment:enforce]\nB=str:y\n"
            "[other]\nC=str:z\n")
    assert otopiconf.parse_config_text(text) == {"A": 1, "B": "y"}


def test_keys_keep_their_case_and_values_their_colons():
    text = "[environment:default]\nHOSTED_ENGINE_CONFIG/sdUUID=str:a:b\n"
    assert otopiconf.parse_config_text(text) == {"HOSTED_ENGINE_CONFIG/sdUUID": "a:b"}


def test_multi_str_uses_continuation_lines():
    text = "[environment:default]\nK=multi-str:first\n  second\n  third\n"
    assert otopiconf.parse_config_text(text) == {"K": ["first", "second", "third"]}


@pytest.mark.parametrize("domain_type", ["nfs", "glusterfs", "iscsi", "fc"])
def test_format_unit_parse_round_trip(domain_type):
    checked = valid(config(domain_type, custom_key="x=y:z", mnt_options=""))
    text = otopiconf.format_unit(checked, extra=(("OVIRT_HE_DEPLOY/confOwner", "vdsm"),))
    environment = otopiconf.parse_config_text(text)
    assert environment["HOSTED_ENGINE/action"] == "deploy"
    assert environment["OVIRT_HE_DEPLOY/confOwner"] == "vdsm"
    again = DeployUnit.from_environment(environment)
    assert dict(again.config) == dict(checked.entries)
    assert valid(dict(again.config)).entries == checked.entries


def test_format_unit_header_warns_about_the_password():
    text = otopiconf.format_unit(valid(config("iscsi")))
    assert text.startswith("# ") and "0600" in text.split("[environment:default]")[0]
    assert text.endswith("\n") and "\r" not in text


def test_load_unit_reads_a_file(tmp_path):
    path = tmp_path / "unit.conf"
    path.write_text(otopiconf.format_unit(valid(config("fc"))))
    loaded = otopiconf.load_unit(str(path))
    assert loaded.action == "deploy"
    assert loaded == unit(dict(loaded.config))
    assert dict(loaded.config)["domainType"] == "fc"


def test_format_unit_of_a_remove_unit_has_the_action_only():
    text = otopiconf.format_unit(ValidUnit(action="remove"))
    assert text.startswith("# Hosted Engine remove unit")
    assert "CHAP" not in text and "password" not in text
    assert otopiconf.parse_config_text(text) == {"HOSTED_ENGINE/action": "remove"}


def test_format_unit_without_chap_does_not_mention_it():
    assert "CHAP" not in otopiconf.format_unit(valid(config("nfs")))


# -- the kind of file ----------------------------------------------------------------------


@pytest.mark.parametrize("data, fragment", [
    pytest.param(b"\xef\xbb\xbf[environment:default]\n", "byte order mark", id="utf8-bom"),
    pytest.param(b"\xff\xfe[\x00", "byte order mark", id="utf16-le-bom"),
    pytest.param(b"\xfe\xff\x00[", "byte order mark", id="utf16-be-bom"),
    pytest.param(b"a=1\x00\n", "NUL bytes", id="nul"),
    pytest.param(b"a=\xe9\n", "offset 2 is not UTF-8", id="latin-1"),
])
def test_text_problem_names_what_is_wrong_with_the_bytes(data, fragment):
    assert fragment in otopiconf.text_problem(data)


@pytest.mark.parametrize("data", [b"", b"a=1\n", "a=\u00e9\n".encode()])
def test_text_problem_accepts_text(data):
    assert otopiconf.text_problem(data) is None


def test_a_bom_unit_is_one_wrong_file_line():
    with pytest.raises(otopiconf.WrongFile) as caught:
        otopiconf.unit_from_bytes(b"\xef\xbb\xbf[environment:default]\n", "u.conf")
    assert isinstance(caught.value, InvalidUnit) and len(caught.value.problems) == 1
    assert "\n" not in str(caught.value) and str(caught.value).startswith("u.conf: starts ")
    assert "without a BOM" in str(caught.value)


def test_a_hosted_engine_conf_is_no_unit():
    text = "fqdn=engine.example.com\nhost_id=2\nsdUUID=x\n"
    assert otopiconf.looks_like_conf(text) and not otopiconf.looks_like_unit(text)
    with pytest.raises(otopiconf.WrongFile) as caught:
        otopiconf.unit_from_bytes(text.encode(), "he.conf")
    assert "answer-file --from-conf he.conf" in str(caught.value)


@pytest.mark.parametrize("text", [
    "[environment:default]\nHOSTED_ENGINE/action=str:deploy\n",
    "HOSTED_ENGINE_CONFIG/host_id=str:2\n",
    "HOSTED_ENGINE/action=str:remove\n",
])
def test_units_look_like_units(text):
    assert otopiconf.looks_like_unit(text) and not otopiconf.looks_like_conf(text)


def test_file_names_in_problems_are_escaped():
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text("x", source="u\x1b[2J.conf")
    assert "\x1b" not in str(caught.value) and "u\\x1b[2J.conf" in str(caught.value)


@pytest.mark.parametrize("text", [
    "[environment:default]\nK\x1b[2J=bogus:1\n",
    "[environment:default]\nK\x1b[2J=str:1\nK\x1b[2J=str:2\n",
])
def test_keys_in_problems_are_escaped(text):
    with pytest.raises(InvalidUnit) as caught:
        otopiconf.parse_config_text(text, source="u.conf")
    assert "\x1b" not in str(caught.value)
    assert all(problem.key.isprintable() for problem in caught.value.problems)
