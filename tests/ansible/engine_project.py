"""ovirt-engine's own host-deploy playbook and Hosted Engine role, extracted at test time from
an ovirt-engine git repository ($OVIRT_ENGINE_GIT) and cut down to what runs on a Hosted Engine
host: the play with its post-task hook, the ovirt-host-deploy role with only its last
dependency, ovirt-host-deploy-hosted-engine.

Nothing of ovirt-engine is kept in this repository. What the tests rely on is asserted on
the extracted files, so a change in the engine fails the test with EngineProjectChanged instead
of testing something else. The few rewrites (the role's paths and owner, the module names
intercepted by tests/ansible/intercept/) are made only in the temp copy, each one counted.
"""

import io
import os
import subprocess
import tarfile
from typing import Any, Dict, List, NamedTuple, Optional

GIT_ENV = "OVIRT_ENGINE_GIT"
REFS_ENV = "OVIRT_ENGINE_REFS"
DEFAULT_REFS = ("HEAD", "ovirt-engine-4.4.10")
PROJECT = "packaging/ansible-runner-service-project/project"
PLAYBOOK = "ovirt-host-deploy.yml"
HOST_DEPLOY_ROLE = "ovirt-host-deploy"
HE_ROLE = "ovirt-host-deploy-hosted-engine"
HE_CONF = "/etc/ovirt-hosted-engine/hosted-engine.conf"
# The play's tasks before the hook: the engine's metrics (package_facts on the engine,
# oVirt.metrics when ovirt-engine-metrics is installed), nothing of Hosted Engine.
METRICS_TASKS = ("Gather the rpm package facts", "Run metrics role if RPM package installed")
HOOK_TASKS = ("Check if post tasks file exists", "Executing post tasks defined by user")
# Modules of the role that would act on this machine's services and packages: run by the
# fakes of tests/ansible/intercept/ instead. An ansible.builtin.X name never reaches a
# library/ or action_plugins/ override (only built-in paths are searched for it), so those
# names become ansible.legacy.X in the copy, which searches the overrides first (as the short
# names of 4.4 engines do).
INTERCEPTED = ("service_facts", "service", "yum")
# Modules the role may use that act only on the paths it is given (redirected below) or on
# nothing; any other module fails the extraction.
PATH_MODULES = ("fail", "copy", "lineinfile", "file", "include_tasks")
INTERCEPT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "intercept")


class EngineProjectChanged(AssertionError):
    """The engine's playbook or role no longer has the shape these tests rely on."""


class Project(NamedTuple):
    ref: str
    commit: str
    playbook: str
    # The role's "Store hosted engine configuration" task, as the engine has it.
    copy_task: Dict[str, Any]
    rewrites: Dict[str, int]


def git_dir() -> Optional[str]:
    """$OVIRT_ENGINE_GIT if it is an ovirt-engine git repository (bare or not), else None."""
    path = os.environ.get(GIT_ENV)
    if not path:
        return None
    found = subprocess.run(["git", "-C", path, "cat-file", "-e", "HEAD:" + PROJECT],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path if found.returncode == 0 else None


def missing() -> Optional[str]:
    """Why the engine's project cannot be extracted here, or None."""
    path = os.environ.get(GIT_ENV)
    if not path:
        return ("{} is not set: these tests run ovirt-engine's own playbook and role, taken "
                "from an ovirt-engine git repository (docs/development.md)".format(GIT_ENV))
    if git_dir() is None:
        return "{}={} is no ovirt-engine git repository with {}".format(GIT_ENV, path, PROJECT)
    return None


def refs() -> List[str]:
    return (os.environ.get(REFS_ENV) or " ".join(DEFAULT_REFS)).split()


def _git(repo: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True).stdout


def _require(condition: bool, ref: str, what: str) -> None:
    if not condition:
        raise EngineProjectChanged("ovirt-engine {}: {}".format(ref, what))


def _module_of(task: Dict[str, Any]) -> str:
    keywords = {"name", "when", "loop", "register", "tags", "no_log", "delegate_to",
                "loop_control", "vars", "become", "notify", "ignore_errors", "changed_when",
                "failed_when", "environment", "with_items"}
    modules = [key for key in task if key not in keywords]
    if len(modules) != 1:
        raise EngineProjectChanged("a task with modules {}: {}".format(modules, task))
    return modules[0]


def _short(module: str) -> str:
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        if module.startswith(prefix):
            return module[len(prefix):]
    return module


def _replace(text: str, old: str, new: str, count: int, ref: str, where: str,
             rewrites: Dict[str, int]) -> str:
    found = text.count(old)
    _require(found == count, ref, "{}: {!r} found {} times, expected {}".format(
        where, old, found, count))
    rewrites["{}: {} -> {}".format(where, old, new)] = found
    return text.replace(old, new)


def _prune_play(path: str, ref: str) -> None:
    import yaml
    with open(path) as stream:
        plays = yaml.safe_load(stream)
    _require(isinstance(plays, list) and len(plays) == 1, ref, PLAYBOOK + " is not one play")
    play = plays[0]
    _require(play.get("hosts") == "all" and play.get("remote_user") == "root", ref,
             PLAYBOOK + ": hosts all, remote_user root")
    _require("gather_facts" not in play, ref, PLAYBOOK + " sets gather_facts (the role "
             "reads ansible_facts.architecture)")
    roles = play["roles"]
    _require(roles[0] in (HOST_DEPLOY_ROLE, {"role": HOST_DEPLOY_ROLE}), ref,
             PLAYBOOK + ": the first role is " + HOST_DEPLOY_ROLE)
    tasks = play["tasks"]
    names = tuple(task.get("name") for task in tasks)
    _require(names == METRICS_TASKS + HOOK_TASKS, ref,
             PLAYBOOK + ": the play's tasks are {}".format(names))
    stat_task, include_task = tasks[-2:]
    _require(stat_task.get("stat") == {"path": "{{ host_deploy_post_tasks }}"}
             and stat_task.get("delegate_to") == "localhost"
             and stat_task.get("register") == "stat_post_tasks"
             and stat_task.get("when") == "host_deploy_post_tasks is defined", ref,
             PLAYBOOK + ": the hook's stat task")
    _require(include_task.get("include_tasks") == "{{ host_deploy_post_tasks }}"
             and include_task.get("when") ==
             "host_deploy_post_tasks is defined and stat_post_tasks.stat.exists", ref,
             PLAYBOOK + ": the hook's include_tasks")
    # Kept as the engine has them: hosts, remote_user, pre_tasks (HEAD: set_fact host_action),
    # the first role, the two hook tasks. Left out: the play's other roles (gluster cgroups,
    # kdump, EL7's spice encryption; they run after the Hosted Engine role and before the
    # hook) and the metrics tasks.
    play["roles"] = roles[:1]
    play["tasks"] = list(tasks[-2:])
    with open(path, "w") as stream:
        yaml.safe_dump(plays, stream, default_flow_style=False, sort_keys=False)


def _prune_meta(path: str, ref: str) -> None:
    import yaml
    with open(path) as stream:
        meta = yaml.safe_load(stream)
    dependencies = meta["dependencies"]
    _require(dependencies[-1] in (HE_ROLE, {"role": HE_ROLE}), ref,
             HOST_DEPLOY_ROLE + "/meta/main.yml: the last dependency is " + HE_ROLE)
    meta["dependencies"] = dependencies[-1:]
    with open(path, "w") as stream:
        yaml.safe_dump(meta, stream, default_flow_style=False, sort_keys=False)


def _role_tasks(role_dir: str, ref: str) -> Dict[str, List[Dict[str, Any]]]:
    import yaml
    tasks_dir = os.path.join(role_dir, "tasks")
    found = sorted(os.listdir(tasks_dir))
    _require(found == ["deploy.yml", "main.yml", "remove.yml"], ref,
             HE_ROLE + "/tasks holds {}".format(found))
    loaded = {}
    for name in found:
        with open(os.path.join(tasks_dir, name)) as stream:
            loaded[name] = yaml.safe_load(stream)
    return loaded


def extract(repo: str, ref: str, dest: str, owner: str, group: str, conf: str) -> Project:
    """The engine's project at ref below dest, cut down and redirected: the conf is `conf`,
    the owner and group the role gives it (HEAD: vdsm, kvm) are owner and group."""
    commit = _git(repo, "rev-parse", ref + "^{commit}").decode().strip()
    members = [PROJECT + "/" + PLAYBOOK, PROJECT + "/roles/" + HOST_DEPLOY_ROLE,
               PROJECT + "/roles/" + HE_ROLE]
    archive = _git(repo, "archive", "--format=tar", commit, *members)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.8-3.11 security releases
            tar.extractall(dest, filter="data")
        else:
            tar.extractall(dest)
    top = os.path.join(dest, PROJECT)
    rewrites: Dict[str, int] = {}
    _prune_play(os.path.join(top, PLAYBOOK), ref)
    _prune_meta(os.path.join(top, "roles", HOST_DEPLOY_ROLE, "meta", "main.yml"), ref)

    role_dir = os.path.join(top, "roles", HE_ROLE)
    _require(sorted(os.listdir(role_dir)) == ["defaults", "tasks"], ref,
             HE_ROLE + " holds {}".format(sorted(os.listdir(role_dir))))
    defaults = os.path.join(role_dir, "defaults", "main.yml")
    with open(defaults) as stream:
        text = stream.read()
    text = _replace(text, "hosted_engine_conf: " + HE_CONF, "hosted_engine_conf: " + conf,
                    1, ref, HE_ROLE + "/defaults/main.yml", rewrites)
    with open(defaults, "w") as stream:
        stream.write(text)

    before = _role_tasks(role_dir, ref)
    copy_tasks = [task for task in before["deploy.yml"]
                  if task.get("name") == "Store hosted engine configuration"]
    _require(len(copy_tasks) == 1, ref, "deploy.yml: one 'Store hosted engine configuration'")
    copy_task = dict(copy_tasks[0])
    copy_args = copy_task[_module_of(copy_task)]
    for name, tasks in before.items():
        path = os.path.join(role_dir, "tasks", name)
        with open(path) as stream:
            text = stream.read()
        uses: Dict[str, int] = {}
        for task in tasks:
            module = _module_of(task)
            _require(_short(module) in INTERCEPTED + PATH_MODULES, ref,
                     "{}: task {!r} uses {}, which these tests do not redirect".format(
                         name, task.get("name"), module))
            uses[module] = uses.get(module, 0) + 1
        for module, count in sorted(uses.items()):
            if module.startswith("ansible.builtin.") and _short(module) in INTERCEPTED:
                # "  ansible.builtin.service:" once per task that uses it, nowhere else.
                text = _replace(text, "  {}:".format(module),
                                "  ansible.legacy.{}:".format(_short(module)), count, ref,
                                name, rewrites)
        if name == "deploy.yml" and "owner" in copy_args:
            _require((copy_args.get("owner"), copy_args.get("group")) == ("vdsm", "kvm"),
                     ref, "deploy.yml copies the conf as {}:{}".format(
                         copy_args.get("owner"), copy_args.get("group")))
            text = _replace(text, "owner: 'vdsm'", "owner: '{}'".format(owner), 1, ref,
                            name, rewrites)
            text = _replace(text, "group: 'kvm'", "group: '{}'".format(group), 1, ref,
                            name, rewrites)
        _require("/" not in "".join(line for line in text.splitlines()
                                    if not line.lstrip().startswith(("#", "msg:"))), ref,
                 "{}: a path written into the role".format(name))
        with open(path, "w") as stream:
            stream.write(text)
    after = _role_tasks(role_dir, ref)
    for name, tasks in after.items():
        for task in tasks:
            module = _module_of(task)
            _require(not (module.startswith("ansible.builtin.") and
                          _short(module) in INTERCEPTED), ref,
                     "{}: {} left unintercepted".format(name, module))
    return Project(ref, commit, os.path.join(top, PLAYBOOK), copy_task, rewrites)


def environment(host_ctl: List[str]) -> Dict[str, str]:
    """The environment that points ansible-playbook at the fakes for the role's service and
    package modules (tests/ansible/intercept/); host_ctl is fake_host_ctl.py's argv up to
    and with its state file."""
    import json
    return {
        "ANSIBLE_LIBRARY": os.path.join(INTERCEPT_DIR, "library"),
        "ANSIBLE_ACTION_PLUGINS": os.path.join(INTERCEPT_DIR, "action_plugins"),
        "ANSIBLE_MODULE_UTILS": os.path.join(INTERCEPT_DIR, "module_utils"),
        "HE_TEST_HOST_CTL": json.dumps(host_ctl),
    }
