#!/usr/bin/python
"""Fake service_facts module: the fake host's services as systemd lists them
(ansible_facts.services, keyed NAME.service)."""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.he_fake_host import host_ctl, state


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    host_ctl(module)
    services = {}
    for name, service in state(module)["services"].items():
        if service.get("exists", True):
            key = name + ".service"
            services[key] = {
                "name": key,
                "state": "running" if service.get("running") else "stopped",
                "status": "enabled" if service.get("enabled") else "disabled",
                "source": "systemd",
            }
    module.exit_json(changed=False, ansible_facts={"services": services},
                     he_fake="service_facts")


if __name__ == "__main__":
    main()
