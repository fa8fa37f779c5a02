"""Base class giving every otopi object a logger in the 'otopi.' tree."""

import logging

from . import util


@util.export
class Base(object):
    """Base of plugins, providers and transaction elements."""

    def __init__(self):
        name = self.__class__.__module__
        if not name.startswith('otopi'):
            name = 'otopi.%s' % name
        self._logger = logging.getLogger(name)

    @property
    def logger(self):
        return self._logger
