"""Misc: hosted-engine.conf and ha.conf changes, as elements of otopi's main transaction."""

from otopi import constants as otopicons
from otopi import plugin, transaction, util

from ovirt_he_deploy import envkeys, hostfs


class _StagedElement(transaction.TransactionElement):
    """A library staged change (prepare/commit/abort) inside otopi's main transaction."""

    def __init__(self, staged, path, modified):
        super().__init__()
        self._staged = staged
        self._path = path
        self._modified = modified
        self._changed = False

    def __str__(self):
        return "Hosted Engine {}".format(self._staged)

    def prepare(self):
        self._changed = self._staged.prepare()

    def commit(self):
        if self._changed:
            self._staged.commit()
            self._modified.append(self._path)

    def abort(self):
        self._staged.abort()


class _MaintenanceElement(transaction.TransactionElement):
    """ha.conf: local maintenance cleared when the deploy lands, set if it is aborted."""

    def __init__(self, change, modified):
        super().__init__()
        self._change = change
        self._modified = modified

    def __str__(self):
        return "Hosted Engine local maintenance in {}".format(self._change.path)

    def commit(self):
        if hostfs.apply_maintenance(self._change, self._change.on_commit):
            self._modified.append(self._change.path)

    def abort(self):
        hostfs.set_local_maintenance(self._change)


@util.export
class Plugin(plugin.PluginBase):
    """Appends the file changes of the plan to the main transaction."""

    def _transaction(self):
        return self.environment[otopicons.CoreEnv.MAIN_TRANSACTION]

    def _modified(self):
        return self.environment[otopicons.CoreEnv.MODIFIED_FILES]

    @plugin.event(
        stage=plugin.Stages.STAGE_EARLY_MISC,
        condition=lambda self: envkeys.is_deploy(self.environment),
    )
    def _early_misc(self):
        # Before the packages stage stops the services, so any failure from here on
        # leaves the host in local maintenance.
        the_plan = self.environment[envkeys.PLAN.name]
        self._transaction().append(_MaintenanceElement(the_plan.maintenance, self._modified()))

    @plugin.event(
        stage=plugin.Stages.STAGE_MISC,
        condition=lambda self: envkeys.acts(self.environment),
    )
    def _misc(self):
        the_plan = self.environment[envkeys.PLAN.name]
        for write in the_plan.writes:
            self._transaction().append(
                _StagedElement(hostfs.StagedWrite(write), write.path, self._modified()))
        for removal in the_plan.removals:
            self._transaction().append(
                _StagedElement(hostfs.StagedRemoval(removal), removal.path, self._modified()))
