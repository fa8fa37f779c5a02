"""Run the fake service module of ../library as it is: ansible's own service action would
pick a backend from this machine's facts (ansible_facts.service_mgr)."""

from ansible.plugins.action.normal import ActionModule  # noqa: F401
