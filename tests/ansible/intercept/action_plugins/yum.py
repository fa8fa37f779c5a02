"""Run the fake yum module of ../library as it is: ansible's own yum action would
pick a backend from this machine's facts (ansible_facts.pkg_mgr)."""

from ansible.plugins.action.normal import ActionModule  # noqa: F401
