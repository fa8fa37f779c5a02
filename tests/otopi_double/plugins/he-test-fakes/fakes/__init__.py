# -*- coding: utf-8 -*-
"""he-test-fakes: recording fake packager and services providers (otopi contract §6.5).

Uses only otopi's public plugin API, so the group also loads on the real otopi.
"""

from otopi import util

from . import envdump, packager, pause, recorder, services


@util.export
def createPlugins(context):
    host = recorder.HostState(context.environment)  # one simulated host for both fakes
    packager.Plugin(context=context, host=host)
    services.Plugin(context=context, host=host)
    pause.createPlugin(context)
    envdump.Plugin(context=context)
