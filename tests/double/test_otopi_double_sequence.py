# -*- coding: utf-8 -*-
"""Sequence building and running order (contract §3, §4)."""

import pytest

STAGE_IDS = [
    'boot', 'init', 'setup', 'internal_packages', 'programs', 'late_setup', 'customization',
    'validation', 'transaction-prepare', 'early_misc', 'packages', 'misc', 'cleanup',
    'closeup', 'cleanup', 'pre-terminate', 'terminate', 'reboot',
]

MACHINE = ['DIALOG/dialect=str:machine', 'DIALOG/customization=bool:True']


def _short(result, group):
    return [e[1].rsplit('.', 1)[1] for e in result.events if '.%s.' % group in e[1]]


def test_stage_constants_are_range_18_in_contract_order():
    from otopi import plugin
    names = [
        'BOOT', 'INIT', 'SETUP', 'INTERNAL_PACKAGES', 'PROGRAMS', 'LATE_SETUP',
        'CUSTOMIZATION', 'VALIDATION', 'TRANSACTION_BEGIN', 'EARLY_MISC', 'PACKAGES',
        'MISC', 'TRANSACTION_END', 'CLOSEUP', 'CLEANUP', 'PRE_TERMINATE', 'TERMINATE',
        'REBOOT',
    ]
    assert [getattr(plugin.Stages, 'STAGE_' + n) for n in names] == list(range(18))
    assert [plugin.Stages.stage_id(s) for s in range(18)] == STAGE_IDS


def test_priority_constants():
    from otopi import plugin
    S = plugin.Stages
    assert (S.PRIORITY_FIRST, S.PRIORITY_HIGH, S.PRIORITY_MEDIUM, S.PRIORITY_DEFAULT,
            S.PRIORITY_POST, S.PRIORITY_LOW, S.PRIORITY_LAST) == (
        1000, 2000, 3000, 5000, 7000, 9000, 90000)


def test_stages_run_in_numeric_order_whatever_the_definition_order(run, groups):
    result = run(groups('dt_order'))
    assert result.exit_code == 0
    per_stage = [e for e in result.events if '._s' in e[1] and 'dt_order' in e[1]]
    assert [e[0] for e in per_stage] == STAGE_IDS
    assert [e[1][-2:] for e in per_stage] != sorted(e[1][-2:] for e in per_stage)[::-1]


def test_lower_priority_number_runs_first_in_a_stage(run, groups):
    result = run(groups('dt_order'))
    closeup = [m for m in _short(result, 'dt_order') if m.startswith('_p_')]
    assert closeup == ['_p_e_first', '_p_d_high', '_p_c_medium', '_p_b2_post', '_p_b_low',
                       '_p_a_last']


def test_same_priority_ties_are_broken_by_full_method_name(run, groups):
    result = run(groups('dt_order'))
    assert [m for m in _short(result, 'dt_order') if m.startswith('_t_')] == [
        '_t_a', '_t_b', '_t_c']


@pytest.mark.parametrize('first,second', [
    pytest.param('_ba_z_before_target', '_ba_m_target', id='before-beats-name-order'),
    pytest.param('_ba_m_target', '_ba_a_after_target', id='after-beats-name-order'),
    pytest.param('_ba_y_free', '_ba_a_after_target', id='after-lands-in-a-later-level'),
    pytest.param('_s09_early_misc', '_ba_a_after_target', id='after-follows-whole-level'),
    pytest.param('_x_cross_stage', '_ba_z_before_target', id='before-target-in-later-stage'),
])
def test_before_after(run, groups, first, second):
    order = _short(run(groups('dt_order')), 'dt_order')
    assert order.index(first) < order.index(second)


def test_after_an_earlier_stage_event_is_fine(run, groups):
    result = run(
        groups('dt_order') + MACHINE,
        stdin_text='install\nquit\n',
    )
    assert result.exit_code == 0
    assert result.index('dialog.cli.Plugin._customization') < result.index('_x_cross_stage')


def test_default_priority_event_sorted_before_dialog_cli_customization(run, groups):
    result = run(groups('dt_probe') + MACHINE, stdin_text='install\nquit\n')
    seq = [m for s, m, n in result.events if s == 'customization']
    assert seq.index('otopi.plugins.dt_probe.probe.events.Plugin._seenInCustomization') < \
        seq.index('otopi.plugins.otopi.dialog.cli.Plugin._customization') < \
        seq.index('otopi.plugins.dt_probe.probe.events.Plugin._seenAfterPrompt')


def test_sequence_dump_in_log(run, groups):
    result = run(groups('dt_order'))
    dump = result.log_text.split('SEQUENCE DUMP - BEGIN')[1].split('SEQUENCE DUMP - END')[0]
    assert 'STAGE transaction-prepare' in dump
    assert 'METHOD otopi.plugins.dt_order.order.Plugin._ba_m_target (dt.order.target)' in dump


def test_randomized_events_still_honour_priorities_and_dependencies(run, groups):
    for _ in range(3):
        result = run(groups('dt_order') + ['CORE/randomizeEvents=bool:True'])
        order = _short(result, 'dt_order')
        assert [m for m in order if m.startswith('_p_')][0] == '_p_e_first'
        assert order.index('_ba_z_before_target') < order.index('_ba_m_target') < \
            order.index('_ba_a_after_target')


@pytest.mark.parametrize('group,message', [
    ('dt_cycle', 'error: toposort failed due to a cycle'),
    ('dt_dup', 'error: duplicate name: dt.dup'),
    ('dt_later', 'is in a later stage than method'),
    ('dt_prioconflict', 'although dependencies require opposite order'),
], ids=['cycle', 'duplicate-name', 'target-in-later-stage', 'after-against-priority'])
def test_sequence_errors_exit_1_before_boot(run, groups, group, message):
    result = run(groups(group))
    assert result.exit_code == 1
    assert message in result.stdout
    assert result.events == []
    assert result.log_text == ''


def test_missing_stage_exits_1_silently(run, groups):
    result = run(groups('dt_nostage'))
    assert (result.exit_code, result.stdout, result.events) == (1, '', [])


# otopi 1.10's check of before/after names (1.8 does not look at them: the double's 1.8
# mode, test_otopi_double_otopi18.py): pinned to 1.10 whatever OTOPI_DOUBLE_VERSION says.
V110 = {'OTOPI_DOUBLE_VERSION': '1.10'}


def test_unknown_before_after_names_are_ignored_by_default(run, groups):
    result = run(groups('dt_unknown'), os_env=V110)
    assert result.exit_code == 0
    assert result.ran('dt_unknown.probe.Plugin._a')
    assert 'refers to a method name "no.such.event", but no method with this name exists' \
        in result.log_text


def test_unknown_before_after_names_fail_in_setup_when_strict(run, groups):
    result = run(groups('dt_unknown') + ['CORE/ignoreMissingBeforeAfter=bool:False'],
                 os_env=V110)
    assert result.exit_code == 1
    assert "Failed to execute stage 'Environment setup'" in result.stdout
    assert not result.ran('dt_unknown.probe.Plugin._a')


def test_bare_string_after_fails_in_setup(run, groups):
    result = run(groups('dt_barestring'))
    assert result.exit_code == 1
    assert 'should probably be a tuple' in result.log_text
    assert [e[0] for e in result.events if e[0] == 'setup'] == ['setup']


def test_base_class_events_never_run(run, groups):
    result = run(groups('dt_baseclass'))
    assert result.environment.get('DT/subclassRan') is True
    assert 'DT/baseRan' not in result.environment


def test_condition_is_evaluated_right_before_the_method(run, groups):
    result = run(groups('dt_probe'))
    assert result.exit_code == 0
    assert result.environment['DT/conditionRan'] is True


def test_false_condition_skips_the_method(run, groups):
    result = run(groups('dt_probe'))
    assert not result.ran('Plugin._abort')
    assert 'otopi.plugins.dt_probe.probe.events.Plugin._abort condition False' in \
        result.log_text


def test_exception_in_condition_is_a_failure(run, groups):
    result = run(groups('dt_probe') + ['DT/conditionRaise=bool:True'])
    assert result.exit_code == 1
    assert 'DT/conditionRaiseRan' not in result.environment
    assert result.environment['BASE/error'] is True
    assert 'by zero' in result.log_text  # 'integer division or modulo by zero' on 2.7
