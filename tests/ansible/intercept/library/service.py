#!/usr/bin/python
"""Fake service module (the engine role's ansible.builtin.service): systemctl on the fake
host's state through fake_host_ctl.py."""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.he_fake_host import run, state, unit

VERBS = {"stopped": "stop", "restarted": "restart"}


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=sorted(VERBS)),
        enabled=dict(type="bool"),
    ))
    name = unit(module.params["name"])
    before = state(module)["services"].get(name, {})
    changed = False
    # As ansible's systemd module: enable first, then the state.
    if module.params["enabled"] is not None:
        if module.params["enabled"] is not True:
            module.fail_json(msg="the fake service module only enables")
        changed = not before.get("enabled", False)
        run(module, "enable", [name])
    wanted = module.params["state"]
    if wanted == "stopped":
        changed = changed or before.get("running", False)
        if before.get("running", False):
            run(module, "stop", [name])
    elif wanted == "restarted":
        changed = True
        run(module, "restart", [name])
    module.exit_json(changed=changed, name=module.params["name"], state=wanted,
                     he_fake="service")


if __name__ == "__main__":
    main()
