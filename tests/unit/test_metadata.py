"""metadata: freeing the host's slot in the shared metadata, and what the admin is told."""

from ovirt_he_deploy import metadata


def test_the_command_never_forces_the_cleanup():
    assert metadata.clean_command("/usr/sbin/hosted-engine", "3") == (
        "/usr/sbin/hosted-engine", "--clean-metadata", "--host-id=3")


def test_success_is_said_with_the_command():
    outcome = metadata.outcome("3", 0, [], 300)
    assert outcome.freed
    assert "'hosted-engine --clean-metadata --host-id=3'" in outcome.message


def test_a_failure_gives_the_exit_code_the_last_line_and_the_manual_step():
    outcome = metadata.outcome("3", 1, ["starting", "Cannot clean unclean metadata block.",
                                        ""], 300)
    assert not outcome.freed
    assert "failed (exit 1: Cannot clean unclean metadata block.)" in outcome.message
    assert "the remove goes on" in outcome.message
    assert "'hosted-engine --clean-metadata --host-id=3 --force-cleanup'" in outcome.message


def test_a_timeout_says_how_long_it_was_given():
    outcome = metadata.outcome("4", None, ["Command timeout"], 300)
    assert "did not finish within 300 s (Command timeout)" in outcome.message


def test_control_characters_in_the_output_are_escaped():
    outcome = metadata.outcome("4", 2, ["bad\x1b[31mred"], 300)
    assert "\x1b" not in outcome.message and "\\x1b" in outcome.message
