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


def test_sources_name_every_path_the_facts_are_read_from(tmp_path, monkeypatch):
    """preview and the sandbox print sources() as what the plan was made from."""
    paths = settings(tmp_path)
    os.makedirs(os.path.dirname(paths.conf_file))
    with open(paths.conf_file, "w") as stream:
        stream.write("host_id=4\n")
    looked_at = set()

    def recording(function):
        def wrapper(path, *args):
            looked_at.add(path)
            return function(path, *args)
        return wrapper

    monkeypatch.setattr(hostfacts, "read_bytes", recording(hostfacts.read_bytes))
    monkeypatch.setattr(hostfacts.os.path, "lexists", recording(os.path.lexists))
    monkeypatch.setattr(hostfacts.os.path, "isdir", recording(os.path.isdir))
    hostfacts.read_facts(paths)
    assert looked_at == set(hostfacts.sources(paths))
    assert hostfacts.sources(paths) == (paths.conf_file, paths.ha_conf_file,
                                        str(tmp_path / "ha"))
