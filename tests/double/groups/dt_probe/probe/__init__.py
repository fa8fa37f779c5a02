"""Env-driven probe plugin for the double's own tests (keys under DT/)."""

from otopi import util

from . import events


@util.export
def createPlugins(context):
    events.Plugin(context=context)
