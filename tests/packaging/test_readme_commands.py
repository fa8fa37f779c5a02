"""The commands README and docs/ print name things that exist, and CI runs them.

The two set-up commands are run as printed by .ci/run, the RPM build by `tox -e rpm`
(build_rpms.py); every tox, venv-Python and script line of README and docs/*.md is checked
here against tox.ini and the tree, and no printed command starts with a bare `tox` or `python`
(not on PATH on a fresh machine: exit 127)."""

import configparser
import os
import re
import shlex
import shutil
import subprocess
from typing import List, Tuple

import build_rpms
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


DOCS = ["README.md"] + sorted(os.path.join("docs", name)
                              for name in os.listdir(os.path.join(ROOT, "docs"))
                              if name.endswith(".md"))


def read(name: str) -> str:
    with open(os.path.join(ROOT, name), encoding="utf-8") as stream:
        return stream.read()


def readme() -> str:
    return read("README.md")


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


def printed_commands() -> List[Tuple[str, str]]:
    """(document, command line) for every line of every ```sh block, continuations joined."""
    found = []
    for name in DOCS:
        for block in sh_blocks(read(name)):
            for line in block.replace("\\\n", " ").splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    found.append((name, line))
    return found


def command_words(line: str) -> List[str]:
    return shlex.split(line.split(" #", 1)[0])


def test_tox_examples_name_real_environments_and_files():
    envs = set(tox_envs())
    tox_lines = [(name, line) for name, line in printed_commands() if ".venv/bin/tox " in line]
    assert any(name == os.path.join("docs", "development.md") and " -e py311 " in line
               for name, line in tox_lines), "docs/development.md shows no one-env example"
    for name, line in tox_lines:
        for part in line.split("&&"):
            words = command_words(part)
            if ".venv/bin/tox" not in words:
                continue
            if "-e" in words:
                for env in words[words.index("-e") + 1].split(","):
                    assert env in envs, "{}: {}: no tox env {}".format(name, line, env)
            if "--" in words and words[words.index("-e") + 1] != "bench":
                for path in words[words.index("--") + 1:]:
                    assert os.path.exists(os.path.join(ROOT, path)), (name, line)


def test_envs_needing_other_pythons_are_run_through_with_pythons():
    """An env of a Python other than the venv's (the el8 and packaging envs need 3.6, rpm
    needs 3.6 and 3.9) fails without pyenv's Pythons on PATH: printed with scripts/with-pythons."""
    needs = {"el8", "el9", "packaging", "rpm", "real-otopi-el8"} | {
        env for env in tox_envs() if re.fullmatch(r"py3\d+", env) and env != "py311"}
    for name, line in printed_commands():
        words = command_words(line.split("&&")[-1])
        if ".venv/bin/tox" in words and "-e" in words:
            wanted = set(words[words.index("-e") + 1].split(",")) & needs
            if wanted:
                assert words[0] == "scripts/with-pythons", (name, line)


def test_no_printed_command_needs_a_bare_tox_or_python():
    for name, line in printed_commands():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = command_words(part)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words = words[1:]
            if words and words[0] in ("env",):
                words = [word for word in words[1:] if not word.startswith("-")
                         and not re.fullmatch(r"[A-Z_]+(=.*)?", word)]
            if words:
                assert words[0] not in ("tox", "python", "pip"), (name, line)


def test_venv_python_scripts_exist():
    for name, line in printed_commands():
        words = command_words(line)
        if words[:1] == [".venv/bin/python"] and words[1:2] != ["-m"] and words[1:2] != ["-c"]:
            assert os.path.isfile(os.path.join(ROOT, words[1])), (name, line)


def test_rpmbuild_is_printed_for_el_and_for_debian_and_never_writes_to_home():
    sdist, on_el, on_debian = build_rpms.readme_blocks(os.path.join(ROOT, "README.md"))
    assert sdist.strip() == ".venv/bin/pip install -q build && .venv/bin/python -m build --sdist"
    topdir = '--define "_topdir $PWD/rpmbuild" dist/ovirt_he_deploy-*.tar.gz'
    assert on_el.strip() == "rpmbuild -ta " + topdir
    assert on_debian.strip() == "rpmbuild -ta --nodeps " + topdir


def test_every_tox_env_in_the_envlist_is_run_by_the_test_command():
    """The README's test command is plain `tox -p 2`: it runs the whole envlist."""
    second = sh_blocks(readme())[0].splitlines()[1]
    assert re.search(r"\.venv/bin/tox -p 2$", second), second
    listed = envlist()
    for env in ("py27", "el7", "py36", "py37", "py38", "el8", "el9", "py39", "py310", "py311",
                "py312", "py313", "packaging", "lint", "type", "fuzz", "rpm", "bench"):
        assert env in listed


def test_this_machine_runs_the_sdist_and_its_own_rpmbuild_line():
    if shutil.which("rpm") is None:
        pytest.skip("no rpm here: `tox -e rpm` needs it (README, Build the RPMs)")
    commands = build_rpms.readme_commands(os.path.join(ROOT, "README.md"))
    assert "python -m build --sdist" in commands
    (rpmbuild,) = [line for line in commands.splitlines() if line.startswith("rpmbuild ")]
    assert ("--nodeps" in rpmbuild) != build_rpms.rpm_database_knows_rpm()
