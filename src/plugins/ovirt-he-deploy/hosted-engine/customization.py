"""Boot, init, setup and validation: secrets filtered, defaults set, the unit checked and planned.

Only envkeys is imported up front, and configrepeats in STAGE_INIT (a key of ours set twice
in a config file makes the action itself depend on the Python; a run without keys of ours
goes on if it cannot be loaded): with action none (the
engine's default for every host) the group must cost nothing, so the rest of the library is
imported by the events that need it.
"""

import re

from otopi import constants as otopicons
from otopi import plugin, util

from ovirt_he_deploy import envkeys

# What a deploy or remove imports beyond envkeys, all at its first step (VALIDATION): a
# module this host's Python cannot load (a Python 3 only line on EL7's Python 2.7, jinja2
# missing) stops the run before anything changed and says why. A run with action none
# imports none of them, so it cannot fail that way.
RUN_MODULES = tuple("ovirt_he_deploy." + name for name in (
    "conflicts", "haconf", "hostfacts", "hostfs", "metadata", "plan", "render",
    "servicewait", "unit", "validation"))
DEPLOY_MODULES = ("jinja2",)
# What every run imports in STAGE_INIT, action none included (_refuse_repeats). One that
# cannot load fails only a run that carries keys of ours (envkeys.carries_ours): a config
# file or the command line may ask for a deploy; any other host install goes on.
INIT_MODULES = ("ovirt_he_deploy.configrepeats",)


def _import_run_modules(action):
    import importlib

    for name in RUN_MODULES + (DEPLOY_MODULES if action == envkeys.ACTION_DEPLOY else ()):
        try:
            importlib.import_module(name)
        except Exception as error:  # SyntaxError, ImportError, or whatever the module raised
            raise RuntimeError(_cannot_import(
                name, error, "Host installs that neither deploy nor remove Hosted Engine "
                             "do not import it."))


def _cannot_import(name, error, scope):
    import sys

    fix = ("install jinja2 for this Python (python-jinja2 on EL7, python3-jinja2 on EL8 and "
           "EL9)" if name == "jinja2" else "install the ovirt-he-deploy build for this "
           "Python (on EL7, the one for Python 2.7)")
    return "Hosted Engine: cannot import {} on this host's Python {} ({}): {}: {}. Nothing " \
           "was changed; {}. {}".format(name, sys.version.split()[0], sys.executable,
                                         type(error).__name__, error, fix, scope)


@util.export
class Plugin(plugin.PluginBase):
    """Turns the engine's deploy-unit section into a checked plan before anything changes."""

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)
        self._lock = None
        self._refused_secrets = {}

    def _secrets_as_text(self):
        self._refused_secrets.update(envkeys.secrets_as_text(self.environment))

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        before=(otopicons.Stages.CORE_LOG_INIT,),
    )
    def _boot(self):
        # Before the log exists, so not even the first env dump shows them: filtered by key,
        # or on Python 2 left out of env dumps until their values can be filtered.
        if envkeys.FILTER_BY_KEY:
            self._hide_values_of(envkeys.SECRET_ENV_KEYS)
        else:
            suppressed = self.environment.setdefault(
                otopicons.BaseEnv.SUPPRESS_ENVIRONMENT_KEYS, [])
            suppressed.extend(envkeys.SECRET_ENV_KEYS)
        self._filter_received_secrets()
        self._secrets_as_text()

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        after=(otopicons.Stages.CORE_LOG_INIT,),
    )
    def _log_ready(self):
        # otopi 1.8 empties CORE/logFilterRe in otopi.core.log.init, after _boot added ours
        # (otopi-1.8.4 plugins/otopi/core/log.py:208-211; 1.10 empties it in the log plugin's
        # constructor instead): add them again before STAGE_INIT's config files bring a secret
        # under a misspelt key, which otopi dumps right after reading them.
        self._filter_received_secrets()
        self._hide_secret_values()

    def _filter_received_secrets(self):
        self._add_filter_patterns([envkeys.SECRET_RECEIVE_PATTERN])
        self._add_filter_patterns([envkeys.SECRET_LOOKALIKE_DUMP_PATTERN], re.IGNORECASE)

    def _add_filter_patterns(self, patterns, flags=0):
        regexps = self.environment.setdefault(otopicons.CoreEnv.LOG_FILTER_RE, [])
        present = set(getattr(regexp, "pattern", None) for regexp in regexps)
        for pattern in patterns:
            if pattern not in present:
                present.add(pattern)
                regexps.append(re.compile(pattern, flags))

    def _hide_values_of(self, names):
        """The values of these keys never appear in later log records (envkeys.FILTER_BY_KEY)."""
        if envkeys.FILTER_BY_KEY:
            filter_keys = self.environment.setdefault(otopicons.CoreEnv.LOG_FILTER_KEYS, [])
            filter_keys.extend(name for name in names if name not in filter_keys)
        else:
            self._add_filter_patterns(envkeys.value_patterns(self.environment, names))

    def _hide_secret_values(self):
        # Python 2 filters the values themselves: called after each source of them.
        if not envkeys.FILTER_BY_KEY:
            self._hide_values_of(envkeys.SECRET_ENV_KEYS)

    # otopi turns the whole environment into text around every event of a run, whatever
    # the event's condition says: each event, and each key in the environment, costs every
    # host install something. So the group has few events, and adds its own keys only in
    # runs that act (in VALIDATION); a run with action none adds none.

    # Secrets can arrive later too (config files, then the engine's dialog); make them
    # text right after each source, before the log formats the next record.
    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        priority=plugin.Stages.PRIORITY_HIGH - 10,
        after=(otopicons.Stages.CORE_CONFIG_INIT,),
    )
    def _init(self):
        self._secrets_as_text()
        self._hide_secret_values()
        if envkeys.maybe_secret_lookalike(self.environment):
            self._filter_secret_lookalikes()
        self._refuse_repeats()

    def _refuse_repeats(self):
        # A key of ours set twice in one config file gives each Python another unit (even
        # another action): refused on all of them, before anything reads the action.
        try:
            from ovirt_he_deploy import configrepeats
        except Exception as error:  # SyntaxError, ImportError, or whatever the module raised
            self._init_module_failed(INIT_MODULES[0], error)
            return
        for path in configrepeats.config_files(
                self.environment.get(otopicons.CoreEnv.CONFIG_FILE_NAME),
                self.environment.get(otopicons.CoreEnv.CONFIG_FILE_APPEND),
                self.resolveFile):
            repeats = configrepeats.file_repeats(path)
            if repeats:
                raise RuntimeError(repeats[0].message())

    def _init_module_failed(self, name, error):
        if envkeys.carries_ours(self.environment):
            raise RuntimeError(_cannot_import(
                name, error, "Host installs that carry no {} keys go on without it.".format(
                    ", ".join(prefix + "*" for prefix in envkeys.OUR_PREFIXES))))
        self.logger.warning("%s", _cannot_import(
            name, error, "This run carries no Hosted Engine keys, so it goes on; a deploy or "
                         "remove would fail."))

    def _filter_secret_lookalikes(self):
        # A password under a misspelt key or prefix is refused in VALIDATION, but otopi logs
        # the environment before and after: its value is filtered like the real one's.
        from ovirt_he_deploy import keynames

        self._hide_values_of(keynames.secret_lookalikes(self.environment))

    @plugin.event(
        stage=plugin.Stages.STAGE_CUSTOMIZATION,
        priority=plugin.Stages.PRIORITY_LAST,
        condition=lambda self: envkeys.secrets_need_care(self.environment),
    )
    def _secrets_from_dialog(self):
        self._secrets_as_text()
        self._hide_secret_values()

    @plugin.event(
        stage=plugin.Stages.STAGE_VALIDATION,
        priority=plugin.Stages.PRIORITY_HIGH,
    )
    def _validation(self):
        if envkeys.maybe_stray(self.environment):
            # Filtered first: the refusal below names these keys, never their values.
            self._filter_secret_lookalikes()
            if not envkeys.acts(self.environment):
                self._refuse_stray_keys()
        if envkeys.acts(self.environment):
            self._check_and_plan()
        elif envkeys.unused_config(self.environment):
            self._say_config_is_unused()

    def _refuse_stray_keys(self):
        # A misspelt HOSTED_ENGINE/action or prefix is ours even when the action is none:
        # the unit meant to act. Keys only near ours (maybe_stray) cost this import alone.
        from ovirt_he_deploy import validation
        from ovirt_he_deploy.unit import DeployUnit, InvalidUnit

        unit = DeployUnit.from_environment(self.environment)
        problems = validation.stray_problems(unit.stray, unit.action)
        if problems:
            raise InvalidUnit(problems)

    def _defaults(self):
        """Our keys' defaults where nothing (command line, config, engine) set them."""
        for key, default in envkeys.defaults().items():
            self.environment.setdefault(key, default)
        for key in envkeys.INTERNAL_KEYS:
            self.environment[key.name] = key.default
        self.environment[envkeys.CHANGES.name] = []

    def _check_and_plan(self):
        import sys

        _import_run_modules(envkeys.action_of(self.environment))
        from ovirt_he_deploy import conflicts, hostfacts, hostfs, plan, validation
        from ovirt_he_deploy.unit import DeployUnit, InvalidUnit, Problem

        others = conflicts.other_hosted_engine_plugins(list(sys.modules), __package__)
        if others:
            raise RuntimeError(
                "Hosted Engine: another Hosted Engine plugin is loaded in this run ({}); it "
                "acts on {} too. Load only one: drop ovirt-he-deploy from BASE/pluginGroups, "
                "or take ovirt-host-deploy's hosted-engine plugin out of the bundle.".format(
                    ", ".join(others), envkeys.ACTION.name))
        problems = validation.setting_problems(self.environment)
        if problems:
            raise InvalidUnit(problems)
        self._defaults()
        # The checks come first: they change nothing, so a refused unit leaves nothing on
        # the host, not even the lock file. The vdsm user and kvm group are not checked
        # here: on a new host they appear only when the packages stage installs vdsm.
        if self._refused_secrets:
            raise InvalidUnit([Problem(name, "value (hidden) has type {}, not a string.".format(
                kind), "send the value as str:VALUE.")
                for name, kind in sorted(self._refused_secrets.items())])
        unit = validation.check(DeployUnit.from_environment(self.environment))
        if unit.action == envkeys.ACTION_DEPLOY:
            self._check_arch()
        settings = plan.HostSettings.from_environment(self.environment)
        lock = hostfs.HostLock(settings.lock_file)
        lock.acquire()
        self._lock = lock
        the_plan = plan.build(unit, settings, hostfacts.read_facts(
            settings, unit.entries if unit.action == envkeys.ACTION_DEPLOY else None))
        for warning in unit.warnings + the_plan.warnings:
            self.logger.warning("Hosted Engine: %s", warning)
        for note in unit.notes:
            self.logger.info("Hosted Engine: %s", note)
        self.environment[envkeys.PLAN.name] = the_plan
        if the_plan.completes:
            self.logger.info("Hosted Engine: host_id %s on %s storage: hosted-engine.conf "
                             "already says what the unit says; completing it, not "
                             "rewriting it", unit.host_id, unit.domain_type)
        elif unit.action == envkeys.ACTION_DEPLOY:
            self.logger.info("Hosted Engine: deploying host_id %s on %s storage%s",
                             unit.host_id, unit.domain_type, self._differing(the_plan))
        else:
            self.logger.info("Hosted Engine: removing Hosted Engine from this host")
        self.logger.debug("Hosted Engine plan:\n%s", plan.describe(the_plan))

    @staticmethod
    def _differing(the_plan):
        from ovirt_he_deploy import deployed

        if not the_plan.facts.conf_differences:
            return ""
        return " (hosted-engine.conf on the host differs in: {})".format(
            deployed.describe(the_plan.facts.conf_differences))

    def _say_config_is_unused(self):
        # A deploy unit whose action line is missing does nothing: say so (cheaply; a run
        # with action none imports nothing else of the library).
        from ovirt_he_deploy.compat import ascii

        names = [ascii(name)[1:-1] for name in envkeys.config_keys(self.environment)]
        self.logger.warning(
            "Hosted Engine: %s %s key%s will not be used: %s is none (absent means none) "
            "(%s). Set %s=str:deploy to deploy them, or drop them.",
            len(names), envkeys.CONFIG_PREFIX + "*", "" if len(names) == 1 else "s",
            envkeys.ACTION.name, " ".join(names), envkeys.ACTION.name)

    def _check_arch(self):
        import os

        required = self.environment[envkeys.REQUIRED_ARCH.name]
        # What platform.machine() reports, without importing it (Python 2: a plain tuple).
        machine = os.uname()[4]
        if machine != required:
            raise RuntimeError(
                "Hosted Engine deploy requested on a {} host; Hosted Engine hosts must be "
                "{}. Add this host without Hosted Engine deploy.".format(machine, required))

    @plugin.event(
        stage=plugin.Stages.STAGE_CLEANUP,
        condition=lambda self: self._lock is not None,
    )
    def _cleanup(self):
        if envkeys.deploy_failed_after_changes(
                self.environment, bool(self.environment.get(otopicons.BaseEnv.ERROR))):
            self._set_local_maintenance()
        self._lock.release()
        self._lock = None

    def _set_local_maintenance(self):
        from ovirt_he_deploy import haconf, hostfs

        # Whatever failed after the services were stopped (our stages or another plugin's,
        # e.g. VDSM in closeup), this host must not be chosen to run the engine VM.
        change = self.environment[envkeys.PLAN.name].maintenance
        try:
            if haconf.set_local_maintenance(change):
                self.logger.warning(
                    "Hosted Engine: the deploy did not finish; local maintenance was set in "
                    "%s. Fix the cause and reinstall the host with Hosted Engine deploy.",
                    change.path)
        except hostfs.HostFileError as error:
            self.logger.error("Hosted Engine: could not set local maintenance: %s", error)
