"""README's host-side flows, run as printed: deploy, rerun and remove by hand with `host
deploy`/`host remove` and with otopi itself, the two-line remove unit, the warning about a
mistyped unit path, and the bundle recipe. Only paths are moved below a temp directory, and
otopi is pointed at the fake host."""

import os
import re
import shlex
import subprocess
import sys

import el7_install
import otopi_harness
import pytest
import real_otopi
from he_host import (
    GROUP,
    HOST_DEPLOY_GROUPS,
    SECRET_PASSWORD,
    STANDINS,
    example,
    expected_conf,
)
from paths import DOUBLE, PLUGINS, ROOT, SRC
from test_bundle import add_real_otopi

README = os.path.join(ROOT, "README.md")
INSTALLED_PLUGINS = "/usr/share/ovirt-he-deploy/plugins"
# The flows that start with the CLI; on Python 2.7 (tox -e py27, el7) only the bundle's runs.
CLI = pytest.mark.skipif(sys.version_info[0] < 3,
                         reason="the ovirt-he-deploy CLI is Python 3 only (host side: 2.7 too)")
SANDBOX = "## Try it off a host"
BY_HAND = "### By hand on a host: `host deploy` and `host remove`"
BUNDLE = "### Engines 4.0 to 4.3: inside the engine's host-deploy bundle"


def section(heading):
    """The README text from a heading to the next heading of the same or a higher level."""
    with open(README) as stream:
        text = stream.read()
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n")
    following = re.compile(r"^#{1," + str(len(level)) + r"} ", re.M)
    match = following.search(text, start + len(heading))
    return text[start:match.start() if match else len(text)]


def code_blocks(text, lang):
    """The code blocks of a language in a text, their lines dedented and joined."""
    blocks = []
    for match in re.finditer(r"^( *)```" + lang + r"\n(.*?)^\1```", text, re.S | re.M):
        indent = len(match.group(1))
        blocks.append("\n".join(line[indent:] for line in match.group(2).splitlines()))
    return blocks


def commands(block):
    """Shell lines, continuation lines joined, each split as the shell would."""
    return [shlex.split(line) for line in block.replace("\\\n", " ").splitlines() if line]


def moved(argv, mapping):
    out = []
    for arg in argv:
        for old, new in mapping.items():
            arg = arg.replace(old, new)
        out.append(arg)
    return out


def run_cli(argv):
    return subprocess.run([sys.executable, "-m", "ovirt_he_deploy"] + argv[1:],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=dict(os.environ, PYTHONPATH=SRC))


def run_otopi(host, statements):
    """README's otopi statements (no group of ours added) plus the fake host's settings."""
    host.load_group = False
    full = statements + host.statements()
    if real_otopi.tree() is not None:
        return real_otopi.run(full, os_env=host.os_env())
    return otopi_harness.run_otopi(full, os_env=dict(
        host.os_env(), PYTHONPATH=os.pathsep.join((DOUBLE, SRC))), inprocess=False)


def otopi_command(bin_dir):
    """What `host deploy --otopi` runs: the double through a wrapper, or the real otopi's."""
    otopi_tree = real_otopi.tree()
    if otopi_tree is not None:
        return real_otopi.wrapper(otopi_tree)
    path = os.path.join(bin_dir, "otopi")
    with open(path, "w") as stream:
        stream.write('#!/bin/sh\nPYTHONPATH={}${{PYTHONPATH:+:$PYTHONPATH}} exec {} -m otopi "$@"\n'
                     .format(DOUBLE, sys.executable))
    os.chmod(path, 0o755)
    return path


def run_host_command(host, argv, bin_dir):
    """`ovirt-he-deploy host deploy|remove` as printed, plus what points otopi at the fake
    host: --otopi and the fake host's statements (the group's own it adds itself)."""
    ours = otopi_harness.group_statements(PLUGINS, GROUP)
    options = ["--otopi", otopi_command(bin_dir)]
    for statement in host.statements():
        if statement not in ours:
            options += ["--otopi-statement", statement]
    env = dict(os.environ, PYTHONPATH=SRC, **host.os_env())
    if real_otopi.tree() is not None:
        env["OTOPI_PYTHON"] = sys.executable
        if os.geteuid() != 0:
            env["OTOPI_NONROOT"] = "1"
    return subprocess.run([sys.executable, "-m", "ovirt_he_deploy"] + argv[1:] + options,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, env=env, timeout=300)


@CLI
def test_the_sandbox_walk_through_runs_as_printed(tmp_path):
    """From a checkout after README's first command: .venv/bin/ovirt-he-deploy is there."""
    (block,) = code_blocks(section(SANDBOX), "sh")
    lines = block.splitlines()
    assert [shlex.split(line)[:3] for line in lines] == [
        [".venv/bin/ovirt-he-deploy", "host", "deploy"],
        [".venv/bin/ovirt-he-deploy", "host", "deploy"],
        [".venv/bin/ovirt-he-deploy", "host", "remove"]]
    checkout = tmp_path / "checkout"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    command = checkout / ".venv" / "bin" / "ovirt-he-deploy"
    command.write_text('#!/bin/sh\nPYTHONPATH={} exec {} -m ovirt_he_deploy "$@"\n'.format(
        SRC, sys.executable))
    command.chmod(0o755)
    os.symlink(os.path.join(ROOT, "examples"), str(checkout / "examples"))
    conf = checkout / "he-sandbox" / "etc" / "ovirt-hosted-engine" / "hosted-engine.conf"
    outputs = []
    for line in lines:
        done = subprocess.run(["bash", "-c", line], cwd=str(checkout), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
        assert done.returncode == 0, done.stdout
        outputs.append(done.stdout)
        if len(outputs) == 1:
            assert conf.read_bytes() == expected_conf(example("nfs.conf"))
            assert (os.stat(str(conf)).st_mode & 0o777) == 0o440
            ha_conf = checkout / "he-sandbox" / "var/lib/ovirt-hosted-engine-ha/ha.conf"
            assert "local_maintenance=False" in ha_conf.read_text()
            first = os.stat(str(conf))
        elif len(outputs) == 2:
            assert "hosted-engine.conf unchanged" in done.stdout
            assert os.stat(str(conf)).st_mtime_ns == first.st_mtime_ns
    assert not conf.exists()
    assert os.path.isfile(str(conf) + ".undeployed")
    assert (checkout / "he-sandbox" / "sandbox-state.json").is_file()
    # Nothing outside the sandbox: the checkout holds only what the test put there.
    assert sorted(os.listdir(str(checkout))) == [".venv", "examples", "he-sandbox"]


def by_hand_blocks():
    blocks = code_blocks(section(BY_HAND), "sh")
    assert len(blocks) == 2, "README, {}: the host commands, then otopi itself".format(BY_HAND)
    return [commands(block) for block in blocks]


@CLI
def test_host_deploy_rerun_and_remove_run_as_printed(host, tmp_path):
    from test_manual_flows import running_host_conf  # Python 3 only
    steps = by_hand_blocks()[0]
    assert [step[:3] for step in steps] == [
        ["ovirt-he-deploy", "answer-file", "--from-conf"],
        ["ovirt-he-deploy", "host", "deploy"], ["ovirt-he-deploy", "host", "deploy"],
        ["ovirt-he-deploy", "host", "remove"]]
    source = running_host_conf(tmp_path, example("iscsi-chap.conf"))
    mapping = {"/path/to/hosted-engine.conf": str(source), "/root/": str(tmp_path) + "/"}
    done = run_cli(moved(steps[0], mapping))
    assert done.returncode == 0, done.stderr
    first = run_host_command(host, moved(steps[1], mapping), str(tmp_path))
    assert first.returncode == 0, first.stdout[-3000:]
    deployed = host.read(host.conf)
    assert deployed == expected_conf(str(tmp_path / "he-unit.conf"))
    assert b"\nhost_id=3\n" in deployed
    before = os.stat(host.conf)
    rerun = run_host_command(host, moved(steps[2], mapping), str(tmp_path))
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    # The rerun converges: the conf is not rewritten, no backup made.
    assert (os.stat(host.conf).st_ino, os.stat(host.conf).st_mtime_ns) == \
        (before.st_ino, before.st_mtime_ns)
    assert not os.path.exists(host.conf + ".previous")
    removed = run_host_command(host, moved(steps[3], mapping), str(tmp_path))
    assert removed.returncode == 0, removed.stdout[-3000:]
    assert host.read(host.conf) is None
    assert SECRET_PASSWORD.encode() not in host.read(host.conf + ".undeployed")
    for result in (first, rerun, removed):
        assert SECRET_PASSWORD not in result.stdout


@CLI
def test_otopi_itself_deploys_and_removes_as_printed(host, tmp_path):
    from test_manual_flows import running_host_conf  # Python 3 only
    made, otopi_steps = by_hand_blocks()
    assert [step[0] for step in otopi_steps] == ["otopi", "ovirt-he-deploy", "otopi"]
    source = running_host_conf(tmp_path, example("iscsi-chap.conf"))
    mapping = {"/path/to/hosted-engine.conf": str(source), "/root/": str(tmp_path) + "/",
               INSTALLED_PLUGINS: PLUGINS}
    done = run_cli(moved(made[0], mapping))  # the unit the first block makes
    assert done.returncode == 0, done.stderr
    results = []
    for step in otopi_steps:
        argv = moved(step, mapping)
        if argv[0] == "ovirt-he-deploy":
            done = run_cli(argv)
            assert done.returncode == 0, done.stderr
            continue
        results.append(run_otopi(host, argv[1:]))
        assert results[-1].exit_code == 0, results[-1].stdout[-3000:]
        if len(results) == 1:
            assert host.read(host.conf) == expected_conf(str(tmp_path / "he-unit.conf"))
    assert host.read(host.conf) is None
    assert SECRET_PASSWORD.encode() not in host.read(host.conf + ".undeployed")


@CLI
def test_the_warning_holds_a_mistyped_unit_path_is_a_silent_success_for_otopi(host, tmp_path):
    """What README warns about: otopi with a unit path that does not exist exits 0 having
    done nothing; `host deploy` with the same path refuses, naming it."""
    _, otopi_steps = by_hand_blocks()
    mistyped = str(tmp_path / "he-unti.conf")
    mapping = {"/root/he-unit.conf": mistyped, INSTALLED_PLUGINS: PLUGINS}
    result = run_otopi(host, moved(otopi_steps[0], mapping)[1:])
    assert result.exit_code == 0
    assert host.read(host.conf) is None
    refused = run_host_command(host, ["ovirt-he-deploy", "host", "deploy", mistyped],
                               str(tmp_path))
    assert refused.returncode == 1
    assert mistyped in refused.stdout
    assert host.read(host.conf) is None


@CLI
def test_the_two_line_remove_unit_is_what_answer_file_writes(tmp_path):
    (block,) = code_blocks(section(BY_HAND), "ini")
    out = tmp_path / "remove.conf"
    done = run_cli(["ovirt-he-deploy", "answer-file", "--remove", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    written = [line for line in out.read_text().splitlines()
               if line and not line.startswith("#")]
    assert written == block.splitlines()


def test_the_bundle_recipe_runs_as_printed_and_the_bundle_deploys(host, tmp_path):
    (block,) = code_blocks(section(BUNDLE), "sh")
    bundle = tmp_path / "interface-3"
    # What ovirt-host-deploy's interface-3 holds before the recipe: its groups, its own
    # hosted-engine plugin among them (the stand-in's).
    (bundle / "otopi-plugins").mkdir(parents=True)
    (bundle / "pythonlib").mkdir()
    for name in ("ovirt-host-deploy", "ovirt-host-common"):
        subprocess.check_call(["cp", "-r", os.path.join(STANDINS, name),
                               str(bundle / "otopi-plugins" / name)])
    subprocess.check_call(["cp", "-r", os.path.join(STANDINS, "old-he", "ovirt-host-deploy",
                                                    "hosted-engine"),
                           str(bundle / "otopi-plugins" / "ovirt-host-deploy" / "hosted-engine")])
    # The engine machine: what the EL7 RPM installs, below a root (test_rpm.py checks the RPM
    # against the same list); the recipe's EL7 paths are moved below it.
    installed = tmp_path / "engine-root"
    el7_install.install(str(installed))
    assert el7_install.SITE_PACKAGES in block and el7_install.PLUGIN_DIR in block, block
    script = block.replace("/usr/share/ovirt-host-deploy/interface-3", str(bundle))
    for path in (el7_install.PLUGIN_DIR, el7_install.SITE_PACKAGES):
        script = script.replace(path, str(installed) + path)
    # Twice: the README says to redo it after an ovirt-host-deploy update, and a rerun must
    # replace the copies, not nest new ones inside them.
    for _ in range(2):
        done = subprocess.Popen(["sh", "-ec", script], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True)
        output = done.communicate()[0]
        assert done.returncode == 0, output
    he_dir = bundle / "otopi-plugins" / "ovirt-host-deploy" / "hosted-engine"
    assert not (he_dir / "hosted-engine").exists()
    assert not (bundle / "pythonlib" / "ovirt_he_deploy" / "ovirt_he_deploy").exists()
    assert sorted(name for name in os.listdir(str(he_dir)) if name.endswith(".py")) == \
        sorted(name for name in os.listdir(os.path.join(PLUGINS, "ovirt-he-deploy",
                                                          "hosted-engine"))
               if name.endswith(".py"))
    library = bundle / "pythonlib" / "ovirt_he_deploy"
    assert sorted(name for name in os.listdir(str(library)) if name.endswith(".py")) == \
        el7_install.host_modules()
    assert (library / "templates" / "hosted-engine.conf.j2").is_file()
    host.owner = host.group = None
    host.load_group = False
    statements = host.statements(example("iscsi-chap.conf")) + [
        "APPEND:BASE/pluginGroups=str:" + ":".join(HOST_DEPLOY_GROUPS)]
    otopi_tree = real_otopi.tree()
    if otopi_tree is None:
        # The double as the bundle's otopi 1.8, on this Python (2.7 in tox's py27 and el7).
        result = otopi_harness.run_otopi(
            ["BASE/pluginPath=str:" + str(bundle / "otopi-plugins")] + statements,
            os_env=dict(host.os_env(), PYTHONPATH=os.pathsep.join(
                (DOUBLE, str(bundle / "pythonlib")))), inprocess=False, otopi_version="1.8")
    else:
        add_real_otopi(str(bundle), otopi_tree)
        result = real_otopi.run(statements, os_env=host.os_env(),
                                command=[str(bundle / "otopi")], pythonpath=())
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
