"""metadata: freeing the host's slot in the shared metadata, and what the admin is told."""

import pytest

from ovirt_he_deploy import metadata

AGENT = "ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"
STARTED = "INFO:ovirt_hosted_engine_ha.agent.agent.Agent:ovirt-hosted-engine-ha agent started"
STOPPED = "INFO:ovirt_hosted_engine_ha.agent.agent.Agent:Agent shutting down"
CLEANED = "INFO:{}:Cleaning the metadata block!".format(AGENT)
UNCLEAN = "ERROR:{}:Cannot clean unclean metadata block. Consider --force-clean.".format(AGENT)
MISSING = "ERROR:{}:Metadata for current host missing.".format(AGENT)
WRONG_FORMAT = "ERROR:{}:Metadata block has wrong format: bad block".format(AGENT)
MANUAL = "'hosted-engine --clean-metadata --host-id=3 --force-cleanup'"


def test_the_command_never_forces_the_cleanup():
    assert metadata.clean_command("/usr/sbin/hosted-engine", "3") == (
        "/usr/sbin/hosted-engine", "--clean-metadata", "--host-id=3")


def test_freed_only_when_the_agent_says_it_cleaned_the_block():
    outcome = metadata.outcome("3", 0, [STARTED, CLEANED, STOPPED], 300)
    assert outcome.freed
    assert "freed this host's slot (host_id 3)" in outcome.message
    assert "'hosted-engine --clean-metadata --host-id=3'" in outcome.message


def test_an_unclean_block_exits_0_but_is_not_freed():
    outcome = metadata.outcome("3", 0, [STARTED, UNCLEAN, STOPPED], 300)
    assert not outcome.freed
    assert ("'hosted-engine --clean-metadata --host-id=3' exited 0 without cleaning: the agent "
            "found the slot not marked stopped ('Cannot clean unclean metadata block.')"
            ) in outcome.message
    assert "the remove goes on" in outcome.message
    assert "To free it, once this host's ovirt-ha-agent is stopped for good" in outcome.message
    assert MANUAL in outcome.message
    # The agent's own hint names an option hosted-engine does not have.
    assert "--force-clean." not in outcome.message


def test_missing_metadata_exits_0_and_says_the_slot_is_probably_free():
    outcome = metadata.outcome("3", 0, [STARTED, MISSING, STOPPED], 300)
    assert not outcome.freed
    assert ("exited 0 without cleaning anything: the agent found no metadata for host_id 3 "
            "('Metadata for current host missing.'), so the slot is probably free already"
            ) in outcome.message
    assert "If 'hosted-engine --vm-status' on a remaining host still lists host_id 3" \
        in outcome.message
    assert MANUAL in outcome.message


def test_missing_metadata_says_when_the_block_could_not_be_read():
    outcome = metadata.outcome("3", 0, [WRONG_FORMAT, MISSING], 300)
    assert not outcome.freed
    assert ", after 'Metadata block has wrong format: bad block')" in outcome.message


@pytest.mark.parametrize("output", [
    pytest.param([], id="no-output"),
    pytest.param([STARTED, STOPPED], id="no-cleanup-line"),
    pytest.param(["Cleaning the metadata block!"], id="not-logged-by-the-agent"),
    pytest.param(["INFO:other.Logger:Cleaning the metadata block!"], id="other-logger"),
    pytest.param([CLEANED, UNCLEAN], id="contradicting"),
])
def test_exit_0_without_the_agents_word_is_not_freed(output):
    outcome = metadata.outcome("3", 0, output, 300)
    assert not outcome.freed
    assert "To free it," in outcome.message and MANUAL in outcome.message


def test_exit_0_without_the_agents_word_points_at_the_agent_log():
    outcome = metadata.outcome("3", 0, [STARTED, STOPPED], 300)
    assert ("exited 0, but its output does not say the slot was cleaned (last line: "
            "{}; see /var/log/ovirt-hosted-engine-ha/agent.log)".format(STOPPED)
            ) in outcome.message
    assert "(no output; see" in metadata.outcome("3", 0, [], 300).message


def test_a_failure_gives_the_exit_code_the_last_line_and_the_manual_step():
    outcome = metadata.outcome("3", 1, ["starting", "Cannot clean unclean metadata block.",
                                        ""], 300)
    assert not outcome.freed
    assert "failed (exit 1: Cannot clean unclean metadata block.)" in outcome.message
    assert "the remove goes on" in outcome.message
    assert MANUAL in outcome.message


def test_a_failure_does_not_count_the_agents_word():
    # clean() raising after its log line (e.g. the sanlock release) exits -99.
    outcome = metadata.outcome("3", 157, [CLEANED, "ERROR:x:Traceback"], 300)
    assert not outcome.freed
    assert "failed (exit 157: ERROR:x:Traceback)" in outcome.message


def test_a_timeout_says_how_long_it_was_given():
    outcome = metadata.outcome("4", None, ["Command timeout"], 300)
    assert not outcome.freed
    assert "did not finish within 300 s (Command timeout)" in outcome.message


def test_control_characters_in_the_output_are_escaped():
    outcome = metadata.outcome("4", 2, ["bad\x1b[31mred"], 300)
    assert "\x1b" not in outcome.message and "\\x1b" in outcome.message
    outcome = metadata.outcome("4", 0, ["ERROR:{}:Metadata block has wrong format: \x1b[31m"
                                        .format(AGENT), MISSING], 300)
    assert "\x1b" not in outcome.message and "\\x1b" in outcome.message
