"""Run the benchmarks and print one markdown table: value, target, PASS/FAIL per measure.

A median with a confidence interval gets PASS or FAIL only when the whole interval is on one
side of the target, UNSURE when the noise straddles it. Benchmarks print numbers; a FAIL is
a finding, never a failed run (the exit status is 1 only when a benchmark itself broke)."""

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Tuple

from benchlib import Row, library_on_path, save_json, table

LIBRARY_DIR = library_on_path()

import bench_cli  # noqa: E402
import bench_engine  # noqa: E402
import bench_instructions  # noqa: E402
import bench_plugin  # noqa: E402
import bench_process  # noqa: E402
import bench_validation  # noqa: E402
import otopi_process  # noqa: E402

Result = Tuple[List[Row], List[str]]
SECTIONS = ("process", "imports", "instructions", "rerun", "cli", "engine", "validation")
# Slow (valgrind) and exact: a smoke run leaves it out unless it is asked for by name.
NOT_QUICK = ("instructions",)


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark runs: the full run, or a smoke run with --quick."""

    process_rounds: int
    process_warmup: int
    import_repeats: int
    cli_runs: int
    engine_hosts: int
    engine_install: float
    engine_parallel: Tuple[int, ...]
    units: int


FULL = Sizes(process_rounds=30, process_warmup=2, import_repeats=5, cli_runs=20,
             engine_hosts=20, engine_install=2.0, engine_parallel=(1, 4, 8), units=10000)
QUICK = Sizes(process_rounds=3, process_warmup=1, import_repeats=1, cli_runs=3,
              engine_hosts=20, engine_install=2.0, engine_parallel=(8,), units=1000)


def benchmarks(sizes: Sizes, args: argparse.Namespace) -> Dict[str, Callable[[], Result]]:
    python = args.python
    group_compiled = {"spec": None, "yes": True, "no": False}[args.group_bytecode]
    return {
        "process": lambda: bench_process.process_cost(
            sizes.process_rounds, sizes.process_warmup, python,
            modes=args.mode or otopi_process.MODES, group_compiled=group_compiled,
            variants=args.variant or otopi_process.VARIANTS),
        "imports": lambda: bench_process.imports(sizes.import_repeats, python, group_compiled),
        "instructions": lambda: bench_instructions.instruction_counts(python, group_compiled),
        "rerun": bench_plugin.rerun_cost,
        "cli": lambda: bench_cli.cli_cost(sizes.cli_runs, python),
        "engine": lambda: bench_engine.rollout(LIBRARY_DIR, sizes.engine_hosts,
                                               sizes.engine_install, sizes.engine_parallel),
        "validation": lambda: bench_validation.validate_and_render(sizes.units),
    }


def machine(python: Optional[str]) -> Dict[str, str]:
    return {
        "cpu": _cpu_model(),
        "nproc": str(os.cpu_count()),
        "python": "{} {}".format(platform.python_implementation(), platform.python_version()),
        "child_python": _version_of(python) if python else "the same",
        "platform": platform.platform(),
        "library": LIBRARY_DIR,
        "otopi": _otopi_name(),
        "load": " ".join("{:.2f}".format(load) for load in os.getloadavg()),
    }


def _version_of(python: str) -> str:
    try:
        out = subprocess.check_output([python, "-c", "import platform; print("
                                       "platform.python_implementation(), "
                                       "platform.python_version())"],
                                      universal_newlines=True)
    except (OSError, subprocess.CalledProcessError) as error:
        return "{} ({})".format(python, error)
    return "{} {}".format(out.strip(), python)


def _otopi_name() -> str:
    try:
        return otopi_process.chosen_otopi().name
    except RuntimeError as error:
        return str(error)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: few repetitions, engine rollout at --parallel 8 only, no "
                        "instruction counts unless --only instructions")
    parser.add_argument("--rounds", type=int, metavar="N",
                        help="interleaved rounds of whole otopi runs (default: 30, "
                        "--quick: 3)")
    parser.add_argument("--python", metavar="PATH",
                        help="interpreter for the measured processes (otopi runs, CLI); "
                        "default: this one. It needs jinja2, and distro for a real otopi")
    parser.add_argument("--group-bytecode", choices=("spec", "yes", "no"), default="spec",
                        help="whether the cached install has bytecode for the plugin group: "
                        "as the RPM spec says (default), or not")
    parser.add_argument("--mode", action="append", choices=otopi_process.MODES,
                        help="process: only this bytecode mode (repeatable; default: both)")
    parser.add_argument("--variant", action="append", choices=otopi_process.VARIANTS,
                        help="process: only this variant besides the baseline (repeatable; "
                        "default: all), e.g. more rounds of just none against baseline")
    parser.add_argument("--json", metavar="FILE", help="also save the raw numbers as JSON")
    parser.add_argument("--only", metavar="SECTION", action="append", choices=SECTIONS,
                        help="run only this section (repeatable): " + ", ".join(SECTIONS))
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = replace(sizes, process_rounds=args.rounds)
    started_load = os.getloadavg()
    rows: List[Row] = []
    notes: List[str] = []
    failed: List[str] = []
    started = time.perf_counter()
    for name, benchmark in benchmarks(sizes, args).items():
        if args.only and name not in args.only:
            continue
        if args.quick and not args.only and name in NOT_QUICK:
            continue
        print("running {} ...".format(name), file=sys.stderr, flush=True)
        try:
            section_rows, section_notes = benchmark()
        except Exception as error:  # one broken benchmark must not hide the others
            failed.append(name)
            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            section_rows = [Row(name, "benchmark failed", None, "",
                                shown="failed: " + first_line)]
            section_notes = ["{} failed:\n{}".format(name, error)]
        rows += section_rows
        notes += section_notes
    about = machine(args.python)
    about["load"] = "{} at the start, {} at the end".format(
        " ".join("{:.2f}".format(load) for load in started_load), about["load"])
    print(table(rows))
    for note in notes:
        print("- " + note)
    print("\nMachine: {cpu}, {nproc} CPUs, {python} (measured processes: {child_python}), "
          "{platform}; otopi: {otopi}; load average {load}.".format(**about))
    print("{} run in {:.0f} s.".format("Quick" if args.quick else "Full",
                                       time.perf_counter() - started))
    if args.json:
        save_json(args.json, rows, notes, about)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
