"""What systemctl and dnf do to the fake host of tests/he_host.py, for the engine role's
stand-in: `fake_host_ctl.py STATE VERB NAME...` with VERB stop, restart, enable or install.

The state file is the one the he-test-fakes services and packager read and write; every
call is appended to STATE.log, so a test can tell the engine's restarts from the group's.
"""

import json
import os
import sys

# ovirt-ha-agent.service: Wants= the broker (starting the agent starts it) and
# [Install] Also= it (enabling the agent enables it).
PULLS = {"ovirt-ha-agent": ("ovirt-ha-broker",)}


def main(path, verb, names):
    state = {"services": {}, "packages": []}
    if os.path.exists(path):
        with open(path) as stream:
            state = json.load(stream)
    services = state.setdefault("services", {})
    for name in names:
        if verb == "install":
            if name not in state.setdefault("packages", []):
                state["packages"].append(name)
            for service in ("ovirt-ha-agent", "ovirt-ha-broker"):
                services.setdefault(service, {"exists": True, "enabled": False,
                                              "running": False})
            continue
        for unit in (name,) + PULLS.get(name, ()):
            service = services.setdefault(unit, {"exists": True, "enabled": False,
                                                 "running": False})
            if verb == "stop" and unit == name:
                service["running"] = False
            elif verb == "restart":
                service["running"] = True
            elif verb == "enable":
                service["enabled"] = True
    with open(path + ".tmp", "w") as stream:
        json.dump(state, stream, indent=1, sort_keys=True)
    os.rename(path + ".tmp", path)
    with open(path + ".log", "a") as stream:
        stream.write("engine {} {}\n".format(verb, " ".join(names)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
