"""otopi double debug plugins: OTOPI_FORCE_FAIL_STAGE / OTOPI_FORCE_FAIL_PRIORITY."""

from otopi import util

from . import force_fail


@util.export
def createPlugins(context):
    force_fail.createPlugin(context)
