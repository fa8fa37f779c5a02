"""Detect another Hosted Engine plugin (ovirt-host-deploy's) loaded in the same otopi run."""

from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Iterable, List

PLUGIN_MODULE_PREFIX = "otopi.plugins."
# otopi keeps a plugin package's directory name as it is in the module name (only the group
# and the directories above are made identifiers): ovirt-host-deploy's plugin loads as
# otopi.plugins.ovirt_host_deploy.hosted-engine. The underscore spelling is accepted too.
HOSTED_ENGINE_PACKAGES = ("hosted-engine", "hosted_engine")


def other_hosted_engine_plugins(module_names, own_package):
    # type: (Iterable[str], str) -> List[str]
    """Loaded otopi plugin packages named hosted-engine, other than own_package.

    ovirt-host-deploy ships one (sources in ovirt-host-common/hosted-engine, installed in
    the plugin directory of group ovirt-host-deploy) that acts on the same
    HOSTED_ENGINE/action key; both acting in one run would write the conf twice and fight
    over the services.
    """
    found = set()
    for name in module_names:
        if not name.startswith(PLUGIN_MODULE_PREFIX) or name == own_package:
            continue
        parts = name.split(".")
        # otopi.plugins.<group>[.<dirs>].<package>: the package itself, not its submodules
        # (those show up too, under the package's name).
        for index in range(3, len(parts)):
            if parts[index] in HOSTED_ENGINE_PACKAGES:
                package = ".".join(parts[:index + 1])
                if package != own_package:
                    found.add(package)
                break
    return sorted(found)
