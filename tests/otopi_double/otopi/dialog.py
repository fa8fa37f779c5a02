# -*- coding: utf-8 -*-
"""Dialog provider base (contract §6.4): notes are silent, queries raise."""

from . import base, util


@util.export
class DialogBase(base.Base):

    def __init__(self, *args, **kwargs):
        super(DialogBase, self).__init__()

    def note(self, text=None, prompt=False):
        pass

    def queryString(self, name, note=None, validValues=None, caseSensitive=True,
                    hidden=False, prompt=False, default=None):
        raise NotImplementedError('Dialog not available')

    def queryMultiString(self, name, note=None):
        raise NotImplementedError('Dialog not available')

    def queryValue(self, name, note=None):
        raise NotImplementedError('Dialog not available')

    def displayValue(self, name, value, note=None):
        pass

    def displayMultiString(self, name, value, note=None):
        pass

    def confirm(self, name, description, note=None, prompt=False):
        raise NotImplementedError('Dialog not available')

    def terminate(self):
        pass
