"""README's host-side flows, run as printed: the manual deploy, rerun and remove, the
two-line remove unit, and the bundle recipe. Only paths are moved below a temp directory."""

import os
import re
import shlex
import subprocess
import sys

import otopi_harness
import pytest
import real_otopi
from he_host import HOST_DEPLOY_GROUPS, SECRET_PASSWORD, STANDINS, example, expected_conf
from paths import DOUBLE, PLUGINS, ROOT, SRC
from test_bundle import add_real_otopi

README = os.path.join(ROOT, "README.md")
INSTALLED_PLUGINS = "/usr/share/ovirt-he-deploy/plugins"
# The flows that start with the CLI; on Python 2.7 (tox -e py27, el7) only the bundle's runs.
CLI = pytest.mark.skipif(sys.version_info[0] < 3,
                         reason="the ovirt-he-deploy CLI is Python 3 only (host side: 2.7 too)")


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


@CLI
def test_manual_deploy_rerun_and_remove_run_as_printed(host, tmp_path):
    from test_manual_flows import running_host_conf
    (block,) = code_blocks(section("### How a host installation picks it up"), "sh")
    steps = commands(block)
    assert [step[0] for step in steps] == ["ovirt-he-deploy", "otopi", "otopi",
                                           "ovirt-he-deploy", "otopi"]
    source = running_host_conf(tmp_path, example("iscsi-chap.conf"))
    mapping = {"/path/to/hosted-engine.conf": str(source), "/root/": str(tmp_path) + "/",
               INSTALLED_PLUGINS: PLUGINS}
    results = []
    for step in steps:
        argv = moved(step, mapping)
        if argv[0] == "ovirt-he-deploy":
            done = run_cli(argv)
            assert done.returncode == 0, done.stderr
            continue
        results.append(run_otopi(host, argv[1:]))
        assert results[-1].exit_code == 0, results[-1].stdout[-3000:]
        if len(results) == 1:
            deployed = host.read(host.conf)
            assert deployed == expected_conf(str(tmp_path / "he-unit.conf"))
            assert b"\nhost_id=3\n" in deployed
        elif len(results) == 2:
            # The rerun converges: nothing rewritten.
            assert results[-1].environment["CORE/modifiedFiles"] == []
    assert host.read(host.conf) is None
    assert SECRET_PASSWORD.encode() not in host.read(host.conf + ".undeployed")


@CLI
def test_the_two_line_remove_unit_is_what_answer_file_writes(tmp_path):
    (block,) = code_blocks(section("### How a host installation picks it up"), "ini")
    out = tmp_path / "remove.conf"
    done = run_cli(["ovirt-he-deploy", "answer-file", "--remove", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    written = [line for line in out.read_text().splitlines()
               if line and not line.startswith("#")]
    assert written == block.splitlines()


def test_the_bundle_recipe_runs_as_printed_and_the_bundle_deploys(host, tmp_path):
    (block,) = code_blocks(section("### Enabling the group"), "sh")
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
    script = block.replace("/usr/share/ovirt-host-deploy/interface-3", str(bundle)) \
        .replace(INSTALLED_PLUGINS, PLUGINS) \
        .replace("/usr/lib/python3.6/site-packages", SRC)
    done = otopi_harness.run_process(["sh", "-ec", script])
    assert done.returncode == 0, done.stdout + done.stderr
    he_dir = bundle / "otopi-plugins" / "ovirt-host-deploy" / "hosted-engine"
    assert sorted(name for name in os.listdir(str(he_dir)) if name.endswith(".py")) == \
        sorted(name for name in os.listdir(os.path.join(PLUGINS, "ovirt-he-deploy",
                                                          "hosted-engine"))
               if name.endswith(".py"))
    assert (bundle / "pythonlib" / "ovirt_he_deploy" / "templates" /
            "hosted-engine.conf.j2").is_file()
    host.owner = host.group = None
    host.load_group = False
    statements = host.statements(example("iscsi-chap.conf")) + [
        "APPEND:BASE/pluginGroups=str:" + ":".join(HOST_DEPLOY_GROUPS)]
    otopi_tree = real_otopi.tree()
    if otopi_tree is None:
        result = otopi_harness.run_otopi(
            ["BASE/pluginPath=str:" + str(bundle / "otopi-plugins")] + statements,
            os_env=dict(host.os_env(), PYTHONPATH=os.pathsep.join(
                (DOUBLE, str(bundle / "pythonlib")))), inprocess=False)
    else:
        add_real_otopi(str(bundle), otopi_tree)
        result = real_otopi.run(statements, os_env=host.os_env(),
                                command=[str(bundle / "otopi")], pythonpath=())
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.read(host.conf) == expected_conf(example("iscsi-chap.conf"))
