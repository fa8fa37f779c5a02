# -*- coding: utf-8 -*-
"""Main and internal-packages transactions (contract §3, §8)."""

from otopi import constants as otopicons
from otopi import context as otopicontext
from otopi import plugin, transaction, util


@util.export
class Plugin(plugin.PluginBase):

    def _notify(self, event):
        if event == otopicontext.NOTIFY_ERROR:
            for key in (
                otopicons.CoreEnv.INTERNAL_PACKAGES_TRANSACTION,
                otopicons.CoreEnv.MAIN_TRANSACTION,
            ):
                t = self.environment.get(key)
                if t is not None:
                    t.abort()

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        priority=plugin.Stages.PRIORITY_HIGH,
        name=otopicons.Stages.TRANSACTIONS_INIT,
    )
    def _init(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION] = transaction.Transaction()
        self.environment[
            otopicons.CoreEnv.INTERNAL_PACKAGES_TRANSACTION
        ] = transaction.Transaction()
        self.environment[otopicons.CoreEnv.MODIFIED_FILES] = []
        self.context.registerNotification(self._notify)

    @plugin.event(
        stage=plugin.Stages.STAGE_INTERNAL_PACKAGES,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _internalPackagesPrepare(self):
        self.environment[otopicons.CoreEnv.INTERNAL_PACKAGES_TRANSACTION].prepare()

    @plugin.event(
        stage=plugin.Stages.STAGE_INTERNAL_PACKAGES,
        priority=plugin.Stages.PRIORITY_LAST + 10,
    )
    def _internalPackagesCommit(self):
        self.environment[otopicons.CoreEnv.INTERNAL_PACKAGES_TRANSACTION].commit()

    @plugin.event(
        stage=plugin.Stages.STAGE_TRANSACTION_BEGIN,
    )
    def _mainPrepare(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].prepare()

    @plugin.event(
        stage=plugin.Stages.STAGE_TRANSACTION_END,
    )
    def _mainCommit(self):
        self.environment[otopicons.CoreEnv.MAIN_TRANSACTION].commit()
