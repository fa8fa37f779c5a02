# -*- coding: utf-8 -*-
"""The he-test-fakes group: recording packager/services, state, faults, pause (§6.5)."""

import json
import os
import signal
import subprocess
import sys
import time

import otopi_harness
import pytest
from otopi_harness import fakes_statements


@pytest.fixture
def he(groups):
    return fakes_statements() + groups('dt_he')


def test_records_calls_with_stage_ids(run, he):
    result = run(he)
    assert result.exit_code == 0
    assert result.calls == [
        'validation packager.queryPackages ovirt-*',
        'validation services.exists ovirt-ha-agent',
        'transaction-prepare packager.beginTransaction',
        'packages packager.installUpdate ovirt-hosted-engine-ha',
        'packages packager.processTransaction installUpdate:ovirt-hosted-engine-ha',
        'cleanup packager.endTransaction False',
        'closeup services.startup ovirt-ha-broker True',
        'closeup services.state ovirt-ha-broker True',
        'closeup services.startup ovirt-ha-agent True',
        'closeup services.state ovirt-ha-agent True',
        'closeup services.status ovirt-ha-agent',
    ]
    assert result.environment['DT/agentRunning'] is True


def test_registration_points(run, he):
    result = run(he)
    assert result.index('packagers.Plugin._detection') < result.index('fakes.packager.Plugin._init')
    assert result.index('command.Plugin._programs') < result.index(
        'fakes.services.Plugin._programs')
    assert [e[0] for e in result.events if e[1].endswith('fakes.packager.Plugin._packages')] == [
        'packages']


def test_record_file_json_lines(run, he, tmp_path):
    record = tmp_path / 'calls.jsonl'
    result = run(he + ['HE_FAKES/recordFile=str:%s' % record])
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(lines) == len(result.calls)
    assert lines[3]['stage'] == 'packages'
    assert (lines[3]['provider'], lines[3]['method'], lines[3]['args']) == (
        'packager', 'installUpdate', [['ovirt-hosted-engine-ha']])


def test_fail_install(run, he):
    result = run(he + ['HE_FAKES/failInstall=bool:True'])
    assert result.exit_code == 1
    assert 'HE_FAKES/failInstall' in result.stdout
    assert 'transaction-prepare packager.endTransaction True' not in result.calls
    assert 'packages packager.endTransaction True' in result.calls  # rollback via abort
    assert not any(c.startswith('closeup') for c in result.calls)


def test_fail_start(run, he):
    result = run(he + ['HE_FAKES/failStart=str:ovirt-ha-agent'])
    assert result.exit_code == 1
    assert "Failed to start service 'ovirt-ha-agent'" in result.stdout


def test_dies_after_start(run, he):
    result = run(he + ['HE_FAKES/diesAfterStart=str:ovirt-ha-agent'])
    assert result.exit_code == 0
    assert result.environment['DT/agentRunning'] is False


def test_installed_packages_and_services_list(run, he):
    result = run(he + ['HE_FAKES/installedPackages=str:ovirt-hosted-engine-ha,vdsm',
                       'HE_FAKES/services=str:vdsmd'])
    assert result.environment['DT/installed'] == ['ovirt-hosted-engine-ha']
    assert result.environment['DT/agentExists'] is False
    assert result.exit_code == 1  # enabling a service that does not exist fails


def test_state_file_carries_the_host_across_runs(run, he, tmp_path):
    state = tmp_path / 'host.json'
    first = run(he + ['HE_FAKES/stateFile=str:%s' % state])
    assert first.environment['DT/installed'] == []
    second = run(he + ['HE_FAKES/stateFile=str:%s' % state])
    assert second.environment['DT/installed'] == ['ovirt-hosted-engine-ha']
    data = json.loads(state.read_text())
    assert data['services']['ovirt-ha-agent'] == {'exists': True, 'enabled': True,
                                                  'running': True}


def test_base_providers_without_fakes(run, groups):
    result = run(groups('dt_he'))
    assert result.exit_code == 1
    assert 'NotImplementedError' in result.log_text or 'not implemented' in result.log_text


def test_pause_and_sigkill_leave_partial_state(he, tmp_path):
    state, record, pause = tmp_path / 'host.json', tmp_path / 'r.jsonl', tmp_path / 'paused'
    env = otopi_harness._subprocessEnv({
        'OTOPI_LOGDIR': str(tmp_path),
        'HE_FAKES_PAUSE': 'STAGE_CLOSEUP:PRIORITY_HIGH',
        'HE_FAKES_PAUSE_FILE': str(pause),
    })
    with open(os.devnull, 'r+b') as devnull:
        proc = subprocess.Popen(
            [sys.executable, '-m', 'otopi'] + he + [
                'HE_FAKES/stateFile=str:%s' % state, 'HE_FAKES/recordFile=str:%s' % record],
            env=env, stdin=devnull, stdout=devnull, stderr=devnull,
        )
    try:
        deadline = time.time() + 15
        while not pause.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert pause.exists()
        assert int(pause.read_text()) == proc.pid
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    data = json.loads(state.read_text())
    assert data['packages'] == ['ovirt-hosted-engine-ha']
    assert data['services']['ovirt-ha-agent']['running'] is False
    stages = [json.loads(line)['stage'] for line in record.read_text().splitlines()]
    assert 'closeup' not in stages and stages[-1] == 'cleanup'


def test_pause_resumes_when_file_removed(he, tmp_path, run):
    pause = tmp_path / 'paused'
    import threading

    def remover():
        deadline = time.time() + 10
        while time.time() < deadline:
            if pause.exists():
                pause.unlink()
                return
            time.sleep(0.02)

    t = threading.Thread(target=remover)
    t.start()
    result = run(he, os_env={'HE_FAKES_PAUSE': 'STAGE_MISC',
                             'HE_FAKES_PAUSE_FILE': str(pause)})
    t.join()
    assert result.exit_code == 0
    assert result.ran('fakes.pause.Plugin._pause')
