"""Events whose behaviour is switched by DT/ keys given on the command line."""

import os
import re

from otopi import constants as otopicons
from otopi import context as otopicontext
from otopi import filetransaction, plugin, transaction, util

S = plugin.Stages
STAGE_IDS = {
    S.STAGE_VALIDATION: 'validation', S.STAGE_TRANSACTION_BEGIN: 'transaction-prepare',
    S.STAGE_MISC: 'misc', S.STAGE_TRANSACTION_END: 'cleanup', S.STAGE_CLOSEUP: 'closeup',
    S.STAGE_CLEANUP: 'cleanup', S.STAGE_PRE_TERMINATE: 'pre-terminate',
}


class RecordingElement(transaction.TransactionElement):

    def __init__(self, p, label):
        super(RecordingElement, self).__init__()
        self._p = p
        self._label = label

    def __str__(self):
        return 'dt element %s' % self._label

    def _log(self, action):
        self._p.environment['DT/transLog'].append('%s:%s:%s' % (
            STAGE_IDS.get(self._p.currentStage, self._p.currentStage), action, self._label))

    def prepare(self):
        self._log('prepare')

    def commit(self):
        self._log('commit')

    def abort(self):
        self._log('abort')


def _on(key):
    return lambda self: self.environment.get(key)


@util.export
class Plugin(plugin.PluginBase):

    def _fileTransaction(self, key):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].append(
            filetransaction.FileTransaction(
                name=self.environment[key],
                content=self.environment.get('DT/fileContent', 'dt content'),
                modifiedList=self.environment[otopicons.CoreEnv.MODIFIED_FILES],
            )
        )

    @plugin.event(stage=S.STAGE_BOOT, before=(otopicons.Stages.CORE_LOG_INIT,))
    def _boot(self):
        self.environment[otopicons.CoreEnv.LOG_FILTER_KEYS].append('DT/password')
        self.environment[otopicons.CoreEnv.LOG_FILTER_KEYS].append('DT/engineSecret')
        if self.environment.get('DT/registerBadKey'):
            self.environment[otopicons.CoreEnv.LOG_FILTER_KEYS].append('DT/badKey')
        if self.environment.get('DT/addRegex'):
            self.environment[otopicons.CoreEnv.LOG_FILTER_RE].append(
                re.compile(r'DT/engineSecret=[^:]*:(?P<filter>.+)')
            )

    @plugin.event(stage=S.STAGE_INIT)
    def _init(self):
        self.environment.setdefault('DT/engineValue', 'old')
        self.environment.setdefault('DT/password', None)
        self.environment['DT/transLog'] = []
        self.environment['DT/cwd'] = os.getcwd()
        self.environment['DT/resolved'] = self.resolveFile('rel/file')

    @plugin.event(stage=S.STAGE_SETUP, condition=_on('DT/literal'))
    def _literal(self):
        self.environment[otopicons.CoreEnv.LOG_FILTER].append(self.environment['DT/literal'])

    @plugin.event(stage=S.STAGE_CUSTOMIZATION, priority=S.PRIORITY_HIGH)
    def _computeForEngine(self):
        self.environment['DT/computed'] = 'computed-by-host'

    @plugin.event(stage=S.STAGE_CUSTOMIZATION)
    def _seenInCustomization(self):
        self.environment['DT/seenInCustomization'] = self.environment['DT/engineValue']

    @plugin.event(
        stage=S.STAGE_CUSTOMIZATION,
        after=(otopicons.Stages.DIALOG_CLI_CUSTOMIZATION,),
    )
    def _seenAfterPrompt(self):
        self.environment['DT/seenAfterPrompt'] = self.environment['DT/engineValue']

    @plugin.event(stage=S.STAGE_CUSTOMIZATION, priority=S.PRIORITY_LOW,
                  condition=_on('DT/confirm'))
    def _confirm(self):
        self.environment['DT/confirmed'] = self.dialog.confirm('DT_PROCEED', 'Proceed now?')

    @plugin.event(stage=S.STAGE_CUSTOMIZATION, priority=S.PRIORITY_LOW,
                  condition=_on('DT/ask'))
    def _ask(self):
        self.environment['DT/asked'] = self.dialog.queryString(
            name='DT_NAME', note='Name? [@DEFAULT@]', default='dflt')
        self.environment['DT/askedHidden'] = self.dialog.queryString(
            name='DT_HIDDEN', note='Secret?', hidden=True)

    @plugin.event(stage=S.STAGE_VALIDATION)
    def _seenInValidation(self):
        self.environment['DT/seenInValidation'] = self.environment['DT/engineValue']

    @plugin.event(stage=S.STAGE_VALIDATION, condition=_on('DT/abortIn'))
    def _abort(self):
        raise otopicontext.Abort('dt abort requested')

    @plugin.event(stage=S.STAGE_VALIDATION, condition=_on('DT/transactions'))
    def _transValidation(self):
        t = self.environment[otopicons.CoreEnv.MAIN_TRANSACTION]
        t.append(RecordingElement(self, 'A'))
        t.append(RecordingElement(self, 'B'))

    @plugin.event(stage=S.STAGE_EARLY_MISC)
    def _setFlag(self):
        self.environment['DT/flagSetAt'] = 'early_misc'

    @plugin.event(
        stage=S.STAGE_MISC,
        condition=lambda self: self.environment['DT/flagSetAt'] == 'early_misc',
    )
    def _conditionalOnFlag(self):
        self.environment['DT/conditionRan'] = True

    @plugin.event(
        stage=S.STAGE_MISC,
        condition=lambda self: self.environment.get('DT/conditionRaise') and 1 / 0,
    )
    def _conditionRaises(self):
        self.environment['DT/conditionRaiseRan'] = True

    @plugin.event(stage=S.STAGE_MISC, condition=_on('DT/transactions'))
    def _transMisc(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].append(
            RecordingElement(self, 'C'))

    @plugin.event(stage=S.STAGE_MISC, condition=_on('DT/file'))
    def _file(self):
        self._fileTransaction('DT/file')

    @plugin.event(stage=S.STAGE_MISC, priority=S.PRIORITY_LOW)
    def _logSecrets(self):
        self.logger.debug('dt password is %s', self.environment.get('DT/password'))
        if self.environment.get('DT/literal'):
            self.logger.debug('dt literal is %s', self.environment['DT/literal'])
        if self.environment.get('DT/warnSecret'):
            self.logger.warning('dt warning %s', self.environment['DT/password'])
        if self.environment.get('DT/badKey') is not None:
            self.logger.debug('dt after bad key marker')

    @plugin.event(stage=S.STAGE_CLOSEUP, condition=_on('DT/transactions'))
    def _transCloseup(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].append(
            RecordingElement(self, 'D'))

    @plugin.event(stage=S.STAGE_CLOSEUP, condition=_on('DT/lateFile'))
    def _lateFile(self):
        self._fileTransaction('DT/lateFile')

    @plugin.event(stage=S.STAGE_CLOSEUP, condition=_on('DT/exitCode'))
    def _exitCode(self):
        self.environment[otopicons.BaseEnv.EXIT_CODE].append(
            {'priority': S.PRIORITY_FIRST, 'code': self.environment['DT/exitCode']})

    @plugin.event(stage=S.STAGE_CLEANUP)
    def _cleanup(self):
        self.environment['DT/cleanupRan'] = True
