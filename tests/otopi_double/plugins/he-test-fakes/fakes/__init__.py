"""he-test-fakes: recording fake packager and services providers (otopi contract §6.5).

Uses only otopi's public plugin API, so the group also loads on the real otopi.
"""

from otopi import util

from . import packager
from . import pause
from . import services


@util.export
def createPlugins(context):
    packager.Plugin(context=context)
    services.Plugin(context=context)
    pause.createPlugin(context)
