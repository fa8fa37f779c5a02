"""Stand-in for ovirt-host-deploy's own hosted-engine plugin, where that project installs it.

Sources in ovirt-host-common/hosted-engine, installed in the plugin directory of group
ovirt-host-deploy (its hosted-engine/Makefile.am), so otopi loads it as
otopi.plugins.ovirt_host_deploy.hosted-engine. It acts on the same HOSTED_ENGINE/action.
"""

from otopi import util

from . import packages


@util.export
def createPlugins(context):
    packages.Plugin(context=context)
