"""Packages: stop the HA services where the plan says, then install (or update) the packages."""

from otopi import plugin, util

from ovirt_he_deploy import envkeys


@util.export
class Plugin(plugin.PluginBase):
    """Queues ovirt-hosted-engine-setup for the host install's package transaction."""

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        condition=lambda self: envkeys.is_deploy(self.environment),
    )
    def _packages(self):
        the_plan = self.environment[envkeys.PLAN.name]
        stop = the_plan.stop_before
        if not the_plan.install_missing_only:
            # ovirt-host-deploy's way (engines up to 4.3): install or update.
            self._stop(stop)
            self.packager.installUpdate(the_plan.packages)
            return
        missing = self._missing(the_plan.packages)
        if missing and not stop:
            from ovirt_he_deploy import plan

            stop = plan.STOP_ORDER  # not around a running HA stack
        self._stop(stop)
        if missing:
            self.packager.install(missing)
            envkeys.record_change(self.environment, "installed {}".format(", ".join(missing)))

    def _missing(self, packages):
        """The packages not installed: `install` of an installed one may update it."""
        installed = set(
            entry.get("name") for entry in self.packager.queryPackages(patterns=list(packages))
            if entry.get("operation") == "installed")
        return [name for name in packages if name not in installed]

    def _stop(self, services):
        if not services:
            return
        the_plan = self.environment[envkeys.PLAN.name]
        self.environment[envkeys.HOST_TOUCHED.name] = True
        for service in services:
            if self.services.exists(service):
                self.logger.debug("Stopping %s before its packages and configuration", service)
                self.services.state(service, False)
        if the_plan.facts.conf_exists and the_plan.maintenance is not None:
            # A reinstall: local maintenance while the services are stopped (the agent is
            # not reading it now), so a run that dies on the way leaves it set; the commit
            # clears it again unless it was set before the run.
            from ovirt_he_deploy import haconf

            haconf.set_local_maintenance(the_plan.maintenance)
