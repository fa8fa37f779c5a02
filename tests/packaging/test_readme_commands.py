"""The README's set-up, tox and packaging commands name things that exist, and CI runs them.

The two set-up commands are run as printed by .ci/run, the packaging commands by `tox -e rpm`
(build_rpms.py); the tox examples are checked here against tox.ini and the tree."""

import configparser
import os
import re
import shlex
import subprocess
from typing import List

import build_rpms

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme() -> str:
    with open(os.path.join(ROOT, "README.md")) as stream:
        return stream.read()


def sh_blocks(text: str) -> List[str]:
    return re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S)


def tox_config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(ROOT, "tox.ini"))
    return parser


def envlist() -> List[str]:
    return re.split(r"[\s,]+", tox_config().get("tox", "envlist").strip())


def tox_envs() -> List[str]:
    """The envlist and every env with a section of its own (real-otopi: not in the envlist)."""
    sections = [name.split(":", 1)[1] for name in tox_config().sections()
                if name.startswith("testenv:")]
    return envlist() + sections


def test_ci_runs_the_first_block_which_is_the_two_set_up_commands():
    first = sh_blocks(readme())[0]
    commands = first.strip().splitlines()
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/pip install -q . && ")
    assert commands[1].startswith(".venv/bin/pip install -q -r requirements-ci.txt && ")
    assert "scripts/with-pythons .venv/bin/tox" in commands[1]
    # .ci/run's own extraction, run as it runs there
    with open(os.path.join(ROOT, ".ci", "run")) as stream:
        script = stream.read()
    (awk_line,) = [line for line in script.splitlines() if line.startswith('commands="$(awk ')]
    extracted = subprocess.run(["bash", "-c", awk_line + '; printf "%s\\n" "$commands"'],
                               cwd=ROOT, check=True, stdout=subprocess.PIPE,
                               universal_newlines=True).stdout
    assert extracted == first


def test_the_set_up_commands_never_install_into_the_system_python():
    for command in sh_blocks(readme())[0].splitlines():
        for part in command.split("&&"):
            words = shlex.split(part)
            if "pip" in " ".join(words[:3]):
                assert words[0].startswith(".venv/bin/"), part


def test_tox_examples_name_real_environments_and_files():
    envs = set(tox_envs())
    examples = [block for block in sh_blocks(readme()) if ".venv/bin/tox -e " in block]
    assert examples, "README shows no single-environment tox example"
    for line in examples[0].splitlines():
        command = line.split("#", 1)[0]
        words = shlex.split(command)
        assert "-e" in words, line
        for env in words[words.index("-e") + 1].split(","):
            assert env in envs, "{}: no tox env {}".format(line, env)
        if "--" in words:
            for path in words[words.index("--") + 1:]:
                assert os.path.exists(os.path.join(ROOT, path)), line


def test_every_tox_env_in_the_envlist_is_run_by_the_test_command():
    """The README's test command is plain `tox -p 2`: it runs the whole envlist."""
    second = sh_blocks(readme())[0].splitlines()[1]
    assert re.search(r"\.venv/bin/tox -p 2$", second), second
    listed = envlist()
    for env in ("py27", "el7", "py36", "py37", "py38", "el8", "el9", "py39", "py310", "py311",
                "py312", "py313", "packaging", "lint", "type", "fuzz", "rpm", "bench"):
        assert env in listed


def test_packaging_block_is_the_sdist_and_rpmbuild_ta():
    commands = build_rpms.readme_commands(os.path.join(ROOT, "README.md"))
    assert "python -m build --sdist" in commands
    assert re.search(r"^rpmbuild -ta dist/ovirt_he_deploy-\*\.tar\.gz$", commands, re.M)
