# -*- coding: utf-8 -*-
"""Packager provider base (contract §6.1)."""

from . import base, util


@util.export
class PackagerBase(base.Base):
    """Raise-only packager; real providers override everything."""

    def __init__(self, *args, **kwargs):
        super(PackagerBase, self).__init__()

    def beginTransaction(self):
        raise NotImplementedError('Packager support not available')

    def endTransaction(self, rollback=False):
        raise NotImplementedError('Packager support not available')

    def processTransaction(self):
        raise NotImplementedError('Packager support not available')

    def install(self, packages, ignoreErrors=False):
        raise NotImplementedError('Packager install not implemented')

    def update(self, packages, ignoreErrors=False):
        raise NotImplementedError('Packager update not implemented')

    def installUpdate(self, packages, ignoreErrors=False):
        return (
            self.install(packages=packages, ignoreErrors=ignoreErrors) or
            self.update(packages=packages, ignoreErrors=ignoreErrors)
        )

    def remove(self, packages, ignoreErrors=False):
        raise NotImplementedError('Packager remove not implemented')

    def installGroup(self, group, ignoreErrors=False):
        raise NotImplementedError('Packager installGroup not implemented')

    def updateGroup(self, group, ignoreErrors=False):
        raise NotImplementedError('Packager updateGroup not implemented')

    def removeGroup(self, group, ignoreErrors=False):
        raise NotImplementedError('Packager removeGroup not implemented')

    def queryGroups(self):
        raise NotImplementedError('Packager queryGroups not implemented')

    def queryPackages(self, patterns=None, listAll=False):
        raise NotImplementedError('Packager queryPackages not implemented')

    def checkForSafeUpdate(self, packages):
        raise NotImplementedError('Packager checkForSafeUpdate not implemented')

    def getConf(self):
        raise NotImplementedError('Packager getConf not implemented')
