# -*- coding: utf-8 -*-
"""Command provider base (contract §6.3)."""

from . import base, util


@util.export
class CommandBase(base.Base):
    """Knows no commands: get() raises unless optional."""

    def __init__(self, *args, **kwargs):
        super(CommandBase, self).__init__()

    def detect(self, command):
        pass

    def get(self, command, optional=False):
        if optional:
            return None
        raise RuntimeError("Command '%s' is required but missing" % command)

    def set(self, command, path):
        pass

    def enum(self):
        return []
