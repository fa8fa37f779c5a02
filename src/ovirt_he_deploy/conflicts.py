"""Detect another Hosted Engine plugin (ovirt-host-deploy's) loaded in the same otopi run."""

from typing import Iterable, List

PLUGIN_MODULE_PREFIX = "otopi.plugins."
HOSTED_ENGINE_PACKAGE = "hosted_engine"


def other_hosted_engine_plugins(module_names: Iterable[str], own_module: str) -> List[str]:
    """Loaded otopi plugin packages named hosted_engine that are not our own group's.

    ovirt-host-deploy ships one (group ovirt-host-common, package hosted-engine) that acts
    on the same HOSTED_ENGINE/action key; both acting in one run would write the conf twice
    and fight over the services.
    """
    own_group = own_module.split(".")[2] if own_module.startswith(PLUGIN_MODULE_PREFIX) else ""
    found = set()
    for name in module_names:
        if not name.startswith(PLUGIN_MODULE_PREFIX):
            continue
        parts = name.split(".")
        if len(parts) < 4 or parts[2] == own_group:
            continue
        if HOSTED_ENGINE_PACKAGE in parts[3:]:
            index = parts.index(HOSTED_ENGINE_PACKAGE, 3)
            found.add(".".join(parts[:index + 1]))
    return sorted(found)
