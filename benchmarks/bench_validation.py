"""Validation at scale: many deploy units checked and rendered by the library."""

import itertools
import os
import time
from typing import Dict, List, Tuple

from benchlib import EXAMPLES, Row

from ovirt_he_deploy import confkeys, otopiconf, render, validation
from ovirt_he_deploy.unit import DeployUnit

SECTION = "Validation at scale"

# Storage values per domainType, over the two example units (file types from nfs.conf,
# iscsi from iscsi-chap.conf); fc needs no connection keys, so they are left out.
FILE_STORAGE = {
    "nfs": "nfs.example.com:/exports/hosted_storage",
    "nfs3": "nfs.example.com:/exports/he3",
    "nfs4": "[2001:db8::10]:/exports/he4",
    "glusterfs": "gluster.example.com:/hosted_engine",
}
FC_DROPPED = ("storage", "connectionUUID", "nfs_version", "mnt_options")


def _variants() -> List[Tuple[str, DeployUnit]]:
    nfs = otopiconf.load_unit(os.path.join(EXAMPLES, "nfs.conf"))
    iscsi = otopiconf.load_unit(os.path.join(EXAMPLES, "iscsi-chap.conf"))
    variants = []
    for domain_type in confkeys.DOMAIN_TYPES:
        if domain_type in FILE_STORAGE:
            config = dict(nfs.config)
            config.update(domainType=domain_type, storage=FILE_STORAGE[domain_type])
        elif domain_type == "iscsi":
            config = dict(iscsi.config)
        else:
            config = {key: value for key, value in nfs.config if key not in FC_DROPPED}
            config["domainType"] = domain_type
        variants.append((domain_type, DeployUnit(action=nfs.action,
                                                 config=tuple(config.items()))))
    return variants


def _units(count: int) -> List[DeployUnit]:
    """count units cycling through the storage types and host ids 1..HOST_ID_MAX."""
    variants = itertools.cycle(_variants())
    units = []
    for number in range(count):
        _domain_type, unit = next(variants)
        config = dict(unit.config)
        config["host_id"] = str(confkeys.HOST_ID_MIN + number % confkeys.HOST_ID_MAX)
        units.append(DeployUnit(action=unit.action, config=tuple(config.items())))
    return units


def validate_and_render(count: int) -> Tuple[List[Row], List[str]]:
    units = _units(count)
    start = time.perf_counter()
    valid = [validation.check(unit) for unit in units]
    checked = time.perf_counter()
    rendered = sum(len(render.render_conf(unit)) for unit in valid)
    done = time.perf_counter()
    types: Dict[str, int] = {}
    for unit in valid:
        types[unit.domain_type or ""] = types.get(unit.domain_type or "", 0) + 1
    total, checking, rendering = done - start, checked - start, done - checked
    rows = [
        Row(SECTION, "{:,} units validated and rendered ({} storage types, host_id varied)"
            .format(count, len(types)), count / total, "units/s",
            raw={"units": count, "seconds": total, "by_type": types,
                 "rendered_bytes": rendered}),
        Row(SECTION, "validation.check only", count / checking, "units/s",
            raw={"seconds": checking}),
        Row(SECTION, "render.render_conf only", count / rendering, "units/s",
            raw={"seconds": rendering}),
    ]
    notes = [
        "Validation at scale: validation.check on every unit, then render.render_conf on "
        "every checked unit, in one process; units built beforehand from the two examples "
        "({}). No target was set; the compiled template is cached per process.".format(
            ", ".join("{} {}".format(n, t) for t, n in sorted(types.items()))),
    ]
    return rows, notes
