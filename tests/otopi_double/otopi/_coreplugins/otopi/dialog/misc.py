"""Dialog selection, event reporting and termination."""

from otopi import constants as otopicons
from otopi import plugin, util

from . import dialects


@util.export
class Plugin(plugin.PluginBase):

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)
        self._handler = None
        self._dialect = None

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        name=otopicons.Stages.DIALOG_MISC_BOOT,
        after=(otopicons.Stages.CORE_LOG_INIT,),
    )
    def _boot(self):
        env = self.environment
        env.setdefault(otopicons.DialogEnv.DIALECT, 'human')
        env.setdefault(otopicons.DialogEnv.CUSTOMIZATION, False)
        env.setdefault(otopicons.DialogEnv.BOUNDARY, otopicons.Const.DIALOG_BOUNDARY)
        env.setdefault(otopicons.DialogEnv.CLI_VERSION, 1)
        env.setdefault(otopicons.DialogEnv.AUTO_ACCEPT_DEFAULT, False)
        env.setdefault(otopicons.DialogEnv.ANSWER_FILE, None)
        dialect = env[otopicons.DialogEnv.DIALECT]
        if dialect == 'machine':
            self._dialect = dialects.MachineDialog(self.context)
        elif dialect == 'human':
            self._dialect = dialects.HumanDialog(self.context)
        else:
            raise RuntimeError("Unsupported dialect '%s'" % dialect)
        self.context.registerDialog(self._dialect)
        self._handler = dialects.ConsoleHandler(self._dialect)
        self.context.addLogHandler(self._handler)

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        name=otopicons.Stages.DIALOG_BOOT_DONE,
        after=(otopicons.Stages.DIALOG_MISC_BOOT,),
    )
    def _bootDone(self):
        self.logger.debug('dialog ready')

    def _pre(self, stage, method):
        self._dialect.eventLine('EventStart', stage, method)

    def _post(self, stage, method):
        self._dialect.eventLine('EventEnd', stage, method)

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        condition=lambda self: isinstance(self._dialect, dialects.MachineDialog),
    )
    def _initMachine(self):
        self._dialect._write('**%EventsListStart')
        for stageid, fullname, name in self.context.eventsList():
            self._dialect._write('**%%EventsListEntry STAGE %s METHOD %s (%s)' % (
                stageid, fullname, name))
        self._dialect._write('**%EventsListEnd')
        self.context.registerPreEventCallback(self._pre)
        self.context.registerPostEventCallback(self._post)

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 10,
    )
    def _terminate(self):
        self.dialog.terminate()
        if self._handler is not None:
            self.context.removeLogHandler(self._handler)
            self._handler = None
