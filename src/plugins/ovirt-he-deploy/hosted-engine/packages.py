"""Packages: stop the HA services, then install or update the Hosted Engine packages."""

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
        self.environment[envkeys.HOST_TOUCHED.name] = True
        for service in the_plan.stop_before:
            if self.services.exists(service):
                self.logger.debug("Stopping %s before updating its packages", service)
                self.services.state(service, False)
        self.packager.installUpdate(the_plan.packages)
