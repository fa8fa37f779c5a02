# -*- coding: utf-8 -*-
"""Machine dialog driven like the engine, human dialect answers (contract §6.4, §10)."""

import pytest
from otopi_harness import EngineDriver, fakes_statements


@pytest.fixture
def probe(groups):
    return groups('dt_probe')


def test_env_query_value_is_seen_only_after_the_prompt(probe):
    result = EngineDriver(
        probe, customization=[('env-query -k DT/engineValue', 'str:from-engine')]).run()
    assert result.exit_code == 0
    env = result.environment
    assert env['DT/seenInCustomization'] == 'old'
    assert env['DT/seenAfterPrompt'] == 'from-engine'
    assert env['DT/seenInValidation'] == 'from-engine'


def test_env_get_reads_value_computed_before_the_prompt(probe):
    result = EngineDriver(probe, customization=['env-get -k DT/computed',
                                                'env-get -k DT/missing']).run()
    assert result.values['DT/computed'] == 'computed-by-host'
    assert result.values['DT/missing'] is None
    assert '***D:VALUE DT/missing=none:None' in result.received


@pytest.mark.parametrize('command,key,expected', [
    (('env-query-multi -k DT/lines', ['a', 'b c']), 'DT/lines', ['a', 'b c']),
    ('env-set -k DT/n -t int -v 5', 'DT/n', 5),
    ('env-set -k DT/b -t bool -v no', 'DT/b', True),
    (('env-query -k DT/flag', 'bool:False'), 'DT/flag', False),
    (('env-query -k DT/nothing', 'none:'), 'DT/nothing', None),
], ids=['env-query-multi', 'env-set-int', 'env-set-bool-no-is-true', 'env-query-bool',
        'env-query-none'])
def test_customization_commands_set_values(probe, command, key, expected):
    result = EngineDriver(probe, customization=['noop', command]).run()
    assert result.exit_code == 0
    assert result.environment[key] == expected


def test_commands_are_recorded_as_questions(probe):
    result = EngineDriver(probe, customization=['noop', 'env-get -k DT/computed']).run()
    env = result.environment
    assert env['QUESTION/1/CUSTOMIZATION_COMMAND'] == 'noop'
    assert env['QUESTION/2/CUSTOMIZATION_COMMAND'] == 'env-get -k DT/computed'
    assert env['QUESTION/3/CUSTOMIZATION_COMMAND'] == 'install'
    assert env['QUESTION/3/TERMINATION_COMMAND'] == 'quit'


def test_abort_command(probe):
    result = EngineDriver(probe, customization=['abort']).run()
    assert result.exit_code == 1
    assert result.values['BASE/error'] is True
    assert result.environment['BASE/aborted'] is True
    assert result.environment['DT/cleanupRan'] is True
    assert 'DT/seenInValidation' not in result.environment


def test_termination_prompt_exists_after_failures(probe):
    result = EngineDriver(probe, os_env={'OTOPI_FORCE_FAIL_STAGE': 'STAGE_MISC'}).run()
    assert result.exit_code == 1
    assert result.values['BASE/error'] is True
    assert any(line.startswith('***L:ERROR Failed to execute stage') for line in result.received)
    assert result.terminated


def test_wire_framing(probe):
    result = EngineDriver(probe).run()
    received = result.received
    assert received[-1] == '***TERMINATE'
    assert '**%EventsListStart' in received and '**%EventsListEnd' in received
    assert ('**%EventStart STAGE customization METHOD '
            'otopi.plugins.otopi.dialog.cli.Plugin._customization '
            '(otopi.dialog.cli.customization)') in received
    q = received.index('***Q:STRING CUSTOMIZATION_COMMAND')
    assert received[q - 1] == '**%QEnd: CUSTOMIZATION_COMMAND'
    assert not any(line.startswith('**%EventStart STAGE boot') for line in received)


def test_log_command_returns_the_log_with_boundary_masked(probe):
    result = EngineDriver(probe).run()
    assert 'Stage customization METHOD' in result.log_text
    assert '--=451b80dc-996f-432e-9e4f-2b29ef6d1141=--' not in result.log_text
    assert '**BOUNDARY**' in result.log_text


def test_confirm_is_answered_yes(probe):
    result = EngineDriver(probe + ['DT/confirm=bool:True']).run()
    assert '***CONFIRM DT_PROCEED Proceed now?' in result.received
    assert result.environment['DT/confirmed'] is True


def test_unexpected_string_query_gets_the_default(probe):
    result = EngineDriver(probe + ['DT/ask=bool:True']).run()
    assert '**%QDefault: dflt' in result.received
    assert result.environment['DT/asked'] == 'dflt'


def test_driver_times_out_instead_of_hanging(tmp_path):
    pause_file = tmp_path / 'paused'
    result = EngineDriver(
        fakes_statements(), timeout=2.0, line_timeout=1.0,
        os_env={'HE_FAKES_PAUSE': 'STAGE_VALIDATION', 'HE_FAKES_PAUSE_FILE': str(pause_file)},
    ).run()
    assert result.timed_out
    assert result.exit_code != 0
    assert not result.terminated


def test_human_dialect_uses_answers_from_command_line(run, probe):
    result = run(probe + ['DT/ask=bool:True', 'QUESTION/1/DT_NAME=str:given',
                          'QUESTION/1/DT_HIDDEN=str:h'])
    assert result.exit_code == 0
    assert result.environment['DT/asked'] == 'given'


def test_human_dialect_eof_on_stdin_fails(run, probe):
    result = run(probe + ['DT/ask=bool:True'])
    assert result.exit_code == 1
    assert "Failed to execute stage 'Environment customization': End of file" in result.stdout


def test_human_dialect_auto_accept_default(run, probe):
    result = run(probe + ['DT/ask=bool:True', 'DIALOG/autoAcceptDefault=bool:True'],
                 stdin_text='hidden\n')
    assert result.environment['DT/asked'] == 'dflt'


def test_human_confirm_answered_from_command_line(run, probe):
    result = run(probe + ['DT/confirm=bool:True', 'QUESTION/1/DIALOG_CONFIRM/DT_PROCEED=str:no'])
    assert result.environment['DT/confirmed'] is False
