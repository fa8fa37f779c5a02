"""Local maintenance on deploy: local_maintenance cleared; the admin's
local_maintenance_manual cleared only on a host that was not a Hosted Engine host yet;
ha.conf edited in place (its inode kept), as HA's own writers do."""

import os

from he_host import example


def write_ha(host, text):
    with open(host.ha_conf, "w") as stream:
        stream.write(text)


def test_a_new_host_loses_a_stale_manual_maintenance(host):
    # No hosted-engine.conf yet: local_maintenance_manual=True is a leftover.
    write_ha(host, "local_maintenance=True\nlocal_maintenance_manual=True\n")
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}
    assert not [line for line in result.stdout.splitlines()
                if "local_maintenance_manual" in line and "WARNING" in line]


def test_a_reinstall_keeps_the_admins_manual_maintenance_and_says_how_to_clear_it(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    # The admin: hosted-engine --set-maintenance --mode=local
    write_ha(host, "local_maintenance=True\nlocal_maintenance_manual=True\n")
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    # Both flags were on before the run on a deployed host: both kept.
    assert host.ha_values() == {"local_maintenance": "True",
                                "local_maintenance_manual": "True"}
    warning = [line for line in result.stdout.splitlines()
               if "local_maintenance_manual" in line and "WARNING" in line]
    assert len(warning) == 1 and "WARNING" in warning[0]
    assert "'hosted-engine --set-maintenance --mode=none'" in warning[0]


def test_a_reinstall_without_manual_maintenance_says_nothing_about_it(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0
    assert "local_maintenance_manual" not in result.stdout
    assert host.ha_values()["local_maintenance_manual"] == "False"


def test_ha_conf_keeps_its_inode_owner_mode_and_other_lines(host):
    write_ha(host, "# admin\nlocal_maintenance=True\nlocal_maintenance_manual=True\nx=1\n")
    os.chmod(host.ha_conf, 0o640)
    before = os.stat(host.ha_conf)
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    after = os.stat(host.ha_conf)
    assert (after.st_ino, after.st_uid, after.st_gid) == (
        before.st_ino, before.st_uid, before.st_gid)
    assert host.mode(host.ha_conf) == 0o640
    assert host.read(host.ha_conf) == (b"# admin\nlocal_maintenance=False\n"
                                       b"local_maintenance_manual=False\nx=1\n")
    assert sorted(os.listdir(os.path.dirname(host.ha_conf))) == ["ha.conf"]


def test_a_failed_deploy_sets_local_maintenance_in_place_too(host):
    before = os.stat(host.ha_conf).st_ino
    result = host.run(example("nfs.conf"), "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    assert host.ha_values()["local_maintenance"] == "True"
    assert os.stat(host.ha_conf).st_ino == before


def test_remove_clears_both_flags_so_the_host_can_come_back_clean(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    # The engine moved the host to Maintenance, an admin had set manual maintenance.
    write_ha(host, "# admin\nlocal_maintenance=True\nlocal_maintenance_manual=True\n")
    before = os.stat(host.ha_conf).st_ino
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    # No agent reads them any more and nobody would clear them: gone with the host's
    # Hosted Engine life, in place.
    assert host.read(host.ha_conf) == (b"# admin\nlocal_maintenance=False\n"
                                       b"local_maintenance_manual=False\n")
    assert os.stat(host.ha_conf).st_ino == before
    assert "leaves Hosted Engine" in result.stdout
    # Added back (a 4.4+ engine's role writes the conf before the group runs): nothing stale.
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}


def test_remove_leaves_ha_conf_alone_when_no_flag_is_set(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    write_ha(host, "local_maintenance=False\n")
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.read(host.ha_conf) == b"local_maintenance=False\n"
    assert "leaves Hosted Engine" not in result.stdout
