"""Misc: hosted-engine.conf and ha.conf changes in otopi's main transaction; remove's last steps
before that transaction commits."""

from otopi import constants as otopicons
from otopi import plugin, transaction, util

from ovirt_he_deploy import envkeys


class _StagedElement(transaction.TransactionElement):
    """A library staged change (prepare/commit/abort) inside otopi's main transaction."""

    def __init__(self, parent, staged, path):
        super(_StagedElement, self).__init__()
        self._parent = parent
        self._staged = staged
        self._path = path
        self._changed = False

    def __str__(self):
        return "Hosted Engine {}".format(self._staged)

    def prepare(self):
        self._changed = self._staged.prepare()

    def commit(self):
        if self._changed:
            self._staged.commit()
            self._parent.committed(self._path, self._staged.committed)

    def abort(self):
        self._staged.abort()


class _MaintenanceElement(transaction.TransactionElement):
    """ha.conf: local maintenance cleared when the deploy lands, set if it is aborted."""

    def __init__(self, parent, change):
        super(_MaintenanceElement, self).__init__()
        self._parent = parent
        self._change = change

    def __str__(self):
        return "Hosted Engine local maintenance in {}".format(self._change.path)

    def commit(self):
        from ovirt_he_deploy import haconf

        if haconf.apply_maintenance(self._change, self._change.on_commit):
            self._parent.committed(self._change.path, [])

    def abort(self):
        from ovirt_he_deploy import haconf

        haconf.set_local_maintenance(self._change)


@util.export
class Plugin(plugin.PluginBase):
    """Appends the file changes of the plan to the main transaction."""

    def _transaction(self):
        return self.environment[otopicons.CoreEnv.MAIN_TRANSACTION]

    def committed(self, path, placed):
        """A file of ours changed: record it, and give new files their SELinux context."""
        self.environment[otopicons.CoreEnv.MODIFIED_FILES].append(path)
        if placed:
            self._restore_contexts(placed)

    def _command(self, name):
        """A command's path, or None. Looked up when needed: a required get() searches
        SYSTEM/commandPath on demand (an optional one sees only what otopi detected for keys
        declared before STAGE_PROGRAMS, which a run with action none would pay for)."""
        try:
            return self.command.get(name)
        except RuntimeError:
            return None

    def _restore_contexts(self, paths):
        # As otopi's FileTransaction does after its commit: a file renamed into place has
        # the context of where its temp file was made, not necessarily the policy's.
        restorecon = self._command("restorecon")
        if restorecon is None:
            self.logger.debug("restorecon not found; SELinux contexts not restored")
            return
        selinuxenabled = self._command("selinuxenabled")
        if selinuxenabled is not None and self.execute(
                (selinuxenabled,), raiseOnError=False)[0] != 0:
            self.logger.debug("SELinux is disabled; contexts not restored")
            return
        rc, _stdout, stderr = self.execute((restorecon, "-r") + tuple(paths),
                                           raiseOnError=False)
        if rc != 0:
            self.logger.warning("Hosted Engine: failed to restore the SELinux context of %s "
                                "(restorecon exit %s): %s; run 'restorecon -r %s'.",
                                ", ".join(paths), rc, " ".join(stderr[-1:]), " ".join(paths))

    @plugin.event(
        stage=plugin.Stages.STAGE_MISC,
        priority=plugin.Stages.PRIORITY_LAST,
        condition=lambda self: envkeys.acts(self.environment),
    )
    def _misc(self):
        # Last in MISC: everything else of the run is prepared, so a remove's last steps
        # (stopping the services, freeing the metadata slot) come right before the commit.
        self._append_changes()
        if envkeys.is_remove(self.environment):
            self._before_remove_commit()

    def _append_changes(self):
        from ovirt_he_deploy import hostfs

        the_plan = self.environment[envkeys.PLAN.name]
        # otopi commits the main transaction last-in first-out: appended first, ha.conf's
        # local maintenance is cleared only after hosted-engine.conf is in place. A failure
        # before this point (after the packages stage stopped the services) sets local
        # maintenance in the cleanup instead.
        if the_plan.maintenance is not None:
            self._transaction().append(_MaintenanceElement(self, the_plan.maintenance))
        for write in the_plan.writes:
            self._transaction().append(
                _StagedElement(self, hostfs.StagedWrite(write), write.path))
        for removal in the_plan.removals:
            self._transaction().append(
                _StagedElement(self, hostfs.StagedRemoval(removal), removal.path))

    def _before_remove_commit(self):
        # Everything else is prepared; the conf is still in place. The agent's own cleanup
        # needs the agent stopped, the broker running and the conf there: stop the agent,
        # free this host's metadata slot, then stop the broker; the commit moves the conf.
        the_plan = self.environment[envkeys.PLAN.name]
        first, rest = the_plan.stop_before_commit[:1], the_plan.stop_before_commit[1:]
        self._stop(first)
        if the_plan.clean_metadata_host_id is not None:
            self._clean_metadata(the_plan.clean_metadata_host_id)
        self._stop(rest)

    def _stop(self, services):
        for service in services:
            if self.services.exists(service):
                self.services.state(service, False)

    def _clean_metadata(self, host_id):
        from ovirt_he_deploy import metadata, plan

        command = self._command("hosted-engine")
        if command is None:
            self.logger.warning(
                "Hosted Engine: 'hosted-engine' is not installed, so this host's slot "
                "(host_id %s) in the shared Hosted Engine metadata stays; %s.",
                host_id, plan.metadata_manual_step(host_id))
            return
        args = metadata.clean_command(command, host_id)
        seconds = self.environment[envkeys.METADATA_CLEANUP_SECONDS.name]
        try:
            # otopi checks the timeout between waits of callback_interval seconds
            result = self.executePipe(({"args": args},), raiseOnError=False, timeout=seconds,
                                      callback_interval=min(5, max(1, seconds)))
            rc, stderr = result["result"][0]["rc"], result["result"][0]["stderr"]
        except Exception as error:  # a timeout or a failure to run it: best effort
            rc, stderr = None, [str(error)]
        outcome = metadata.outcome(host_id, rc, stderr, seconds)
        if outcome.freed:
            self.logger.info("Hosted Engine: %s", outcome.message)
        else:
            self.logger.warning("Hosted Engine: %s", outcome.message)
