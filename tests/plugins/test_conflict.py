"""ovirt-host-deploy's own hosted-engine plugin and ours must never both act on one run."""

import os

import otopi_harness
from he_host import example


def old_host_deploy_group(root):
    """A stand-in for ovirt-host-deploy's group ovirt-host-common, package hosted-engine."""
    package = os.path.join(root, "old-plugins", "ovirt-host-common", "hosted-engine")
    os.makedirs(package)
    with open(os.path.join(package, "__init__.py"), "w") as stream:
        stream.write("def createPlugins(context):\n    pass\n")
    return os.path.dirname(os.path.dirname(package))


def test_both_hosted_engine_plugins_loaded_fails_in_validation(host):
    plugin_dir = old_host_deploy_group(host.root)
    result = host.run(example("nfs.conf"),
                      *otopi_harness.group_statements(plugin_dir, "ovirt-host-common"),
                      inprocess=False)
    assert result.exit_code == 1
    assert "otopi.plugins.ovirt_host_common.hosted_engine" in result.stdout
    assert "Load only one" in result.stdout
    assert host.read(host.conf) is None
    assert not [call for call in result.calls if call.startswith("packages")]


def test_the_old_plugin_alone_with_action_none_is_not_our_business(host):
    plugin_dir = old_host_deploy_group(host.root)
    result = host.run(None, *otopi_harness.group_statements(plugin_dir, "ovirt-host-common"),
                      inprocess=False)
    assert result.exit_code == 0
