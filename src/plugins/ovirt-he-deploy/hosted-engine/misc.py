"""Misc: a deploy's hosted-engine.conf and ha.conf changes in otopi's main transaction.

A remove changes its files in closeup instead: the metadata cleanup needs the conf in place
and VDSM running, and VDSM runs again only in closeup (see closeup.py)."""

from otopi import constants as otopicons
from otopi import plugin, transaction, util

from ovirt_he_deploy import envkeys

from . import changes


class _MaintenanceElement(transaction.TransactionElement):
    """ha.conf: local maintenance cleared when the deploy lands, set if it is aborted."""

    def __init__(self, parent, change, facts):
        super(_MaintenanceElement, self).__init__()
        self._parent = parent
        self._change = change
        self._before = facts

    def __str__(self):
        return "Hosted Engine local maintenance in {}".format(self._change.path)

    def commit(self):
        from ovirt_he_deploy import haconf

        if not self._change.on_commit:
            return
        if haconf.apply_maintenance(self._change, self._change.on_commit):
            # Not a change when it only takes back the run's own True (set while the
            # services were stopped): ha.conf says what it said before the run.
            changed = haconf.changed_flags(self._change.on_commit, self._before)
            if changed:
                self._parent.committed(self._change.path, [])
                envkeys.record_change(self._parent.environment, "{}: {}".format(
                    self._change.path, changed))

    def abort(self):
        from ovirt_he_deploy import haconf

        haconf.set_local_maintenance(self._change)


@util.export
class Plugin(changes.FileChanges, plugin.PluginBase):
    """Appends the file changes of the plan to the main transaction."""

    def _transaction(self):
        return self.environment[otopicons.CoreEnv.MAIN_TRANSACTION]

    @plugin.event(
        stage=plugin.Stages.STAGE_MISC,
        priority=plugin.Stages.PRIORITY_LAST,
        condition=lambda self: envkeys.is_deploy(self.environment),
    )
    def _misc(self):
        self._append_changes()

    def _append_changes(self):
        from ovirt_he_deploy import hostfs

        the_plan = self.environment[envkeys.PLAN.name]
        # otopi commits the main transaction last-in first-out: appended first, ha.conf's
        # local maintenance is cleared only after hosted-engine.conf is in place. A failure
        # before this point (after the packages stage stopped the services) sets local
        # maintenance in the cleanup instead.
        if the_plan.maintenance is not None:
            self._transaction().append(_MaintenanceElement(self, the_plan.maintenance,
                                                         the_plan.facts))
        for write in the_plan.writes:
            self._transaction().append(
                changes.StagedElement(self, hostfs.StagedWrite(write), write.path))
        for attributes in the_plan.attributes:
            self._transaction().append(
                changes.StagedElement(self, hostfs.StagedAttributes(attributes), attributes.path))
