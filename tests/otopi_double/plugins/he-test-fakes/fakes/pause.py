"""HE_FAKES_PAUSE=STAGE_X[:PRIORITY_Y] + HE_FAKES_PAUSE_FILE=/path: stop there for a kill test.

The event writes its pid into the file, then sleeps until the file is removed (resume)
or 60 s have passed.
"""

import os
import time

from otopi import plugin

PAUSE = 'HE_FAKES_PAUSE'
PAUSE_FILE = 'HE_FAKES_PAUSE_FILE'
MAX_PAUSE_SECONDS = 60


def createPlugin(context):
    spec = os.environ.get(PAUSE)
    path = os.environ.get(PAUSE_FILE)
    if not spec or not path:
        return None
    stageName, _, priorityName = spec.partition(':')
    stage = getattr(plugin.Stages, stageName)
    priority = getattr(plugin.Stages, priorityName or 'PRIORITY_DEFAULT')

    def _pause(self):
        self.logger.debug('he-test-fakes: pausing at %s, pid %s', spec, os.getpid())
        with open(path + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(path + '.tmp', path)
        deadline = time.time() + MAX_PAUSE_SECONDS
        while time.time() < deadline and os.path.exists(path):
            time.sleep(0.05)

    cls = type('Plugin', (plugin.PluginBase,), {
        '__module__': __name__,
        '_pause': plugin.event(stage=stage, priority=priority)(_pause),
    })
    return cls(context=context)
