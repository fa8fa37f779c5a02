#!/usr/bin/python
"""Fake yum module (the engine role's ansible.builtin.yum, dnf on EL8+): installs on the fake
host's state through fake_host_ctl.py."""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.he_fake_host import run, state


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type="list", elements="str", required=True),
        # latest: 4.4.0's role; the fake host has no versions, so it installs what is missing.
        state=dict(type="str", choices=["present", "latest"], required=True),
    ))
    installed = state(module).get("packages", [])
    missing = [name for name in module.params["name"] if name not in installed]
    if missing:
        run(module, "install", missing)
    module.exit_json(changed=bool(missing), results=["Installed: " + name for name in missing],
                     he_fake="yum")


if __name__ == "__main__":
    main()
