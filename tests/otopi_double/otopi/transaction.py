# -*- coding: utf-8 -*-
"""Transactions (contract §8.1-§8.2)."""

from . import base, util


@util.export
class TransactionElement(base.Base):
    """One unit of work; override prepare/commit/abort and __str__."""

    def __init__(self):
        super(TransactionElement, self).__init__()

    def __str__(self):
        # as in real otopi: instances have no __name__ -> AttributeError
        return self.__name__

    def prepare(self):
        pass

    def abort(self):
        pass

    def commit(self):
        pass


@util.export
class Transaction(base.Base):
    """Prepare all, commit LIFO, abort what was prepared but not committed."""

    def __init__(self):
        super(Transaction, self).__init__()
        self._prepared = False
        self._pending = []
        self._preparedElements = []

    def __del__(self):
        try:
            self.abort()
        except Exception:
            pass

    def __enter__(self):
        self.prepare()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False

    def _prepareElement(self, element):
        self.logger.debug("preparing '%s'", element)
        element.prepare()
        self._preparedElements.append(element)

    def append(self, element):
        if not isinstance(element, TransactionElement):
            raise TypeError('Invalid transaction element type %s' % type(element))
        if self._prepared:
            self._prepareElement(element)
        else:
            self._pending.append(element)

    def prepare(self):
        self._prepared = True
        while self._pending:
            self._prepareElement(self._pending.pop(0))

    def commit(self):
        while self._preparedElements:
            element = self._preparedElements.pop()
            self.logger.debug("committing '%s'", element)
            element.commit()

    def abort(self):
        elements = self._preparedElements
        self._preparedElements = []
        for element in reversed(elements):
            try:
                self.logger.debug("aborting '%s'", element)
                element.abort()
            except Exception:
                self.logger.debug('Unexpected exception during abort', exc_info=True)
