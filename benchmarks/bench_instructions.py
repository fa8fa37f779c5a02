"""Exact instruction counts of whole otopi runs (valgrind callgrind), and where deploy's go.

Wall time on a shared machine carries tens of ms of noise; an instruction count repeats to
within a fraction of a million (PYTHONHASHSEED fixed; only the temp paths differ), so small
differences and their causes can be told apart. Each run is the process of bench_process
(cached install, `python -B -m otopi`, the fake host), under `valgrind --tool=callgrind`.
Deploy's cost is split by preloading, through a sitecustomize module, what deploy would
otherwise do itself, one step more each time: jinja2's import, then the library's import,
then the template's compilation. What a step
costs deploy is what its preload takes off deploy's difference to a baseline run with the
same preload (so modules jinja2 shares with otopi or the library are not counted twice).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import otopi_process as op
import procrun
from bench_process import group_bytecode
from benchlib import Row

VALGRIND = "valgrind"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
ENGINE_KEYS = "engine-keys"  # the deploy unit's keys in a run without the group
JINJA2 = "jinja2"
LIBRARY = "library"
TEMPLATE = "template"
PRELOADS = (JINJA2, LIBRARY, TEMPLATE)
MILLION = 1e6


def _preload_dirs(parent: str, library_modules: Sequence[str]) -> Dict[str, str]:
    """A sitecustomize per preload: jinja2; + the library deploy imports; + the template."""
    texts = {
        JINJA2: ["import jinja2"],
        LIBRARY: ["import jinja2"] + ["import " + name for name in library_modules],
        TEMPLATE: ["import jinja2"] + ["import " + name for name in library_modules] + [
            "from ovirt_he_deploy import render",
            "render.load_template(render.CONF_TEMPLATE)"],
    }
    dirs = {}
    for name, lines in texts.items():
        path = os.path.join(parent, "preload-" + name)
        os.mkdir(path)
        with open(os.path.join(path, "sitecustomize.py"), "w") as stream:
            stream.write("\n".join(lines) + "\n")
        dirs[name] = path
    return dirs


def _loaded_library(parent: str, install: op.Install, python: str, variant: str) -> List[str]:
    """The ovirt_he_deploy modules a run of variant has loaded at its end (the probe group)."""
    host = op.Host(parent)
    modules_file = os.path.join(host.root, "modules.txt")
    result = op.run(host, install, python, variant, modules_file=modules_file)
    op.check(host, variant, result)
    with open(modules_file) as stream:
        modules = [name for name in stream.read().split() if name.startswith("ovirt_he_deploy")]
    host.remove()
    return modules


def _deploy_library_modules(parent: str, install: op.Install, python: str) -> List[str]:
    """What deploy imports of the library beyond what action none imports: preloading the
    modules none imports too would take them off the group-with-action-none part."""
    none = set(_loaded_library(parent, install, python, op.NONE))
    return [name for name in _loaded_library(parent, install, python, op.DEPLOY)
            if name not in none]


def _count(parent: str, install: op.Install, python: str, variant: str,
           preload: Optional[str] = None) -> int:
    """Instructions of one whole run of a variant (the rerun: after an unmeasured deploy)."""
    host = op.Host(parent)
    if variant == op.RERUN:
        op.check(host, op.DEPLOY, op.run(host, install, python, op.DEPLOY))
    run_variant = op.DEPLOY if variant == ENGINE_KEYS else variant
    statements = op.statements(host.host, install, run_variant)
    if variant == ENGINE_KEYS:
        # The same unit as deploy, the group not loaded: otopi applies statements in
        # order, so this replaces the group list the host's statements appended.
        statements.append("BASE/pluginGroups=str:" + op.FAKES_GROUP)
    env = op.child_env(install)
    env["PYTHONHASHSEED"] = "0"
    if preload:
        env["PYTHONPATH"] = preload + os.pathsep + env["PYTHONPATH"]
    out = os.path.join(host.root, "callgrind.out")
    argv = [VALGRIND, "--tool=callgrind", "--callgrind-out-file=" + out] + op.argv(
        python, statements)
    done = subprocess.run(argv, env=env, cwd="/", stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=900)
    op.check(host, op.BASELINE if variant == ENGINE_KEYS else variant,
             procrun.Measured(0.0, 0, 0.0, done.returncode, done.stderr))
    match = COLLECTED.search(done.stderr)
    if not match:
        raise RuntimeError("no instruction count from callgrind:\n" + done.stderr[-1500:])
    host.remove()
    return int(match.group(1))


def _row(section: str, measure: str, instructions: float, raw: Dict[str, object]) -> Row:
    return Row(section, measure, instructions / MILLION, "M instructions",
               shown="{:+.1f} M instructions".format(instructions / MILLION), raw=raw)


def instruction_counts(python: Optional[str] = None,
                       group_compiled: Optional[bool] = None) -> Tuple[List[Row], List[str]]:
    otopi = op.chosen_otopi()
    section = "instructions ({}, cached)".format(
        "real otopi" if otopi.is_real else "otopi double")
    if shutil.which(VALGRIND) is None:
        return ([Row(section, "whole-run instruction counts", None, "",
                     shown="not measured: valgrind is not installed")],
                ["Instructions: install valgrind to count them (Debian: apt-get install "
                 "valgrind; EL: dnf install valgrind)."])
    python = python or sys.executable
    compile_group, _why = group_bytecode(group_compiled)
    with tempfile.TemporaryDirectory(prefix="he-bench-instructions-") as parent:
        install = op.make_install(parent, op.CACHED, otopi, python, compile_group)
        library = _deploy_library_modules(parent, install, python)
        preloads = _preload_dirs(parent, library)
        plain = {variant: _count(parent, install, python, variant)
                 for variant in (op.BASELINE, op.NONE, op.ABSENT, ENGINE_KEYS, op.DEPLOY,
                                 op.RERUN)}
        loaded = {name: (_count(parent, install, python, op.BASELINE, preloads[name]),
                         _count(parent, install, python, op.DEPLOY, preloads[name]))
                  for name in PRELOADS}
    base = plain[op.BASELINE]
    deploy = plain[op.DEPLOY] - base
    left = {name: after - before for name, (before, after) in loaded.items()}
    # Each preload is the one before plus one step; "left" is what deploy still adds over
    # the baseline with the same preload. A step costs deploy what its preload takes off.
    parts = [
        ("importing jinja2 (what preloading it takes off deploy)",
         deploy - left[JINJA2]),
        ("importing the library modules deploy uses beyond action none's ({})".format(
            len(library)),
         left[JINJA2] - left[LIBRARY]),
        ("compiling the template", left[LIBRARY] - left[TEMPLATE]),
        ("the deploy unit's keys carried through the run (the same unit in a run without "
         "the group): what the engine's keys cost any otopi run", plain[ENGINE_KEYS] - base),
        ("the group with action none (its modules, its events' share of otopi's "
         "bookkeeping)", plain[op.NONE] - base),
    ]
    parts.append(("the rest: validate, render, write, lock, ha.conf, services, the group's "
                  "own env keys", left[TEMPLATE] - parts[3][1] - parts[4][1]))
    rows = [Row(section, "run without the group (baseline)", base / MILLION,
                "M instructions", raw={"instructions": base, "runs": plain, "preloaded": {
                    name: {"baseline": before, "deploy": after}
                    for name, (before, after) in loaded.items()}})]
    for variant in (op.NONE, op.ABSENT, ENGINE_KEYS, op.DEPLOY, op.RERUN):
        described = op.DESCRIBED.get(variant, "the deploy unit's keys, no group")
        rows.append(_row(section, described, plain[variant] - base,
                         {"variant": variant, "instructions": plain[variant]}))
    for measure, value in parts:
        rows.append(_row(section, "deploy: " + measure, value,
                         {"part": measure, "instructions": value,
                          "share_of_deploy": value / deploy if deploy else None}))
    notes = ["Instructions ({}): `valgrind --tool=callgrind` of `{} -B -m otopi`, cached "
             "install, PYTHONHASHSEED=0; counts repeat to within a fraction of a million "
             "(only temp paths differ). Deploy adds "
             "{:.1f} M: {}.".format(
                 otopi.name, python, deploy / MILLION, "; ".join(
                     "{} {:.0f} %".format(measure.split(" (")[0], 100.0 * value / deploy)
                     for measure, value in parts) if deploy else "nothing"),
             "The rest is what the steps leave; it comes out below zero when a preload also "
             "takes off deploy a module action none imports too (the double's baseline lacks "
             "typing, which both jinja2 and envkeys import)."]
    return rows, notes
