"""conflicts: another hosted-engine plugin package in the run, by otopi's module names."""

import pytest

from ovirt_he_deploy import conflicts

OURS = "otopi.plugins.ovirt_he_deploy.hosted-engine"
THEIRS = "otopi.plugins.ovirt_host_deploy.hosted-engine"


def test_ovirt_host_deploys_plugin_is_found_with_otopis_spelling():
    modules = [OURS, OURS + ".closeup", THEIRS, THEIRS + ".packages", "otopi.plugins.otopi.core"]
    assert conflicts.other_hosted_engine_plugins(modules, OURS) == [THEIRS]


@pytest.mark.parametrize("name", [
    "otopi.plugins.ovirt_host_common.hosted_engine",
    "otopi.plugins.some_group.sub.hosted-engine",
])
def test_other_spellings_and_depths_are_found(name):
    assert conflicts.other_hosted_engine_plugins([name, name + ".x"], OURS) == [name]


def test_our_own_package_and_its_submodules_are_not_a_conflict():
    assert conflicts.other_hosted_engine_plugins([OURS, OURS + ".misc"], OURS) == []


def test_our_package_put_in_place_of_theirs_in_a_bundle_is_not_a_conflict():
    # The bundle recipe puts our package directory where ovirt-host-deploy's was.
    assert conflicts.other_hosted_engine_plugins([THEIRS, THEIRS + ".misc"], THEIRS) == []


def test_unrelated_modules_are_ignored():
    assert conflicts.other_hosted_engine_plugins(
        ["hosted-engine", "ovirt_hosted_engine_ha.agent", "otopi.plugins.x.vdsm"], OURS) == []
