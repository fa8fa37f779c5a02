"""What a host has before a run: read once, before the plan is made."""

import os
from typing import TYPE_CHECKING

from . import keyvalue
from .haconf import ha_flag
from .hostfs import HostFileError, read_bytes
from .plan import LOCAL_MAINTENANCE_MANUAL, HostFacts, HostSettings

if TYPE_CHECKING:
    from typing import Tuple  # noqa: F401 (type comments)


def ha_state_dir(settings):  # type: (HostSettings) -> str
    """ovirt-hosted-engine-ha's state directory, where ha.conf lives."""
    return os.path.dirname(settings.ha_conf_file) or "."


def sources(settings):  # type: (HostSettings) -> Tuple[str, str, str]
    """What read_facts reads: the conf, ha.conf, and whether HA's state directory exists."""
    return settings.conf_file, settings.ha_conf_file, ha_state_dir(settings)


def read_facts(settings):
    # type: (HostSettings) -> HostFacts
    """What the host has before the run; unreadable files count as unknown, not as errors."""
    conf_exists = os.path.lexists(settings.conf_file)
    host_id = None
    if conf_exists:
        try:
            data = read_bytes(settings.conf_file)
        except HostFileError:
            data = None
        if data is not None:
            value = keyvalue.parse(data.decode("ascii", errors="replace")).get("host_id")
            host_id = value if value else None
    manual = False
    try:
        ha = read_bytes(settings.ha_conf_file)
    except HostFileError:
        ha = None
    if ha is not None:
        manual = ha_flag(keyvalue.parse(ha.decode("ascii", errors="replace")).get(
            LOCAL_MAINTENANCE_MANUAL))
    return HostFacts(
        conf_exists=conf_exists,
        conf_host_id=host_id,
        ha_state_dir_exists=os.path.isdir(ha_state_dir(settings)),
        manual_maintenance=manual,
    )
