"""Closeup: enable, (re)start and wait for the HA services on deploy; on remove, free the
metadata slot, move the conf away and stop and disable the services."""

from otopi import plugin, util

from ovirt_he_deploy import envkeys

from . import changes

# ovirt-host-deploy's event for "VDSM started" (STAGE_CLOSEUP, PRIORITY_LOW); starting the
# agent before a VDSM restart aborts its storage connection. otopi ignores the name where
# that group is absent. An event `after` it must not have a higher priority (a lower
# number) in the same stage, or otopi refuses to build the sequence and the whole host
# install fails, for every action: hence PRIORITY_LOW, as ovirt-host-deploy's own
# hosted-engine plugin has.
VDSM_STARTED = "odeploycons.packages.vdsm.started"


@util.export
class Plugin(changes.FileChanges, plugin.PluginBase):
    """Brings the HA services to the state the plan asks for; a remove's last steps."""

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
            self._remove()

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
                "the engine had deployed it"
                if envkeys.setting(self.environment, envkeys.ENGINE_ROLE_DEPLOYED) else
                "it was deployed already", ", ".join(the_plan.must_run))
        else:
            self.logger.info("Hosted Engine: changed: %s.", "; ".join(changes))

    @staticmethod
    def _fail(service, problem):
        from ovirt_he_deploy import plan

        # Local maintenance is set by the cleanup (customization), as for any failure after
        # the services were stopped.
        raise RuntimeError("Hosted Engine: " + plan.service_failure(service, problem))

    def _remove(self):
        # Here, not in MISC: ovirt-host-deploy stops vdsmd in PACKAGES for every action and
        # starts it again only in the event this one follows, and the agent's cleanup checks
        # vdsmd first (ovirt-hosted-engine-ha agent/hosted_engine.py clean()). It also needs
        # this host's agent stopped (its slot then says "stopped"), the broker running, and
        # the conf in place: `hosted-engine` sources it for vmid and refuses without it. So
        # the conf is moved only after the cleanup, in a transaction of its own.
        the_plan = self.environment[envkeys.PLAN.name]
        first, rest = the_plan.stop_before_commit[:1], the_plan.stop_before_commit[1:]
        self._stop(first)
        if the_plan.clean_metadata_host_id is not None:
            self._clean_metadata(the_plan.clean_metadata_host_id)
        self._stop(rest)
        self._remove_files(the_plan.removals)
        for service in the_plan.disable:
            if self.services.exists(service):
                self.services.startup(service, False)
        self._leave_maintenance(the_plan.maintenance)
        self.logger.info("Hosted Engine: removed; %s stopped and disabled",
                         ", ".join(the_plan.disable))

    def _leave_maintenance(self, change):
        # A host that leaves Hosted Engine takes no local maintenance flag with it: nobody
        # would clear it, and a 4.4+ engine's hook could not tell it from the engine's own
        # when the host is added again (plan.leaving_maintenance).
        from ovirt_he_deploy import haconf

        if change is not None and haconf.apply_maintenance(change, change.on_commit):
            self.logger.info("Hosted Engine: %s: set %s: this host leaves Hosted Engine",
                             change.path, change.commit_text())

    def _stop(self, services):
        for service in services:
            if self.services.exists(service):
                self.services.state(service, False)

    def _remove_files(self, removals):
        from otopi import transaction

        from ovirt_he_deploy import hostfs

        with transaction.Transaction() as files:
            for removal in removals:
                files.append(changes.StagedElement(
                    self, hostfs.StagedRemoval(removal), removal.path))

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
            # the agent's cleanup logs to stderr (to stdout when its logging is broken)
            rc = result["result"][0]["rc"]
            output = list(result["stdout"]) + list(result["result"][0]["stderr"])
        except Exception as error:  # a timeout or a failure to run it: best effort
            rc, output = None, [str(error)]
        outcome = metadata.outcome(host_id, rc, output, seconds)
        if outcome.freed:
            self.logger.info("Hosted Engine: %s", outcome.message)
        else:
            self.logger.warning("Hosted Engine: %s", outcome.message)
