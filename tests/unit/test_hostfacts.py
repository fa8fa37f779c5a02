"""hostfacts: what the host has before the run."""

import os

from ovirt_he_deploy import hostfacts, plan


def settings(tmp_path):
    return plan.HostSettings(
        conf_file=str(tmp_path / "etc" / "hosted-engine.conf"), conf_owner="vdsm",
        conf_group="kvm", ha_conf_file=str(tmp_path / "ha" / "ha.conf"),
        lock_file=str(tmp_path / "lock"))


def test_a_new_host_has_nothing(tmp_path):
    assert hostfacts.read_facts(settings(tmp_path)) == plan.HostFacts()


def test_a_deployed_host_in_manual_local_maintenance(tmp_path):
    paths = settings(tmp_path)
    os.makedirs(os.path.dirname(paths.conf_file))
    os.makedirs(os.path.dirname(paths.ha_conf_file))
    with open(paths.conf_file, "w") as stream:
        stream.write("fqdn=engine.example.com\nhost_id=4\n")
    with open(paths.ha_conf_file, "w") as stream:
        stream.write("local_maintenance=False\nlocal_maintenance_manual=True\n")
    assert hostfacts.read_facts(paths) == plan.HostFacts(
        conf_exists=True, conf_host_id="4", ha_state_dir_exists=True,
        manual_maintenance=True)


def test_an_empty_host_id_is_no_host_id(tmp_path):
    paths = settings(tmp_path)
    os.makedirs(os.path.dirname(paths.conf_file))
    with open(paths.conf_file, "w") as stream:
        stream.write("host_id=\n")
    facts = hostfacts.read_facts(paths)
    assert facts.conf_exists and facts.conf_host_id is None
