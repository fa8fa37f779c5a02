"""Closeup: enable, (re)start and wait for the HA services on deploy; disable them on remove."""

from otopi import plugin, util

from ovirt_he_deploy import envkeys

# ovirt-host-deploy's event for "VDSM started" (STAGE_CLOSEUP, PRIORITY_LOW); starting the
# agent before a VDSM restart aborts its storage connection. otopi ignores the name where
# that group is absent. An event `after` it must not have a higher priority (a lower
# number) in the same stage, or otopi refuses to build the sequence and the whole host
# install fails, for every action: hence PRIORITY_LOW, as ovirt-host-deploy's own
# hosted-engine plugin has.
VDSM_STARTED = "odeploycons.packages.vdsm.started"


@util.export
class Plugin(plugin.PluginBase):
    """Brings the HA services to the state the plan asks for."""

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        priority=plugin.Stages.PRIORITY_LOW,
        after=(VDSM_STARTED,),
        condition=lambda self: envkeys.acts(self.environment),
    )
    def _closeup(self):
        if envkeys.is_deploy(self.environment):
            self._start_services()
        else:
            self._stop_services()

    def _start_services(self):
        from ovirt_he_deploy import servicewait

        the_plan = self.environment[envkeys.PLAN.name]
        service = None
        try:
            for service in the_plan.enable:
                self.services.startup(service, True)
            for service in the_plan.restart:
                self.services.restart(service)
            if the_plan.restart:
                envkeys.record_change(self.environment, "restarted {}".format(
                    ", ".join(the_plan.restart)))
            for service in the_plan.start:
                # Start what is stopped; a running service keeps running as it is.
                if not self.services.status(service):
                    self.services.state(service, True)
                    envkeys.record_change(self.environment, "started " + service)
        except Exception as error:
            self._fail(service, "failed to start ({})".format(error))
        result = servicewait.wait_running(
            the_plan.must_run, self.services.status,
            self.environment[envkeys.SERVICE_WAIT_SECONDS.name],
            progress=lambda text: self.logger.info("Hosted Engine: %s", text))
        failed = result.failed
        if failed is not None:
            self._fail(failed.name, failed.problem(result.seconds))
        self.logger.info("Hosted Engine: %s running", ", ".join(the_plan.must_run))
        self._report(the_plan)

    def _report(self, the_plan):
        # The engine hook reports changed=false on the "checked:" line (src/ansible).
        changes = self.environment[envkeys.CHANGES.name] or []
        if the_plan.completes and not changes:
            self.logger.info(
                "Hosted Engine: checked: %s; hosted-engine.conf already said what the unit "
                "says, with its owner and mode, and %s were enabled and running: nothing "
                "changed, nothing restarted.",
                "the engine had deployed it" if the_plan.install_missing_only else
                "it was deployed already", ", ".join(the_plan.must_run))
        else:
            self.logger.info("Hosted Engine: changed: %s.", "; ".join(changes))

    @staticmethod
    def _fail(service, problem):
        from ovirt_he_deploy import plan

        # Local maintenance is set by the cleanup (customization), as for any failure after
        # the services were stopped.
        raise RuntimeError("Hosted Engine: " + plan.service_failure(service, problem))

    def _stop_services(self):
        # Stopped before the commit already; stop again in case something started them.
        the_plan = self.environment[envkeys.PLAN.name]
        for service in the_plan.disable:
            if self.services.exists(service):
                self.services.state(service, False)
                self.services.startup(service, False)
        self.logger.info("Hosted Engine: removed; %s stopped and disabled",
                         ", ".join(the_plan.disable))
