"""ovirt-host-deploy's own hosted-engine plugin and ours must never both act on one run."""

import otopi_harness
from he_host import OLD_HE_PLUGINS, example


def old_plugin(host):
    """Load the stand-in of ovirt-host-deploy's hosted-engine plugin where it really lives:
    group ovirt-host-deploy, package directory hosted-engine."""
    return otopi_harness.group_statements(OLD_HE_PLUGINS, "ovirt-host-deploy")


def test_both_hosted_engine_plugins_loaded_fails_in_validation_naming_it(host):
    result = host.run(example("nfs.conf"), *old_plugin(host), inprocess=False)
    assert result.exit_code == 1
    assert "otopi.plugins.ovirt_host_deploy.hosted-engine" in result.stdout
    assert "Load only one" in result.stdout
    assert "validation" in [stage for stage, _method, _name in result.events]
    assert host.read(host.conf) is None
    assert host.ha_values() == {"local_maintenance": "True",
                                "local_maintenance_manual": "True"}
    assert not [call for call in result.calls
                if call.startswith(("early_misc", "packages", "misc", "closeup"))]


def test_remove_beside_the_old_plugin_fails_too_and_keeps_the_conf(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    conf = host.read(host.conf)
    result = host.run(None, "HOSTED_ENGINE/action=str:remove", *old_plugin(host),
                      inprocess=False)
    assert result.exit_code == 1
    assert "otopi.plugins.ovirt_host_deploy.hosted-engine" in result.stdout
    assert host.read(host.conf) == conf
    assert host.commands() == []


def test_the_old_plugin_alone_with_action_none_is_not_our_business(host):
    result = host.run(None, *old_plugin(host), inprocess=False)
    assert result.exit_code == 0
