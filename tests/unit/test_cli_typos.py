"""Misspelt keys through check, preview and answer-file: named where they are made, with the
key meant; unknown far keys accepted with a warning on a line of its own."""

import os

import pytest

from ovirt_he_deploy import cli, clicommon, otopiconf, render, validation

from .helpers import EXAMPLES, GOLDEN

NFS = os.path.join(EXAMPLES, "nfs.conf")
ISCSI_UNIT = os.path.join(GOLDEN, "iscsi-chap.unit.conf")


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def edited(tmp_path, old, new, extra=""):
    """The nfs example with one piece of text replaced (every occurrence) and lines added."""
    with open(NFS) as stream:
        text = stream.read()
    assert old in text
    path = tmp_path / "unit.conf"
    path.write_text(text.replace(old, new) + extra)
    return str(path)


CHECK_REFUSALS = [
    pytest.param("HOSTED_ENGINE/action=", "HOSTED_ENGINE/actoin=",
                 ["HOSTED_ENGINE/actoin: is not a deploy-unit key: under HOSTED_ENGINE/ there "
                  "is only action, so nothing reads this line (and without HOSTED_ENGINE/action "
                  "the action is none: nothing would be done). Fix: rename it to "
                  "HOSTED_ENGINE/action (e.g. HOSTED_ENGINE/action=str:deploy)."],
                 id="misspelt-action"),
    pytest.param("HOSTED_ENGINE_CONFIG/", "HOSTED_ENGINE_CONFIGS/",
                 ["invalid (1 problem)", "HOSTED_ENGINE_CONFIGS/: is not a deploy-unit prefix",
                  "Fix: write HOSTED_ENGINE_CONFIG/ instead of HOSTED_ENGINE_CONFIGS/"],
                 id="plural-prefix"),
    pytest.param("HOSTED_ENGINE/action=", "HOSTED-ENGINE/action=",
                 ["HOSTED-ENGINE/: is not a deploy-unit prefix",
                  "rename HOSTED-ENGINE/action to HOSTED_ENGINE/action"], id="hyphen-prefix"),
    pytest.param("HOSTED_ENGINE_CONFIG/gateway=", "HOSTED_ENGINE_CONFIG/gatway=",
                 ["invalid (1 problem)",
                  "HOSTED_ENGINE_CONFIG/gatway: is not a hosted-engine.conf key but one edit "
                  "from gateway", "Fix: rename it to HOSTED_ENGINE_CONFIG/gateway"],
                 id="misspelt-conf-key"),
]


@pytest.mark.parametrize("old, new, fragments", CHECK_REFUSALS)
def test_check_names_the_typo_and_the_key_meant(old, new, fragments, tmp_path, capsys):
    code, out, err = run(["check", edited(tmp_path, old, new)], capsys)
    assert code == clicommon.EXIT_INVALID and out == ""
    for fragment in fragments:
        assert fragment in err
    assert "is missing" not in err


def test_check_says_each_unknown_key_on_its_own_line(tmp_path, capsys):
    path = edited(tmp_path, "[environment:default]", "[environment:default]",
                  "HOSTED_ENGINE_CONFIG/he_future_setting=str:on\n"
                  "HOSTED_ENGINE_CONFIG/tpgt=str:1\n")
    code, out, err = run(["check", path], capsys)
    assert code == clicommon.EXIT_OK, err
    assert out.startswith("valid: action deploy")
    lines = err.splitlines()
    assert [line for line in lines if line.startswith(
        "warning: HOSTED_ENGINE_CONFIG/he_future_setting: not a hosted-engine.conf key")]
    assert [line for line in lines if line.startswith(
        "warning: HOSTED_ENGINE_CONFIG/tpgt: an old hosted-engine.conf key")]


def test_preview_of_a_misspelt_unit_writes_nothing(tmp_path, capsys):
    root = tmp_path / "root"
    path = edited(tmp_path, "HOSTED_ENGINE/action=", "HOSTED_ENGINE/actoin=")
    code, out, err = run(["preview", path, "--root", str(root)], capsys)
    assert code == clicommon.EXIT_INVALID
    assert "HOSTED_ENGINE/actoin:" in err and "rename it to HOSTED_ENGINE/action" in err
    assert not root.exists()


@pytest.fixture
def source_conf(tmp_path):
    """A running host's hosted-engine.conf."""
    path = tmp_path / "hosted-engine.conf"
    path.write_text(render.render_conf(validation.check(otopiconf.load_unit(ISCSI_UNIT))))
    return path


def test_answer_file_refuses_a_misspelt_conf_key(source_conf, tmp_path, capsys):
    with source_conf.open("a") as stream:
        stream.write("bridgee=ovirtmgmt\n")
    out_path = tmp_path / "answers.conf"
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "4",
                          "-o", str(out_path)], capsys)
    assert code == clicommon.EXIT_INVALID
    assert "HOSTED_ENGINE_CONFIG/bridgee: is not a hosted-engine.conf key but one edit from " \
        "bridge" in err
    assert not out_path.exists()


def test_answer_file_keeps_an_unknown_far_key_with_a_warning(source_conf, tmp_path, capsys):
    with source_conf.open("a") as stream:
        stream.write("site_owner=ops\n")
    out_path = tmp_path / "answers.conf"
    code, out, err = run(["answer-file", "--from-conf", str(source_conf), "--host-id", "4",
                          "-o", str(out_path)], capsys)
    assert code == clicommon.EXIT_OK, err
    assert "warning: HOSTED_ENGINE_CONFIG/site_owner: not a hosted-engine.conf key" in err
    assert "HOSTED_ENGINE_CONFIG/site_owner=str:ops" in out_path.read_text()
