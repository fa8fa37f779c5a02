"""The engine's host-deploy bundle, built by README's bundle recipe (Engines 4.0 to 4.3): the
library package directory copied into pythonlib/, our group's package directory put where
ovirt-host-deploy's own hosted-engine plugin was (otopi-plugins/ovirt-host-deploy/), nothing
else. otopi runs as ovirt-host-deploy's entry point runs it (its groups only)."""

import os
import shutil

import el7_install
import otopi_harness
import pytest
import real_otopi
from he_host import HOST_DEPLOY_GROUPS, STANDINS, assert_no_secret, example, expected_conf
from paths import DOUBLE, PLUGINS

PROBE = os.path.join(STANDINS, "probe")
OUR_PACKAGE = os.path.join(PLUGINS, "ovirt-he-deploy", "hosted-engine")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "engine")


def build_bundle(root):
    """interface-3 as the engine tars it, with ovirt-host-deploy as the stand-in."""
    bundle = os.path.join(root, "bundle")
    plugins = os.path.join(bundle, "otopi-plugins")
    shutil.copytree(os.path.join(STANDINS, "ovirt-host-deploy"),
                    os.path.join(plugins, "ovirt-host-deploy"), ignore=IGNORE)
    shutil.copytree(os.path.join(STANDINS, "ovirt-host-common"),
                    os.path.join(plugins, "ovirt-host-common"), ignore=IGNORE)
    # The recipe: our package in place of ovirt-host-deploy's hosted-engine package ...
    shutil.copytree(OUR_PACKAGE, os.path.join(plugins, "ovirt-host-deploy", "hosted-engine"),
                    ignore=IGNORE)
    # ... and the library as the EL7 RPM installs it (the modules the group imports, the
    # template inside), in pythonlib/.
    installed = os.path.join(root, "engine-root")
    el7_install.install(installed)
    shutil.copytree(installed + el7_install.SITE_PACKAGES + "/ovirt_he_deploy",
                    os.path.join(bundle, "pythonlib", "ovirt_he_deploy"))
    return bundle


def add_real_otopi(bundle, otopi_tree):
    """What otopi-bundle adds (links there; copies here): the wrapper in bundle mode, otopi's
    library and its core plugin group."""
    if os.path.exists(os.path.join(bundle, ".bundled")):
        return
    shutil.copy2(os.path.join(otopi_tree, "src", "bin", "otopi"), bundle)
    shutil.copy2(os.path.join(otopi_tree, "build", "otopi-functions"), bundle)
    open(os.path.join(bundle, ".bundled"), "w").close()
    shutil.copytree(os.path.join(otopi_tree, "src", "otopi"),
                    os.path.join(bundle, "pythonlib", "otopi"), ignore=IGNORE)
    shutil.copytree(os.path.join(otopi_tree, "src", "plugins", "otopi"),
                    os.path.join(bundle, "otopi-plugins", "otopi"), ignore=IGNORE)


def run_bundle(host, bundle, *more):
    host.load_group = False
    statements = host.statements(example("iscsi-chap.conf"), *more) + [
        "APPEND:BASE/pluginGroups=str:" + ":".join(HOST_DEPLOY_GROUPS),
    ] + otopi_harness.group_statements(PROBE, "he-standin-probe")
    otopi_tree = real_otopi.tree()
    if otopi_tree is None:
        # The double has no bundle mode: what its wrapper does, by hand.
        env = dict(host.os_env(), PYTHONPATH=os.pathsep.join(
            (DOUBLE, os.path.join(bundle, "pythonlib"))))
        return otopi_harness.run_otopi(
            ["BASE/pluginPath=str:" + os.path.join(bundle, "otopi-plugins")] + statements,
            os_env=env, inprocess=False)
    add_real_otopi(bundle, otopi_tree)
    # PYTHONPATH empty: otopi and ovirt_he_deploy come from the bundle only.
    return real_otopi.run(statements, os_env=host.os_env(),
                          command=[os.path.join(bundle, "otopi")], pythonpath=())


@pytest.fixture
def bundle(host):
    host.owner = host.group = None  # vdsm:kvm, created by the stand-in's package install
    return build_bundle(host.root)


def test_the_bundle_deploys_with_the_library_and_template_it_carries(host, bundle):
    result = run_bundle(host, bundle)
    assert result.exit_code == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
    library = result.environment["PROBE/libraryFile"]
    assert library == os.path.join(bundle, "pythonlib", "ovirt_he_deploy", "__init__.py")
    assert result.environment["PROBE/templateDirs"] == [
        os.path.join(bundle, "pythonlib", "ovirt_he_deploy", "templates")]
    calls = [call for call in result.calls if call.startswith("closeup ")]
    assert calls.index("closeup services.state vdsmd True") < calls.index(
        "closeup services.restart ovirt-ha-agent")
    assert_no_secret(result.log_text, result.stdout)


def test_the_bundle_removes(host, bundle):
    assert run_bundle(host, bundle).exit_code == 0
    result = run_bundle(host, bundle, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.read(host.conf) is None


def test_a_bundle_without_the_template_names_every_directory_searched(host, bundle):
    templates = os.path.join(bundle, "pythonlib", "ovirt_he_deploy", "templates")
    shutil.rmtree(templates)
    result = run_bundle(host, bundle)
    assert result.exit_code == 1
    assert "template hosted-engine.conf.j2 not found; searched: {}.".format(
        templates) in result.stdout
    assert host.read(host.conf) is None
