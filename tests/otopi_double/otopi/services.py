# -*- coding: utf-8 -*-
"""Services provider base (contract §6.2)."""

from . import base, util


@util.export
class ServicesBase(base.Base):
    """Do-nothing services provider: nothing exists, nothing runs."""

    def __init__(self, *args, **kwargs):
        super(ServicesBase, self).__init__()

    @property
    def supportsDependency(self):
        return False

    def exists(self, name):
        return False

    def status(self, name):
        return False

    def startup(self, name, state):
        pass

    def startupSocket(self, name, state):
        pass

    def state(self, name, state):
        pass

    def restart(self, name):
        pass
