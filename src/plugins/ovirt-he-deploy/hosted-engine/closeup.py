"""Closeup: enable, restart and watch the HA services on deploy; stop and disable on remove."""

import time

from otopi import constants as otopicons
from otopi import plugin, util

from ovirt_he_deploy import envkeys, hostfs, plan

# ovirt-host-deploy's event for "VDSM started"; starting the agent before a VDSM restart
# aborts its storage connection. otopi ignores the name where that group is absent.
VDSM_STARTED = "odeploycons.packages.vdsm.started"


@util.export
class Plugin(plugin.PluginBase):
    """Brings the HA services to the state the plan asks for."""

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        after=(VDSM_STARTED,),
        condition=lambda self: envkeys.is_deploy(self.environment),
    )
    def _closeup_deploy(self):
        the_plan = self.environment[envkeys.PLAN.name]
        service = None
        try:
            for service in the_plan.enable:
                self.services.startup(service, True)
            for service in the_plan.restart:
                self.services.restart(service)
        except Exception as error:
            self._fail(service, "failed to start ({})".format(error))
        self._watch(the_plan)
        self.logger.info("Hosted Engine: %s running", ", ".join(the_plan.must_run))

    def _watch(self, the_plan):
        deadline = time.monotonic() + self.environment[envkeys.SERVICE_CHECK_SECONDS.name]
        while True:
            for service in the_plan.must_run:
                if not self.services.status(service):
                    self._fail(service, "is not running after its start")
            if time.monotonic() >= deadline:
                return
            time.sleep(1)

    @staticmethod
    def _fail(service, problem):
        # Local maintenance is set by _cleanup_after_failure, as for any failure after the
        # services were stopped.
        raise RuntimeError("Hosted Engine: " + plan.service_failure(service, problem))

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        after=(VDSM_STARTED,),
        condition=lambda self: envkeys.is_remove(self.environment),
    )
    def _closeup_remove(self):
        the_plan = self.environment[envkeys.PLAN.name]
        for service in the_plan.stop_after:
            if self.services.exists(service):
                self.services.state(service, False)
        for service in the_plan.disable:
            if self.services.exists(service):
                self.services.startup(service, False)
        self.logger.info("Hosted Engine: removed; %s stopped and disabled",
                         ", ".join(the_plan.stop_after))

    @plugin.event(
        stage=plugin.Stages.STAGE_CLEANUP,
        condition=lambda self: envkeys.deploy_failed_after_changes(
            self.environment, bool(self.environment.get(otopicons.BaseEnv.ERROR))),
    )
    def _cleanup_after_failure(self):
        # Whatever failed after the services were stopped (our stages or another plugin's,
        # e.g. VDSM in closeup), this host must not be chosen to run the engine VM.
        change = self.environment[envkeys.PLAN.name].maintenance
        try:
            if hostfs.set_local_maintenance(change):
                self.logger.warning(
                    "Hosted Engine: the deploy did not finish; local maintenance was set in "
                    "%s. Fix the cause and reinstall the host with Hosted Engine deploy.",
                    change.path)
        except hostfs.HostFileError as error:
            self.logger.error("Hosted Engine: could not set local maintenance: %s", error)
