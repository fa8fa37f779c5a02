# -*- coding: utf-8 -*-
"""Failure semantics, abort, exit codes, force-fail switches, plugin loading (§1.7, §2, §3)."""

import os

import pytest

ALWAYS = ('init', 'cleanup', 'pre-terminate', 'terminate')


def _stages_after(result, stage_id):
    seen = [e[0] for e in result.events]
    return seen[seen.index(stage_id) + 1:] if stage_id in seen else seen


def test_failure_in_misc_skips_to_always_stages_and_aborts_transaction(run, groups, tmp_path):
    target = tmp_path / 'etc' / 'dt.conf'
    result = run(
        groups('dt_probe') + ['DT/file=str:%s' % target, 'DT/transactions=bool:True'],
        os_env={'OTOPI_FORCE_FAIL_STAGE': 'STAGE_MISC'},
    )
    assert result.exit_code == 1
    assert result.environment['BASE/error'] is True
    stages = set(e[0] for e in result.events)
    assert 'closeup' not in stages and 'reboot' not in stages
    assert not result.ran('transaction.Plugin._mainCommit')
    assert result.ran('core.misc.Plugin._preTerminate')
    assert result.ran('core.log.Plugin._close')
    assert result.environment['DT/cleanupRan'] is True
    assert not target.exists()
    assert os.listdir(str(target.parent)) == []  # temp file removed, dir stays
    assert 'abort' in ' '.join(result.environment['DT/transLog'])
    assert "Failed to execute stage 'Misc configuration': Forced failure" in result.log_text


def test_remaining_methods_of_the_failing_stage_are_skipped(run, groups):
    result = run(groups('dt_order'), os_env={
        'OTOPI_FORCE_FAIL_STAGE': 'STAGE_CLOSEUP',
        'OTOPI_FORCE_FAIL_PRIORITY': 'PRIORITY_MEDIUM',
    })
    assert result.exit_code == 1
    closeup = [m.rsplit('.', 1)[1] for s, m, n in result.events if s == 'closeup']
    # same priority: otopi.plugins.dt_order... sorts before otopi.plugins.otopi...
    assert closeup == ['_p_e_first', '_p_d_high', '_p_c_medium', '_forceFail']


@pytest.mark.parametrize('stage,ran,skipped', [
    ('STAGE_INIT', ['dt_order.order.Plugin._s01_init', 'command.Plugin._init'],
     ['_s02_setup']),
    ('STAGE_CLEANUP', ['_s14_cleanup', '_s15_pre_terminate'], ['_s17_reboot']),
    ('STAGE_VALIDATION', ['_s14_cleanup'], ['_s08_transaction_begin', '_s13_closeup']),
], ids=['always-init-completes', 'cleanup-fails-rest-always-runs', 'validation'])
def test_force_fail_stage(run, groups, stage, ran, skipped):
    result = run(groups('dt_order'), os_env={'OTOPI_FORCE_FAIL_STAGE': stage})
    assert result.exit_code == 1
    for suffix in ran:
        assert result.ran(suffix), suffix
    for suffix in skipped:
        assert not result.ran(suffix), suffix


def test_force_fail_priority_places_the_failure(run, groups):
    result = run(groups('dt_order'), os_env={
        'OTOPI_FORCE_FAIL_STAGE': 'STAGE_PACKAGES',
        'OTOPI_FORCE_FAIL_PRIORITY': 'PRIORITY_LOW',
    })
    pkgs = [m.rsplit('.', 1)[1] for s, m, n in result.events if s == 'packages']
    assert pkgs == ['_s10_packages', '_t_a', '_t_b', '_t_c', '_forceFail']
    assert not result.ran('_s11_misc')


def test_abort_sets_aborted_and_exits_1(run, groups):
    result = run(groups('dt_probe') + ['DT/abortIn=str:validation'])
    assert result.exit_code == 1
    assert result.environment['BASE/aborted'] is True
    assert result.environment['BASE/error'] is True
    assert 'Aborted' in result.stdout
    assert result.environment['DT/cleanupRan'] is True


def test_exception_info_recorded(run, groups):
    result = run(groups('dt_probe'), os_env={'OTOPI_FORCE_FAIL_STAGE': 'STAGE_MISC'})
    infos = result.environment['BASE/exceptionInfo']
    assert len(infos) == 1 and isinstance(infos[0][1], RuntimeError)


@pytest.mark.parametrize('code,force_fail,expected', [
    (7, None, 7),
    (0, None, 0),
    (0, 'STAGE_CLOSEUP', 1),
], ids=['plugin-exit-code-wins', 'explicit-zero', 'error-makes-it-at-least-1'])
def test_exit_code_lowest_priority_entry(run, groups, code, force_fail, expected):
    os_env = {'OTOPI_FORCE_FAIL_STAGE': force_fail} if force_fail else None
    if force_fail:
        os_env['OTOPI_FORCE_FAIL_PRIORITY'] = 'PRIORITY_LAST'
    result = run(groups('dt_probe') + ['DT/exitCode=int:%d' % code], os_env=os_env)
    assert result.exit_code == expected


def test_missing_group_exits_2_listing_all_groups(run, groups):
    result = run(groups('dt_probe', 'dt_no_such_group'))
    assert result.exit_code == 2
    assert '***L:ERROR Internal error:' in result.stdout
    assert 'otopi:dt_probe:dt_no_such_group' in result.stdout


def test_exception_in_create_plugins_exits_2(run, groups):
    result = run(groups('dt_badcreate'))
    assert result.exit_code == 2
    assert 'dt createPlugins exploded' in result.stdout


def test_loading_nested_dirs_relative_imports_and_module_names(run, groups):
    result = run(groups('dt-load'))
    assert result.exit_code == 0
    assert result.environment['DT/helper'] == 'from-helper'
    assert result.environment['DT/moduleName'] == 'otopi.plugins.dt_load.nested.deeper.pkg.mod'


def test_module_names_keep_the_package_directorys_name_as_otopi_does(run, groups):
    # contract §0.1: the group and the directories above are synthesized, the package
    # directory's own name is not (ovirt-host-deploy's plugin: ...ovirt_host_deploy.hosted-engine)
    result = run(groups('dt-load'))
    assert result.environment['DT/hyphenModule'] == \
        'otopi.plugins.dt_load.nested.deeper_dir.hyphen-pkg.mod'


def test_optional_command_lookups_see_only_declared_commands(run, groups):
    result = run(groups('dt_commands'))
    assert result.exit_code == 0, result.log_text[-2000:]
    env = result.environment
    assert env['DT/detectedSh'].endswith('/sh')
    assert env['DT/undeclaredOptional'] is None  # otopi does not search for it
    assert env['DT/undeclaredRequired'].endswith('/true')  # a required get searches


def test_execute_pipe_returns_output_and_times_out(run, groups):
    env = run(groups('dt_commands')).environment
    assert env['DT/pipeStdout'] == ['out']
    assert env['DT/pipeTimeout'].startswith("Command '")
    assert env['DT/pipeTimeout'].endswith("time.sleep(30)' failed to execute: Command timeout")


def test_repeated_in_process_runs_reload_plugin_modules(run, groups):
    loads = [run(groups('dt-load')).environment['DT/loads'] for _ in range(3)]
    assert loads == [1, 1, 1]


def test_otopi_group_is_always_loaded(run):
    result = run(['BASE/pluginGroups=str:'])
    assert result.exit_code == 0
    assert result.ran('core.log.Plugin._init')


def test_subprocess_run_matches_in_process(run, groups):
    sub = run(groups('dt_order'), inprocess=False)
    inproc = run(groups('dt_order'))
    assert sub.exit_code == inproc.exit_code == 0
    assert [e[1] for e in sub.events] == [e[1] for e in inproc.events]
    assert sub.environment['BASE/error'] is False


def test_shuffled_load_order_is_seeded_and_changes_the_order():
    from otopi import constants, context

    orders = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        os.environ[context.SHUFFLE_LOAD_ENV] = seed
        try:
            ctx = context.Context()
            ctx.environment[constants.BaseEnv.PLUGIN_PATH] = ''
            ctx.environment[constants.BaseEnv.PLUGIN_GROUPS] = 'otopi'
            ctx.loadPlugins()
            orders.add(tuple(ctx.loadOrder))
        finally:
            del os.environ[context.SHUFFLE_LOAD_ENV]
    assert len(orders) > 1
    assert all(sorted(order) == sorted(next(iter(orders))) for order in orders)
