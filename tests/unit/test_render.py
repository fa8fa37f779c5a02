"""render.render_conf against golden files, and the rendered file read back by every reader.

Regenerate the golden files after an intended change (then review the diff):
    OVIRT_HE_DEPLOY_REGEN_GOLDEN=1 python3 -m pytest tests/unit/test_render.py
"""

import os
import re
import sys

import pytest
from he_host import unit_environment

from ovirt_he_deploy import confkeys, keyvalue, render, validation
from ovirt_he_deploy.unit import DeployUnit

from .helpers import GOLDEN, bash_source, config, valid

REGEN_ENV = "OVIRT_HE_DEPLOY_REGEN_GOLDEN"
NAMES = ["nfs", "nfs4", "glusterfs", "iscsi-chap", "fc"]
LIVELINESS_RE = re.compile(r"^([^=]+)=(.*)$")


def golden_unit(name):
    return DeployUnit.from_environment(
        unit_environment(os.path.join(GOLDEN, name + ".unit.conf")))


def golden_conf_path(name):
    return os.path.join(GOLDEN, name + ".hosted-engine.conf")


def expected_values(name):
    """The input values of a golden unit, as text, without the keys that are dropped."""
    return {key: str(value) for key, value in golden_unit(name).config
            if key not in confkeys.LEGACY_KEYS}


def rendered(name):
    return render.render_conf(validation.check(golden_unit(name))).encode("ascii")


@pytest.mark.parametrize("name", NAMES)
def test_render_matches_golden_file(name):
    data = rendered(name)
    path = golden_conf_path(name)
    if os.environ.get(REGEN_ENV):
        with open(path, "wb") as stream:
            stream.write(data)
        pytest.skip("regenerated {}".format(path))
    with open(path, "rb") as stream:
        assert data == stream.read()


@pytest.mark.parametrize("name", NAMES)
def test_rendered_format(name):
    data = rendered(name)
    text = data.decode("ascii")
    assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
    lines = text.split("\n")[:-1]
    assert lines[0].startswith("# ") and "=" not in lines[0]
    body = [line for line in lines if not line.startswith("#")]
    assert lines[:len(lines) - len(body)] == [line for line in lines if line.startswith("#")]
    for line in body:
        key, _, value = line.partition("=")
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key), line
        assert value == value.strip() and " " not in line
    keys = [line.partition("=")[0] for line in body]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("name", NAMES)
def test_same_input_gives_same_bytes(name):
    assert rendered(name) == rendered(name)


def test_known_keys_in_canonical_order_then_unknown_keys_sorted():
    body = [line.partition("=")[0] for line in rendered("nfs").decode().splitlines()
            if not line.startswith("#")]
    assert body[-2:] == ["site_owner", "zz_site_note"]
    assert body[:-2] == sorted(body[:-2], key=confkeys.CANONICAL_ORDER.index)
    for legacy in confkeys.LEGACY_KEYS:
        assert legacy not in body


def test_render_does_not_depend_on_input_order():
    values = config("iscsi", zz="1", aa="2")
    reversed_values = dict(reversed(list(values.items())))
    assert render.render_conf(valid(values)) == render.render_conf(valid(reversed_values))


def test_empty_value_is_rendered_as_key_and_equals_sign():
    assert "\nstorage=\n" in rendered("fc").decode()


def test_template_is_strict_about_missing_values():
    import jinja2
    template = render.load_template(render.CONF_TEMPLATE)
    with pytest.raises(jinja2.UndefinedError):
        template.render()


# -- round trip: the four readers of hosted-engine.conf ---------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_bash_source_reads_back_every_input_value(name, tmp_path):
    path = tmp_path / "hosted-engine.conf"
    path.write_bytes(rendered(name))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    rc, added, stderr = bash_source(str(path), str(cwd))
    assert (rc, stderr) == (0, "")
    assert added == expected_values(name)
    assert os.listdir(str(cwd)) == []


@pytest.mark.parametrize("name", NAMES)
def test_ha_config_file_reader_reads_back_every_input_value(name):
    assert keyvalue.parse(rendered(name).decode("ascii")) == expected_values(name)


@pytest.mark.parametrize("name", NAMES)
def test_liveliness_regex_reads_back_every_input_value(name):
    values = {}
    for line in rendered(name).decode("ascii").split("\n"):
        match = LIVELINESS_RE.match(line)
        if match:
            values[match.group(1)] = match.group(2)
    assert values == expected_values(name)


@pytest.mark.skipif(sys.version_info[0] < 3, reason="otopiconf is the CLI's: Python 3 only")
@pytest.mark.parametrize("name", NAMES)
def test_otopi_round_trip_through_format_unit(name):
    from ovirt_he_deploy import otopiconf
    unit = validation.check(golden_unit(name))
    again = validation.check(DeployUnit.from_environment(
        otopiconf.parse_config_text(otopiconf.format_unit(unit))))
    assert again.entries == unit.entries
    assert render.render_conf(again) == render.render_conf(unit)
