"""What a host has before a run: read once, before the plan is made."""

import os

from . import deployed, keyvalue
from .compat import TYPE_CHECKING, readable_text, text_from_bytes
from .haconf import ha_flag
from .hostfs import HostFileError, read_bytes
from .plan import LOCAL_MAINTENANCE, LOCAL_MAINTENANCE_MANUAL, HostFacts, HostSettings

if TYPE_CHECKING:
    from typing import Optional, Sequence, Tuple


def ha_state_dir(settings):  # type: (HostSettings) -> str
    """ovirt-hosted-engine-ha's state directory, where ha.conf lives."""
    return os.path.dirname(settings.ha_conf_file) or "."


def sources(settings):  # type: (HostSettings) -> Tuple[str, str, str]
    """What read_facts reads: the conf, ha.conf, and whether HA's state directory exists."""
    return settings.conf_file, settings.ha_conf_file, ha_state_dir(settings)


def read_facts(settings, entries=None):
    # type: (HostSettings, Optional[Sequence[Tuple[str, str]]]) -> HostFacts
    """What the host has before the run; unreadable files count as unknown, not as errors.

    entries: a deploy unit's; the conf on the host is compared with them (deployed).
    """
    conf_exists = os.path.lexists(settings.conf_file)
    host_id = None
    differences = None
    if conf_exists:
        try:
            data = read_bytes(settings.conf_file)
        except HostFileError:
            data = None
        if data is not None:
            value = keyvalue.parse(readable_text(data)).get("host_id")
            host_id = value if value else None
            if entries is not None:
                differences = deployed.differences(text_from_bytes(data), entries)
    ha_values = {}
    try:
        ha = read_bytes(settings.ha_conf_file)
    except HostFileError:
        ha = None
    if ha is not None:
        ha_values = keyvalue.parse(readable_text(ha))
    return HostFacts(
        conf_exists=conf_exists,
        conf_host_id=host_id,
        ha_state_dir_exists=os.path.isdir(ha_state_dir(settings)),
        manual_maintenance=ha_flag(ha_values.get(LOCAL_MAINTENANCE_MANUAL)),
        conf_differences=differences,
        local_maintenance=ha_flag(ha_values.get(LOCAL_MAINTENANCE)),
    )
