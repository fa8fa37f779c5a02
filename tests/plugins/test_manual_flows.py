"""README's manual flows end to end: a unit built by the CLI, deployed by the group."""

import os
import stat

from he_host import SECRET_PASSWORD, assert_no_secret, example, expected_conf

from ovirt_he_deploy import cli, otopiconf, render, validation

LEGACY = b'ca_cert=/etc/pki/vdsm/libvirt-spice/ca-cert.pem\nca_subject="C=EN, L=Test"\n'


def running_host_conf(tmp_path, unit_path):
    """hosted-engine.conf as found on the host running the engine VM (old style lines too)."""
    path = tmp_path / "from-running-host.conf"
    conf = render.render_conf(validation.check(otopiconf.load_unit(unit_path)))
    path.write_bytes(LEGACY + conf.encode())
    return path


def test_answer_file_then_otopi_deploys_the_new_host_id(host, tmp_path, capsys):
    source = running_host_conf(tmp_path, example("iscsi-chap.conf"))
    unit = tmp_path / "he-unit.conf"
    code = cli.main(["answer-file", "--from-conf", str(source), "--host-id", "5",
                     "-o", str(unit)])
    assert code == 0, capsys.readouterr().err
    assert stat.S_IMODE(os.stat(str(unit)).st_mode) == 0o600

    result = host.run(str(unit))
    assert result.exit_code == 0, result.log_text[-3000:]
    written = host.read(host.conf)
    assert written == expected_conf(str(unit))
    assert b"\nhost_id=5\n" in written and b"\nhost_id=3\n" not in written
    assert b"ca_subject" not in written and b"ca_cert" not in written
    assert ("password=" + SECRET_PASSWORD).encode() in written
    assert_no_secret(result.log_text, result.stdout, capsys.readouterr().out)


def test_preview_writes_the_same_bytes_the_deploy_writes(host, tmp_path, capsys, monkeypatch):
    # preview plans for the machine it runs on: here, one with HA's state directory.
    from ovirt_he_deploy import hostfacts, plan
    monkeypatch.setattr(hostfacts, "read_facts",
                        lambda settings, entries=None: plan.HostFacts(
                            ha_state_dir_exists=True))
    root = tmp_path / "preview"
    assert cli.main(["preview", example("nfs.conf"), "--root", str(root)]) == 0
    capsys.readouterr()
    previewed = (root / "etc/ovirt-hosted-engine/hosted-engine.conf").read_bytes()
    assert host.run(example("nfs.conf")).exit_code == 0
    assert host.read(host.conf) == previewed
    ha_previewed = (root / "var/lib/ovirt-hosted-engine-ha/ha.conf").read_text()
    assert host.ha_values() == dict(
        line.split("=", 1) for line in ha_previewed.splitlines())
