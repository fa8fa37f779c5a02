"""Every malformed deploy unit is refused by `ovirt-he-deploy check` and by an otopi run,
naming the key, and leaves the host exactly as it was."""

import os
import shlex

import pytest
from he_host import otopi_version

from ovirt_he_deploy import cli, clicommon, safety, validation
from ovirt_he_deploy.unit import DeployUnit, InvalidUnit

from .support import (
    CORPUS,
    CORPUS_PASSWORD,
    PREFIX,
    assert_no_secret_in_run,
    assert_no_secret_in_text,
    corpus_cases,
    example,
    failed_method,
    failed_stage,
    host_state,
    our_events,
)
from .support import cli as run_cli

CASES = corpus_cases()
BEFORE_VALIDATION = {"boot", "init", "setup"}  # setup: commands declared, nothing run
# CLEANUP always runs; our lock release there is the only event after a refusal.
ALLOWED_AFTER = {("cleanup", "customization.Plugin._cleanup")}
# Files configparser cannot read at all: otopi 1.8 fails in STAGE_INIT (EXPECTED.txt's
# "init"); otopi 1.10 logs the error at DEBUG and skips the file (plugins/otopi/core/
# config.py), so its run has no unit: action none, nothing happens.
SKIPPED_BY_OTOPI_1_10 = {"no-section.conf"}


def otopi_stage(case):
    """Where this otopi stops on the case (EXPECTED.txt is otopi 1.8's, where they differ)."""
    if case.file in SKIPPED_BY_OTOPI_1_10 and otopi_version() != "1.8":
        return "noop"
    return case.otopi


def test_the_corpus_is_big_and_indexed():

    files = sorted(name for name in os.listdir(CORPUS) if name.endswith(".conf"))
    assert sorted(case.file for case in CASES) == files
    assert len(files) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_check_refuses_and_names_the_key(case, capsys):
    code = cli.main(["check", case.path])
    out, err = capsys.readouterr()
    assert code == clicommon.EXIT_INVALID
    assert out == ""
    assert case.key_text in err, err
    assert_no_secret_in_text(out, err)


@pytest.mark.parametrize("case", CASES[::25], ids=[case.id for case in CASES[::25]])
def test_check_command_refuses_with_exit_1(case):
    """A sample through the real command line (python -m ovirt_he_deploy)."""
    result = run_cli("check", case.path)
    assert result.returncode == 1
    assert case.key_text in result.stderr
    assert_no_secret_in_text(result.stdout, result.stderr)


def assert_refused_before_any_change(result, host, before, key_text, stage="validation"):
    assert result.exit_code == 1, result.stdout[-3000:]
    assert failed_stage(result) == stage
    if stage == "validation":
        assert failed_method(result) == PREFIX + "customization.Plugin._validation"
        assert key_text in result.stdout
    ours = our_events(result)
    later = [event for event in ours if event[0] not in BEFORE_VALIDATION | {"validation"}]
    assert set(later) <= ALLOWED_AFTER, later
    assert not [call for call in result.calls if not call.startswith(("init", "validation"))]
    assert host_state(host) == before
    assert not host.read(host.lock), "no lock file is left behind by a refused run"
    assert_no_secret_in_run(result, host)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_otopi_run_refuses_and_leaves_the_host_alone(case, deployed):
    host = deployed
    before = host_state(host)
    result = host.run(case.path)
    stage = otopi_stage(case)
    if stage == "noop":
        # otopi reads nothing from such a file: no unit, action none, nothing happens.
        assert result.exit_code == 0
        # The validation event runs (it sees the action is none) and does nothing.
        assert not [event for event in our_events(result)
                    if event[0] not in BEFORE_VALIDATION | {"validation"}
                    and event not in ALLOWED_AFTER]
        assert host_state(host) == before
        return
    assert_refused_before_any_change(result, host, before, case.key_text, stage=stage)


# Values and keys a config file cannot carry (configparser strips trailing blanks, reads
# CR as a line end and splits keys at '='); generated here, with readable ids. The otopi
# run gets them as command-line statements (in-process, so even NUL reaches the double).
GENERATED = [
    ("value-cr", "fqdn", "engine.example.com\rx=1"),
    ("value-lf", "fqdn", "engine.example.com\nx=$(id)"),
    ("value-nul", "fqdn", "engine.example.com\x00x"),
    ("value-trailing-blank", "fqdn", "engine.example.com "),
    ("value-trailing-tab", "bridge", "ovirtmgmt\t"),
    ("value-del", "bridge", "ovirt\x7fmgmt"),
    ("value-escape-sequence", "fqdn", "engine\x1b[2J"),
    ("password-lf", "password", CORPUS_PASSWORD + "\nhost_id=1"),
    ("password-cr", "password", CORPUS_PASSWORD + "\r"),
    ("password-nul", "password", CORPUS_PASSWORD + "\x00"),
    ("password-trailing-blank", "password", CORPUS_PASSWORD + " "),
    ("user-leading-blank", "user", " hrdn-chapusr"),
]
GENERATED_KEYS = [
    ("key-equals", "host=id", "2"),
    ("key-lf", "host_id\n", "2"),
    ("key-cr", "host\rid", "2"),
    ("key-nul", "host\x00id", "2"),
]


def base_unit():
    from ovirt_he_deploy import otopiconf
    return otopiconf.load_unit(example("iscsi-chap.conf"))


@pytest.mark.parametrize("key,value", [(k, v) for _, k, v in GENERATED] +
                         [(k, v) for _, k, v in GENERATED_KEYS],
                         ids=[i for i, _, _ in GENERATED] + [i for i, _, _ in GENERATED_KEYS])
def test_validator_refuses_generated_unit(key, value):
    unit = base_unit()
    config = dict(unit.config)
    config[key] = value
    with pytest.raises(InvalidUnit) as refused:
        validation.check(DeployUnit(action=unit.action, config=tuple(config.items())))
    # Keys are shown escaped (no raw LF, CR or NUL in a message).
    assert safety.printable("HOSTED_ENGINE_CONFIG/" + key) in [
        p.key for p in refused.value.problems]
    assert_no_secret_in_text(str(refused.value), repr(refused.value.problems),
                             extra=(value,) if key in ("password", "user") else ())


@pytest.mark.parametrize("key,value", [(k, v) for _, k, v in GENERATED],
                         ids=[i for i, _, _ in GENERATED])
def test_otopi_run_refuses_generated_value(key, value, deployed):
    host = deployed
    before = host_state(host)
    statement = "HOSTED_ENGINE_CONFIG/{}={}".format(key, shlex.quote("str:" + value))
    result = host.run(example("iscsi-chap.conf"), statement)
    assert_refused_before_any_change(result, host, before, "HOSTED_ENGINE_CONFIG/" + key)
    if key in ("password", "user"):
        assert_no_secret_in_run(result, host, extra=(value,))


# -- units refused before issue 12 that every reader reads as intended ----------------------

ACCEPTED = os.path.join(CORPUS, "accepted")


def accepted_cases():
    with open(os.path.join(ACCEPTED, "ACCEPTED.txt")) as stream:
        return [tuple(line.split()) for line in stream
                if line.strip() and not line.startswith("#")]


def test_the_accepted_corpus_is_indexed():
    files = sorted(name for name in os.listdir(ACCEPTED) if name.endswith(".conf"))
    assert sorted(name for name, _ in accepted_cases()) == files


@pytest.mark.parametrize("name, key", accepted_cases(), ids=[n for n, _ in accepted_cases()])
def test_check_accepts_with_a_warning_naming_the_key(name, key, capsys):
    code = cli.main(["check", os.path.join(ACCEPTED, name)])
    out, err = capsys.readouterr()
    assert code == clicommon.EXIT_OK, err
    assert out.startswith("valid: action deploy")
    assert [line for line in err.splitlines() if line.startswith("warning: ") and
            (line.startswith("warning: " + key) or "{}=".format(key) in line)], err
    assert_no_secret_in_text(out, err, extra=("Hx9$pw",))


@pytest.mark.parametrize("name, key", accepted_cases(), ids=[n for n, _ in accepted_cases()])
def test_otopi_run_deploys_the_value_as_written(name, key, deployed):
    from ovirt_he_deploy import otopiconf
    unit = otopiconf.load_unit(os.path.join(ACCEPTED, name))
    value = dict(unit.config)[key]
    result = deployed.run(os.path.join(ACCEPTED, name))
    assert result.exit_code == 0, result.stdout[-3000:]
    conf = deployed.read(deployed.conf).decode()
    assert "\n{}={}\n".format(key, value) in conf
    assert_no_secret_in_run(result, deployed, extra=("Hx9$pw",))
