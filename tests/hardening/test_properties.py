"""Property tests: what the validator accepts reads back identically in every reader of
hosted-engine.conf; what it cannot write safely it refuses; it only ever fails its own way.

Profiles (conftest.py): HYPOTHESIS_PROFILE=ci (default) or fuzz (tox -e fuzz)."""

import re
import string
import tempfile

from hypothesis import example, given
from hypothesis import strategies as st
from unit.helpers import BASH_MODES, source_like_hosted_engine

from ovirt_he_deploy import keyvalue, otopiconf, render, safety, validation
from ovirt_he_deploy.unit import DeployUnit, InvalidUnit

LIVELINESS = re.compile(r"^([^=]+)=(.*)$")
UUID = "5c1d2e3f-{:04x}-4a5b-8c9d-0e1f2a3b4c5d"
COMMON = {
    "fqdn": "engine.example.com", "vm_disk_id": UUID.format(1), "vm_disk_vol_id": UUID.format(2),
    "vmid": UUID.format(3), "conf": "/var/run/ovirt-hosted-engine-ha/vm.conf", "host_id": "4",
    "spUUID": "00000000-0000-0000-0000-000000000000", "sdUUID": UUID.format(4),
    "gateway": "192.0.2.1", "bridge": "ovirtmgmt", "network_test": "ping",
    "metadata_volume_UUID": UUID.format(5), "metadata_image_UUID": UUID.format(6),
    "lockspace_volume_UUID": UUID.format(7), "lockspace_image_UUID": UUID.format(8),
    "conf_volume_UUID": UUID.format(9), "conf_image_UUID": UUID.format(10),
}
BY_TYPE = {
    "nfs": {"storage": "nfs.example.com:/exports/he", "connectionUUID": UUID.format(11)},
    "glusterfs": {"storage": "gluster.example.com:/he", "connectionUUID": UUID.format(11)},
    "iscsi": {"storage": "192.0.2.20", "iqn": "iqn.2024-01.com.example:he", "portal": "1",
              "port": "3260"},
    "fc": {},
}
# Keys whose values are free text as far as the validator goes.
FREE_KEYS = ("mnt_options", "password", "user")

SAFE = "".join(c for c in string.printable[:95]
               if c not in safety.SHELL_SPECIAL and c != " ")
UNSAFE = "".join(sorted(safety.SHELL_SPECIAL)) + " \t\n\r\x00\x0b\x0c\x1b\x7f"
# Refused wherever they stand between safe characters: they run, redirect, split, stop
# bash, or the readers split or decode them apart. ($ \\ ~ only may be read differently.)
ALWAYS_REFUSED = ";&|<>()`'\" \t\n\r\x00\x0b\x0c\x1b\x7f\u00e9"
SHELL_HEAVY = SAFE[:8] + " :/~$'\"\\`;&|<>(){}[]*?#!=,@%^+-"
BROAD = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(SAFE + UNSAFE)

domain_types = st.sampled_from(sorted(BY_TYPE))
safe_values = st.text(alphabet=SAFE, max_size=30)
unknown_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


def base(domain_type):
    config = dict(COMMON, domainType=domain_type)
    config.update(BY_TYPE[domain_type])
    return config


def unit_of(config, action="deploy"):
    return DeployUnit(action=action, config=tuple(config.items()))


def assert_reads_back(valid):
    """HA and the liveliness regex read every value back; bash runs nothing, reads every
    value back that it does not read differently by design (those are warned about)."""
    text = render.render_conf(valid)
    expected = dict(valid.entries)
    assert text.encode("ascii")
    # The HA reader.
    assert keyvalue.parse(text) == expected
    # hosted-engine --check-liveliness: the regex, no stripping, no comment handling.
    seen = {}
    for line in text.split("\n"):
        match = LIVELINESS.match(line)
        if match and not line.startswith("#"):
            seen[match.group(1)] = match.group(2)
    assert seen == expected
    # hosted-engine: bash source, as root, in both modes.
    same = {key: value for key, value in expected.items()
            if safety.bash_reading(value, key == "iscsi_paths_blacklist").differs is None}
    differing = set(expected) - set(same)
    assert all(any(w.startswith(key + ":") for w in valid.warnings) for key in differing)
    with tempfile.TemporaryDirectory() as workdir:
        for _mode, options in BASH_MODES:
            sourced = source_like_hosted_engine(text, list(expected), workdir, options)
            assert (sourced.rc, sourced.stdout, sourced.ran) == (0, "", [])
            if "iscsi_paths_blacklist" not in expected:
                assert (sourced.stderr, sourced.created) == ("", [])
            assert {key: sourced.values[key] for key in same} == same


@given(domain_types, st.dictionaries(st.sampled_from(FREE_KEYS), safe_values, max_size=3),
       st.dictionaries(unknown_keys, safe_values, max_size=3))
@example("nfs", {}, {"UID": "5"})
@example("nfs", {}, {"PATH": "/tmp"})
@example("nfs", {}, {"_": "x"})
@example("iscsi", {"user": "u", "password": "p=%^*!#/,:+@"}, {})
def test_accepted_units_read_back_identically_everywhere(domain_type, free, unknown):
    config = base(domain_type)
    config.update(free)
    for key, value in unknown.items():
        config.setdefault(key, value)
    valid, problems = validation.validate(unit_of(config))
    if valid is None:
        assert problems and all(isinstance(p.key, str) for p in problems)
        return
    assert_reads_back(valid)


@given(domain_types, st.sampled_from(FREE_KEYS + ("fqdn", "bridge", "extra_key")),
       st.text(alphabet=BROAD, max_size=20))
def test_any_value_the_validator_takes_reads_back(domain_type, key, value):
    config = base(domain_type)
    config[key] = value
    valid, _problems = validation.validate(unit_of(config))
    if valid is not None:
        assert_reads_back(valid)


@given(domain_types, st.sampled_from(FREE_KEYS + ("fqdn", "bridge", "mnt_options", "sdUUID")),
       safe_values, st.sampled_from(ALWAYS_REFUSED), safe_values)
def test_control_and_shell_characters_are_refused(domain_type, key, before, bad, after):
    config = base(domain_type)
    config[key] = before + bad + after
    valid, problems = validation.validate(unit_of(config))
    assert valid is None
    assert "HOSTED_ENGINE_CONFIG/" + key in [problem.key for problem in problems]


@given(st.text(alphabet=SHELL_HEAVY, min_size=1, max_size=14),
       st.sampled_from(("password", "user", "mnt_options", "site_note")))
@example("'Pw word'", "password")
@example("$'a\\'b'", "password")
@example('"a$(id)"', "password")
@example("a\\", "password")
@example("~root:~/x", "mnt_options")
def test_any_accepted_shell_value_runs_nothing_and_keeps_the_other_lines(value, key):
    # The CHAP password classes: whatever the validator accepts, hosted-engine's bash runs
    # nothing and stops nowhere, every other key reads back exactly, HA reads it verbatim.
    config = dict(base("iscsi"), user="u", password="p")
    config[key] = value
    valid, problems = validation.validate(unit_of(config))
    if valid is None:
        assert problems
        return
    assert_reads_back(valid)


@given(st.text(alphabet=BROAD, min_size=1, max_size=12))
def test_keys_that_are_no_shell_identifiers_are_refused(key):
    config = base("nfs")
    config[key] = "x"
    valid, problems = validation.validate(unit_of(config))
    if valid is not None:
        assert_reads_back(valid)
    else:
        assert problems


wire = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(alphabet=BROAD, max_size=20), st.lists(st.text(max_size=5), max_size=3),
                 st.binary(max_size=5))


@given(wire, st.lists(st.tuples(st.text(alphabet=BROAD, max_size=15), wire), max_size=8),
       st.booleans())
def test_validation_fails_only_its_own_way(action, config, on_valid_base):
    if on_valid_base:
        config = list(base("iscsi").items()) + config
    unit = DeployUnit(action=action, config=tuple(config))
    valid, problems = validation.validate(unit)
    assert (valid is None) == bool(problems) or (valid is None and action is not None)
    try:
        validation.check(unit)
    except InvalidUnit as error:
        assert error.problems
    if valid is not None and valid.action == "deploy":
        assert_reads_back(valid)


@given(st.text(alphabet=BROAD, max_size=200))
@example("[environment:default]\nHOSTED_ENGINE_CONFIG/x=int:1e3\n")
@example("[environment:default]\n[environment:default]\n")
@example("[environment:default]\nHOSTED_ENGINE_CONFIG/x\n")
def test_config_text_fails_only_its_own_way(text):
    try:
        otopiconf.parse_config_text(text)
    except InvalidUnit as error:
        assert error.problems
