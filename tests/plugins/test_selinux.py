"""Files the group puts in place get their SELinux context restored, as otopi's
FileTransaction does; a host without SELinux, or without restorecon, is not an error."""

import os

from he_host import example


def test_a_new_conf_directory_and_file_get_their_context_restored(host):
    os.rmdir(os.path.dirname(host.conf))
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.restorecon_calls() == ["restorecon -r " + os.path.dirname(host.conf)]


def test_a_reinstall_restores_the_conf_and_its_previous_copy(host):
    with open(host.conf, "w") as stream:
        stream.write("host_id=9\n")
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.restorecon_calls() == [
        "restorecon -r {0} {0}.previous".format(host.conf)]


def test_an_unchanged_conf_is_not_touched_at_all(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    calls = len(host.restorecon_calls())
    assert host.run(example("nfs.conf")).exit_code == 0
    assert len(host.restorecon_calls()) == calls


def test_remove_restores_the_kept_copy(host):
    assert host.run(example("nfs.conf")).exit_code == 0
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.restorecon_calls()[-1] == "restorecon -r {}.undeployed".format(host.conf)


def test_without_selinux_restorecon_is_not_run(host):
    open(os.path.join(host.root, "selinux-disabled"), "w").close()
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.restorecon_calls() == []


def test_without_restorecon_the_deploy_goes_on(host):
    missing = os.path.join(host.root, "no-such-dir")
    result = host.run(example("nfs.conf"), "COMMAND/restorecon=none:",
                      "SYSTEM/commandPath=str:" + missing)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.restorecon_calls() == []
    assert "restorecon not found" in result.log_text


def test_a_failing_restorecon_is_a_warning_not_a_failure(host):
    open(os.path.join(host.root, "restorecon.fail"), "w").close()
    result = host.run(example("nfs.conf"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "failed to restore the SELinux context of {}".format(host.conf) in result.stdout
    assert "restorecon: could not set context" in result.stdout
