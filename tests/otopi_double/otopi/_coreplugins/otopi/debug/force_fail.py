"""An event at OTOPI_FORCE_FAIL_STAGE / _PRIORITY that raises RuntimeError."""

import os

from otopi import constants as otopicons
from otopi import plugin


def createPlugin(context):
    stageName = os.environ.get(otopicons.SystemEnvironment.FORCE_FAIL_STAGE)
    if not stageName:
        return None
    stage = getattr(plugin.Stages, stageName)
    priority = getattr(
        plugin.Stages,
        os.environ.get(otopicons.SystemEnvironment.FORCE_FAIL_PRIORITY) or 'PRIORITY_DEFAULT',
    )

    def _forceFail(self):
        raise RuntimeError('Forced failure at %s %s' % (stageName, priority))

    cls = type('Plugin', (plugin.PluginBase,), {
        '__module__': __name__,
        '_forceFail': plugin.event(stage=stage, priority=priority)(_forceFail),
    })
    return cls(context=context)
