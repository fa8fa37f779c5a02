"""Run the benchmarks and print one markdown table: value, target, PASS/MISS per measure."""

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from benchlib import Row, library_on_path, save_json, table

LIBRARY_DIR = library_on_path()

import bench_cli  # noqa: E402
import bench_engine  # noqa: E402
import bench_plugin  # noqa: E402
import bench_validation  # noqa: E402

Result = Tuple[List[Row], List[str]]
SECTIONS = ("plugin", "rerun", "cli", "engine", "validation")


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark runs: the full run, or a smoke run with --quick."""

    plugin_runs: int
    watch_default: bool
    cli_runs: int
    engine_hosts: int
    engine_install: float
    engine_parallel: Tuple[int, ...]
    units: int


FULL = Sizes(plugin_runs=40, watch_default=True, cli_runs=10, engine_hosts=20,
             engine_install=2.0, engine_parallel=(1, 4, 8), units=10000)
QUICK = Sizes(plugin_runs=5, watch_default=False, cli_runs=3, engine_hosts=20,
              engine_install=2.0, engine_parallel=(8,), units=1000)


def benchmarks(sizes: Sizes) -> Dict[str, Callable[[], Result]]:
    return {
        "plugin": lambda: bench_plugin.plugin_cost(sizes.plugin_runs, sizes.watch_default),
        "rerun": bench_plugin.rerun_cost,
        "cli": lambda: bench_cli.preview_cost(LIBRARY_DIR, sizes.cli_runs),
        "engine": lambda: bench_engine.rollout(LIBRARY_DIR, sizes.engine_hosts,
                                               sizes.engine_install, sizes.engine_parallel),
        "validation": lambda: bench_validation.validate_and_render(sizes.units),
    }


def machine() -> Dict[str, str]:
    return {
        "cpu": _cpu_model(),
        "nproc": str(os.cpu_count()),
        "python": "{} {}".format(platform.python_implementation(), platform.python_version()),
        "platform": platform.platform(),
        "library": LIBRARY_DIR,
    }


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
                        help="smoke run: few repetitions, engine rollout at --parallel 8 only")
    parser.add_argument("--json", metavar="FILE", help="also save the raw numbers as JSON")
    parser.add_argument("--only", metavar="SECTION", action="append", choices=SECTIONS,
                        help="run only this section (repeatable): " + ", ".join(SECTIONS))
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rows: List[Row] = []
    notes: List[str] = []
    failed: List[str] = []
    started = time.perf_counter()
    for name, benchmark in benchmarks(sizes).items():
        if args.only and name not in args.only:
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
    about = machine()
    print(table(rows))
    for note in notes:
        print("- " + note)
    print("\nMachine: {cpu}, {nproc} CPUs, {python}, {platform}.".format(**about))
    print("{} run in {:.0f} s.".format("Quick" if args.quick else "Full",
                                       time.perf_counter() - started))
    if args.json:
        save_json(args.json, rows, notes, about)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
