"""The fakes of tests/ansible/intercept/, on which the engine's own role runs in
test_engine_real_role.py: which module names reach them, what they do to the fake host, and
that they never act on this machine without one."""

import json
import os
import subprocess
import sys

import engine_project
import pytest
from engine_hook import HOST_CTL, ansible_missing

pytestmark = pytest.mark.skipif(ansible_missing() is not None, reason=str(ansible_missing()))

PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: builtin
      ansible.builtin.service_facts:
      register: builtin
      ignore_errors: true
    - name: legacy
      ansible.legacy.service_facts:
      register: legacy
    - name: short
      service:
        name: ovirt-ha-agent.service
        enabled: true
        state: restarted
      register: short
    - name: yum
      ansible.legacy.yum:
        name: ovirt-hosted-engine-setup
        state: present
      register: installed
    - name: results
      debug:
        msg: "RESULTS {{ [builtin.he_fake | default('real'), legacy.he_fake | default('real'),
              short.he_fake | default('real'), installed.he_fake | default('real'),
              short.changed, installed.changed] | join(' ') }} END"
"""


def play(tmp_path, env):
    (tmp_path / "play.yml").write_text(PLAY)
    (tmp_path / "inventory").write_text(
        "localhost ansible_connection=local ansible_python_interpreter={}\n".format(
            sys.executable))
    full_env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "ansible"),
                    ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible" / "tmp"), **env)
    return subprocess.run(
        [sys.executable, "-m", "ansible.cli.playbook", "-i", str(tmp_path / "inventory"),
         str(tmp_path / "play.yml")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, env=full_env, cwd=str(tmp_path), timeout=300)


def test_legacy_and_short_names_reach_the_fakes_and_builtin_names_do_not(tmp_path):
    state = tmp_path / "services.json"
    result = play(tmp_path, engine_project.environment(
        [sys.executable, HOST_CTL, str(state)]))
    assert result.returncode == 0, result.stdout[-3000:]
    line = next(line for line in result.stdout.splitlines() if "RESULTS" in line)
    found = line.split("RESULTS ", 1)[1].split(" END", 1)[0].split()
    # ansible.builtin.service_facts is ansible's own, whatever library/ holds: that is why
    # engine_project.py renames the role's ansible.builtin names to ansible.legacy.
    assert found == ["real", "service_facts", "service", "yum", "True", "True"]
    services = json.loads(state.read_text())["services"]
    assert services["ovirt-ha-agent"] == {"exists": True, "enabled": True, "running": True}
    # The agent unit's Wants= and Also= bring the broker along (fake_host_ctl.py).
    assert services["ovirt-ha-broker"] == {"exists": True, "enabled": True, "running": True}
    assert (tmp_path / "services.json.log").read_text().splitlines() == [
        "engine enable ovirt-ha-agent", "engine restart ovirt-ha-agent",
        "engine install ovirt-hosted-engine-setup"]


def test_the_fakes_refuse_to_run_without_a_fake_host(tmp_path):
    env = engine_project.environment([sys.executable, HOST_CTL, str(tmp_path / "x")])
    del env["HE_TEST_HOST_CTL"]
    result = play(tmp_path, env)
    assert result.returncode != 0
    assert "HE_TEST_HOST_CTL is not set: the fakes of tests/ansible/intercept act only on a " \
        "test's fake host, never on this machine" in " ".join(result.stdout.split())
    assert not (tmp_path / "x").exists()
