"""Recording fake packager: queues like dnf, processes at STAGE_PACKAGES PRIORITY_LAST."""

import fnmatch

from otopi import constants as otopicons
from otopi import packager, plugin, transaction, util

from . import recorder


class _PackagerTransaction(transaction.TransactionElement):
    """prepare -> beginTransaction, commit -> endTransaction(False), abort -> (True)."""

    def __init__(self, parent):
        super(_PackagerTransaction, self).__init__()
        self._parent = parent

    def __str__(self):
        return 'he-test-fakes packager transaction'

    def prepare(self):
        self._parent.beginTransaction()

    def commit(self):
        self._parent.endTransaction(rollback=False)

    def abort(self):
        self._parent.endTransaction(rollback=True)


@util.export
class Plugin(plugin.PluginBase, packager.PackagerBase):

    def __init__(self, context, host):
        super(Plugin, self).__init__(context=context)
        self._queue = []
        self._state = host
        # What otopi's own base offers: otopi 1.8's PackagerBase has neither.
        if hasattr(packager.PackagerBase, 'checkForSafeUpdate'):
            self.checkForSafeUpdate = self._checkForSafeUpdate
        if hasattr(packager.PackagerBase, 'getConf'):
            self.getConf = self._getConf

    def _host(self):
        self._state.load()
        return self._state

    def _record(self, method, *args):
        return recorder.record(self, 'packager', method, *args)

    def _maybeFail(self, method):
        if recorder.truthy(self.environment.get(recorder.FAIL_INSTALL)):
            raise RuntimeError('he-test-fakes: packager %s failed (HE_FAKES/failInstall)'
                               % method)

    def _queueOp(self, operation, packages):
        self._queue.extend((operation, p) for p in packages)
        return True

    def beginTransaction(self):
        self._record('beginTransaction')

    def endTransaction(self, rollback=False):
        self._record('endTransaction', rollback)
        if rollback:
            self._queue = []

    def processTransaction(self):
        self._record('processTransaction', [
            '%s:%s' % (op, name) for op, name in self._queue])
        self._maybeFail('processTransaction')
        host = self._host()
        for operation, name in self._queue:
            if operation == 'remove':
                if name in host.packages:
                    host.packages.remove(name)
            elif name not in host.packages:
                host.packages.append(name)
        self._queue = []
        host.save()

    def install(self, packages, ignoreErrors=False):
        self._record('install', packages)
        self._maybeFail('install')
        return self._queueOp('install', packages)

    def update(self, packages, ignoreErrors=False):
        self._record('update', packages)
        return self._queueOp('update', packages)

    def installUpdate(self, packages, ignoreErrors=False):
        self._record('installUpdate', packages)
        self._maybeFail('installUpdate')
        return self._queueOp('installUpdate', packages)

    def remove(self, packages, ignoreErrors=False):
        self._record('remove', packages)
        return self._queueOp('remove', packages)

    def installGroup(self, group, ignoreErrors=False):
        self._record('installGroup', group)
        return True

    def updateGroup(self, group, ignoreErrors=False):
        self._record('updateGroup', group)
        return True

    def removeGroup(self, group, ignoreErrors=False):
        self._record('removeGroup', group)
        return True

    def queryGroups(self):
        self._record('queryGroups')
        return []

    def queryPackages(self, patterns=None, listAll=False):
        self._record('queryPackages', patterns if patterns is not None else [])
        installed = recorder.commaList(self.environment.get(recorder.INSTALLED_PACKAGES))
        for name in self._host().packages:
            if name not in installed:
                installed.append(name)
        result = []
        for name in installed:
            if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            result.append({
                'operation': 'installed',
                'display_name': '%s-1.0-1.noarch' % name,
                'name': name,
                'version': '1.0',
                'release': '1',
                'epoch': '0',
                'arch': 'noarch',
            })
        return result

    def _checkForSafeUpdate(self, packages):
        self._record('checkForSafeUpdate', packages)
        return {'upgradeAvailable': False, 'missingRollback': [], 'packageOperations': []}

    def _getConf(self):
        return {}

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        after=(otopicons.Stages.PACKAGERS_DETECTION,),
    )
    def _init(self):
        self.environment.setdefault(recorder.CALLS, [])
        self.environment.setdefault(recorder.FAIL_INSTALL, False)
        self.environment.setdefault(recorder.INSTALLED_PACKAGES, '')
        self.context.registerPackager(packager=self)

    @plugin.event(
        stage=plugin.Stages.STAGE_SETUP,
    )
    def _setup(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].append(
            _PackagerTransaction(self)
        )

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        priority=plugin.Stages.PRIORITY_LAST,
        condition=lambda self: self.packager is self,
    )
    def _packages(self):
        self.processTransaction()
