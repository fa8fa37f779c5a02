"""Loading probe: nested dirs, relative imports, fresh module per run."""

from otopi import util

from . import mod

LOADS = []


@util.export
def createPlugins(context):
    LOADS.append(1)
    mod.Plugin(context=context, loads=len(LOADS))
