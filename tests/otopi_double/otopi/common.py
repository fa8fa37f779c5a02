# -*- coding: utf-8 -*-
"""Wire-type parsing (contract §1.4)."""

from . import constants, util


@util.export
def toStr(o):
    return o.decode('utf-8', 'replace') if isinstance(o, bytes) else str(o)


@util.export
def parseTypedValue(s):
    """Parse 'type:value' into a python value; RuntimeError on a missing or unknown type."""
    if ':' not in s:
        # Never echo the value: it may be a secret (otopi says only this much too).
        raise RuntimeError('Missing variable type')
    vtype, value = s.split(':', 1)
    if vtype == constants.Types.NONE:
        return None
    if vtype == constants.Types.BOOLEAN:
        return value not in ('f', 'F', 'false', 'False')
    if vtype == constants.Types.INTEGER:
        return int(value)
    if vtype == constants.Types.STRING:
        return value
    if vtype == constants.Types.MULTI_STRING:
        return value.splitlines()
    raise RuntimeError("Invalid variable type '%s'" % vtype)


@util.export
def typeName(v):
    if v is None:
        return constants.Types.NONE
    if isinstance(v, bool):
        return constants.Types.BOOLEAN
    if isinstance(v, int):
        return constants.Types.INTEGER
    if isinstance(v, str):
        return constants.Types.STRING
    if isinstance(v, (list, tuple)):
        return constants.Types.MULTI_STRING
    return constants.Types.OBJECT
