"""Recording fake services provider with a simulated (optionally persisted) state."""

from otopi import plugin, services, util

from . import recorder


@util.export
class Plugin(plugin.PluginBase, services.ServicesBase):

    def __init__(self, context, host):
        super(Plugin, self).__init__(context=context)
        self._state = host

    def _host(self):
        self._state.load()
        return self._state

    def _record(self, method, *args):
        return recorder.record(self, 'services', method, *args)

    def _existing(self, name):
        svc = self._host().service(name)
        if svc is None or not svc.get('exists'):
            raise RuntimeError("he-test-fakes: service '%s' does not exist" % name)
        return svc

    def _slowStart(self, name):
        for item in recorder.commaList(self.environment.get(recorder.SLOW_START)):
            service, _, checks = item.partition(':')
            if service == name:
                return int(checks or '1')
        return 0

    def _start(self, name, verb):
        svc = self._existing(name)
        if name in recorder.commaList(self.environment.get(recorder.FAIL_START)):
            raise RuntimeError("Failed to %s service '%s'" % (verb, name))
        svc['running'] = name not in recorder.commaList(
            self.environment.get(recorder.DIES_AFTER_START))
        slow = self._slowStart(name)
        if slow:
            svc['notRunningChecks'] = slow
        else:
            svc.pop('notRunningChecks', None)
        self._host().save()

    @property
    def supportsDependency(self):
        return True

    def exists(self, name):
        self._record('exists', name)
        svc = self._host().service(name)
        return bool(svc and svc.get('exists'))

    def status(self, name):
        self._record('status', name)
        svc = self._host().service(name)
        if svc and svc.get('notRunningChecks'):
            svc['notRunningChecks'] -= 1
            self._host().save()
            return False
        return bool(svc and svc.get('exists') and svc.get('running'))

    def startup(self, name, state):
        self._record('startup', name, state)
        self._existing(name)['enabled'] = bool(state)
        self._host().save()

    def startupSocket(self, name, state):
        self._record('startupSocket', name, state)

    def state(self, name, state):
        self._record('state', name, state)
        if state:
            self._start(name, 'start')
        else:
            self._existing(name)['running'] = False
            self._host().save()

    def restart(self, name):
        self._record('restart', name)
        self._start(name, 'restart')

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
    )
    def _init(self):
        self.environment.setdefault(recorder.CALLS, [])
        self.environment.setdefault(recorder.SERVICES, recorder.DEFAULT_SERVICES)
        self.environment.setdefault(recorder.RUNNING_SERVICES, recorder.DEFAULT_RUNNING)
        self.environment.setdefault(recorder.FAIL_START, '')
        self.environment.setdefault(recorder.DIES_AFTER_START, '')
        self.environment.setdefault(recorder.SLOW_START, '')
        self.context.registerServices(services=self)

    @plugin.event(
        stage=plugin.Stages.STAGE_PROGRAMS,
        priority=plugin.Stages.PRIORITY_LOW,
    )
    def _programs(self):
        self.context.registerServices(services=self)
