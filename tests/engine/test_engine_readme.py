"""docs/engine.md's fake-engine session runs as printed: every `$ ` line of it, in one shell, from a
checkout, gives the output the page shows (ports, pids, ids and times aside; lines of hosts
handled side by side may interleave differently)."""

import os
import re
import subprocess
import sys
from typing import Dict, List, NamedTuple, Tuple

import pytest

from .conftest import SDK_MISSING, TESTS

pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)

ROOT = os.path.dirname(TESTS)
ENGINE_DOC = os.path.join(ROOT, "docs", "engine.md")
SECTION = "## A session against the fake engine"
FIRST_COMMAND = "$ mkdir he-demo && cd he-demo"
VARYING = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"), "<time>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"pid=\d+"), "pid=<pid>"),
]
HOST_LINE = re.compile(r"^(host\d\d): ")
SUMMARY_LINE = re.compile(r"^host\d\d: (OK|FAILED): ")


class Command(NamedTuple):
    line: str
    output: List[str]
    code: int


def section(text: str) -> str:
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end >= 0 else len(text)]


def readme_session() -> List[Command]:
    """The commands of the session block, each with the output and exit code it shows."""
    text = section(open(ENGINE_DOC, encoding="utf-8").read())
    start = text.index("```\n" + FIRST_COMMAND) + 4
    block = text[start:text.index("\n```", start)].splitlines()
    commands: List[Command] = []
    for line in block:
        if line.startswith("$ "):
            commands.append(Command(line[2:], [], 0))
        elif re.fullmatch(r"\[exit \d+\]", line):
            commands[-1] = commands[-1]._replace(code=int(line[6:-1]))
        else:
            commands[-1].output.append(line)
    return commands


def run_session(commands: List[Command], workdir: str) -> List[Tuple[List[str], int]]:
    """Run the commands in one bash from a directory laid out like a checkout (tests/ there)
    with ovirt-he-deploy and python on PATH; each command's output and exit code."""
    os.symlink(TESTS, os.path.join(workdir, "tests"))
    bin_dir = os.path.join(workdir, "bin")
    os.mkdir(bin_dir)
    for name, target in (("python", ""), ("ovirt-he-deploy", " -m ovirt_he_deploy.cli")):
        path = os.path.join(bin_dir, name)
        with open(path, "w", encoding="ascii") as stream:
            stream.write('#!/bin/sh\nexec {}{} "$@"\n'.format(sys.executable, target))
        os.chmod(path, 0o755)
    script = ["set -u"]
    for number, command in enumerate(commands):
        script.append("echo '@@ {}'".format(number))
        script.append("{} 2>&1".format(command.line))
        script.append("echo \"@@ rc $?\"")
    env = {"PATH": bin_dir + os.pathsep + os.environ["PATH"], "HOME": workdir,
           "PYTHONPATH": os.path.join(ROOT, "src"), "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=workdir, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=240)
    results: List[Tuple[List[str], int]] = []
    for line in done.stdout.splitlines():
        if line.startswith("@@ rc "):
            results[-1] = (results[-1][0], int(line[6:]))
        elif line.startswith("@@ "):
            results.append(([], -1))
        else:
            results[-1][0].append(line)
    return results


def normal(lines: List[str]) -> List[str]:
    found = []
    for line in lines:
        for pattern, replacement in VARYING:
            line = pattern.sub(replacement, line)
        found.append(line)
    return found


def comparable(lines: List[str]) -> Tuple[List[str], Dict[str, List[str]], List[str]]:
    """(lines of no host, progress lines per host, the final summary in order): hosts run
    side by side, so only each host's own progress is in a fixed order."""
    lines = normal(lines)
    end = next((index for index, line in enumerate(lines) if SUMMARY_LINE.match(line)),
               len(lines))
    others: List[str] = []
    per_host: Dict[str, List[str]] = {}
    for line in lines[:end]:
        match = HOST_LINE.match(line)
        if match:
            per_host.setdefault(match.group(1), []).append(line)
        else:
            others.append(line)
    return others, per_host, lines[end:]


def test_the_readme_session_runs_as_printed(tmp_path):
    commands = readme_session()
    assert len(commands) >= 10
    results = run_session(commands, str(tmp_path))
    assert len(results) == len(commands)
    for command, (output, code) in zip(commands, results):
        assert (command.line, code) == (command.line, command.code), "\n".join(output)
        assert comparable(output) == comparable(command.output), command.line
    assert not os.path.exists(str(tmp_path / "he-demo"))


def test_the_readme_session_shows_a_rollout_over_several_hosted_engine_hosts():
    rollout = [command for command in readme_session()
               if " deploy " in command.line and "--force" in command.line]
    assert len(rollout) == 1
    [plan] = [line for line in rollout[0].output if line.startswith("plan: ")]
    assert "have Hosted Engine: taken down one at a time" in plan
    assert "last, it runs the engine VM" in plan
    taken_down = [line.split(":")[0] for line in rollout[0].output
                  if line.endswith(": moving it to maintenance")]
    assert len(taken_down) >= 3


def test_the_session_says_how_to_get_the_python_and_command_it_runs():
    """run_session puts `python` and `ovirt-he-deploy` first on PATH: what the page's
    preparation line (the SDK into README's .venv, then activating it) gives a reader."""
    text = section(open(ENGINE_DOC, encoding="utf-8").read())
    preparation = text[:text.index("```\n" + FIRST_COMMAND)]
    assert "```sh\n.venv/bin/pip install -q '.[engine]' && . .venv/bin/activate\n```" in \
        preparation
