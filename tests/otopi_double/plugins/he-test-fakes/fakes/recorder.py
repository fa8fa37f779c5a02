# -*- coding: utf-8 -*-
"""Env keys of the fakes group, call recording and the simulated host state."""

import json
import os
import time

from otopi import plugin

CALLS = 'HE_FAKES/calls'
RECORD_FILE = 'HE_FAKES/recordFile'
STATE_FILE = 'HE_FAKES/stateFile'
SERVICES = 'HE_FAKES/services'
FAIL_INSTALL = 'HE_FAKES/failInstall'
FAIL_START = 'HE_FAKES/failStart'
DIES_AFTER_START = 'HE_FAKES/diesAfterStart'
# 'service:N,...': after each (re)start the service reports not running for its first N
# status checks, then running, as ovirt-ha-agent does while systemd restarts it.
SLOW_START = 'HE_FAKES/slowStart'
INSTALLED_PACKAGES = 'HE_FAKES/installedPackages'
# Services running when a run starts without a state file: a host with vdsm runs vdsmd
# (ovirt-host-deploy stops it in PACKAGES and starts it again in CLOSEUP).
RUNNING_SERVICES = 'HE_FAKES/runningServices'

DEFAULT_SERVICES = 'ovirt-ha-agent,ovirt-ha-broker,vdsmd'
DEFAULT_RUNNING = 'vdsmd'

# otopi stage ids (contract §3); kept here because the public API has no lookup
STAGE_IDS = {
    plugin.Stages.STAGE_BOOT: 'boot',
    plugin.Stages.STAGE_INIT: 'init',
    plugin.Stages.STAGE_SETUP: 'setup',
    plugin.Stages.STAGE_INTERNAL_PACKAGES: 'internal_packages',
    plugin.Stages.STAGE_PROGRAMS: 'programs',
    plugin.Stages.STAGE_LATE_SETUP: 'late_setup',
    plugin.Stages.STAGE_CUSTOMIZATION: 'customization',
    plugin.Stages.STAGE_VALIDATION: 'validation',
    plugin.Stages.STAGE_TRANSACTION_BEGIN: 'transaction-prepare',
    plugin.Stages.STAGE_EARLY_MISC: 'early_misc',
    plugin.Stages.STAGE_PACKAGES: 'packages',
    plugin.Stages.STAGE_MISC: 'misc',
    plugin.Stages.STAGE_TRANSACTION_END: 'cleanup',
    plugin.Stages.STAGE_CLOSEUP: 'closeup',
    plugin.Stages.STAGE_CLEANUP: 'cleanup',
    plugin.Stages.STAGE_PRE_TERMINATE: 'pre-terminate',
    plugin.Stages.STAGE_TERMINATE: 'terminate',
    plugin.Stages.STAGE_REBOOT: 'reboot',
}


def commaList(value):
    """'a, b' / ['a', 'b'] / None -> ['a', 'b']."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value).split(',')
    return [i.strip() for i in items if i and i.strip()]


def truthy(value):
    if isinstance(value, str):
        return value not in ('', 'f', 'F', 'false', 'False', '0')
    return bool(value)


def _argText(arg):
    if isinstance(arg, (list, tuple)):
        return ','.join(str(a) for a in arg)
    return str(arg)


def record(p, provider, method, *args):
    """Append 'stage provider.method args...' to HE_FAKES/calls (+ JSON line file)."""
    stage = STAGE_IDS.get(p.currentStage, str(p.currentStage))
    parts = [stage, '%s.%s' % (provider, method)]
    parts += [_argText(a) for a in args if not (isinstance(a, (list, tuple)) and not a)]
    text = ' '.join(parts)
    p.environment.setdefault(CALLS, []).append(text)
    p.logger.debug('HE_FAKES call: %s', text)
    path = p.environment.get(RECORD_FILE)
    if path:
        with open(path, 'a') as f:
            f.write(json.dumps({
                'stage': stage,
                'provider': provider,
                'method': method,
                'args': [list(a) if isinstance(a, (list, tuple)) else a for a in args],
                'pid': os.getpid(),
                'time': time.time(),
            }) + '\n')
    return text


class HostState(object):
    """Simulated host: services and installed packages, optionally persisted as JSON."""

    def __init__(self, environment):
        self._environment = environment
        self.services = None
        self.packages = None

    def _path(self):
        return self._environment.get(STATE_FILE)

    def load(self):
        if self.services is not None:
            return
        path = self._path()
        data = None
        if path and os.path.exists(path):
            with open(path) as f:
                data = json.load(f)
        if data is None:
            running = commaList(self._environment.get(RUNNING_SERVICES, DEFAULT_RUNNING))
            data = {
                'services': {
                    name: {'exists': True, 'enabled': False, 'running': name in running}
                    for name in commaList(self._environment.get(SERVICES, DEFAULT_SERVICES))
                },
                'packages': [],
            }
        self.services = data.get('services', {})
        self.packages = data.get('packages', [])

    def save(self):
        path = self._path()
        if not path:
            return
        tmp = '%s.tmp' % path
        with open(tmp, 'w') as f:
            json.dump({'services': self.services, 'packages': self.packages}, f,
                      indent=1, sort_keys=True)
        os.rename(tmp, path)

    def service(self, name):
        self.load()
        return self.services.get(name)
