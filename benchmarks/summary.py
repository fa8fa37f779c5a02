"""docs/benchmarks.md's compact tables of whole-process costs, from `run.py --json` files.

Wall time: each cell is what the variant adds over the baseline run of the same round, wall
time median [p10, p90] of the paired differences, CPU time median, peak RSS median.
Instructions (files with the instructions section): each cell is an exact count, and for
the parts of deploy their share of what deploy adds.

    python benchmarks/summary.py double.json real.json
"""

import argparse
import json
import sys
from typing import Any, Dict, List, Optional, Tuple

VARIANTS = (
    ("baseline", "run without the group (baseline)"),
    ("none", "action none"),
    ("absent", "action absent"),
    ("deploy", "deploy (nfs), fresh host"),
    ("rerun", "rerun: the same deploy again"),
)
TARGETS = {"none": "< 5 ms, < 1 MiB", "absent": "< 5 ms, < 1 MiB", "deploy": "< 20 ms",
           "rerun": "<= deploy"}


def _label(data: Dict[str, Any], mode: str) -> str:
    machine = data.get("machine", {})
    otopi = machine.get("otopi", "?")
    name = "double" if otopi == "double" else "real otopi"
    python = machine.get("child_python", "the same")
    python = machine.get("python", "") if python == "the same" else python.split(" /")[0]
    return "{}, {}, {}".format(name, python.replace("CPython ", "Python "), mode)


def _cells(data: Dict[str, Any]) -> Dict[Tuple[str, str], Dict[str, Dict[str, Any]]]:
    """(mode, variant) -> {"wall"|"rss"|"baseline": raw} from the process rows."""
    found: Dict[Tuple[str, str], Dict[str, Dict[str, Any]]] = {}
    for row in data.get("rows", []):
        raw = row.get("raw") or {}
        if "mode" not in raw:
            continue
        if raw.get("what") == "rerun-deploy":
            found.setdefault((raw["mode"], "rerun"), {})["vs_deploy"] = raw
            continue
        what = raw.get("what", "baseline")
        found.setdefault((raw["mode"], raw["variant"]), {})[what] = raw
    return found


def _cell(cell: Optional[Dict[str, Dict[str, Any]]], variant: str) -> str:
    if not cell:
        return "-"
    if variant == "baseline":
        raw = cell["baseline"]
        return "{:.0f} ms, CPU {:.0f} ms, {:.1f} MiB".format(
            raw["wall_ms"]["median"], raw.get("cpu_ms", {}).get("median", float("nan")),
            raw["rss_mib"]["median"])
    wall = cell["wall"]["added_ms"]
    cpu = cell["wall"].get("added_cpu_ms", {}).get("median")
    rss = cell["rss"]["added_mib"]
    text = "{:+.1f} ms [{:+.1f}, {:+.1f}]{}, {:+.1f} MiB".format(
        wall["median"], wall["p10"], wall["p90"],
        "" if cpu is None else ", CPU {:+.1f} ms".format(cpu), rss["median"])
    if "vs_deploy" in cell:
        text += "; {:+.1f} ms vs deploy".format(
            cell["vs_deploy"]["rerun_minus_deploy_ms"]["median"])
    return text


def table(files: List[Dict[str, Any]]) -> str:
    columns: List[Tuple[str, Dict[Tuple[str, str], Dict[str, Dict[str, Any]]], str]] = []
    for data in files:
        cells = _cells(data)
        for mode in ("cached", "uncached"):
            if any(key[0] == mode for key in cells):
                columns.append((_label(data, mode), cells, mode))
    lines = ["| whole otopi run | " + " | ".join(label for label, _, _ in columns) +
             " | target (cached) |",
             "| --- |" + " --- |" * (len(columns) + 1)]
    for variant, described in VARIANTS:
        lines.append("| {} | {} | {} |".format(described, " | ".join(
            _cell(cells.get((mode, variant)), variant) for _, cells, mode in columns),
            TARGETS.get(variant, "-")))
    return "\n".join(lines) + "\n"


def _instruction_rows(data: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [row for row in data.get("rows", [])
            if row.get("section", "").startswith("instructions") and row.get("value")
            is not None]


def _instruction_cell(row: Dict[str, Any]) -> str:
    raw = row.get("raw") or {}
    if "runs" in raw:
        return "{:,.1f} M".format(row["value"])
    share = raw.get("share_of_deploy")
    return "{:+.1f} M{}".format(row["value"], "" if share is None else " ({:.0f} %)".format(
        100.0 * share))


def instruction_table(files: List[Dict[str, Any]]) -> str:
    """Rows: the runs and the parts of deploy; a column per file that counted them."""
    columns = [(_label(data, "cached"), _instruction_rows(data)) for data in files]
    columns = [(label.replace(", cached", ""), rows) for label, rows in columns if rows]
    if not columns:
        return ""
    measures: List[str] = []
    for _, rows in columns:
        measures += [row["measure"] for row in rows if row["measure"] not in measures]
    lines = ["| instructions, whole otopi run (cached) | " + " | ".join(
        label for label, _ in columns) + " |", "| --- |" + " --- |" * len(columns)]
    for measure in measures:
        cells = []
        for _, rows in columns:
            found = [row for row in rows if row["measure"] == measure]
            cells.append(_instruction_cell(found[0]) if found else "-")
        lines.append("| {} | {} |".format(measure, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="+", help="files written by run.py --json")
    args = parser.parse_args(argv)
    files = []
    for path in args.json:
        with open(path) as stream:
            files.append(json.load(stream))
    if any(_cells(data) for data in files):
        sys.stdout.write(table(files))
    instructions = instruction_table(files)
    if instructions:
        sys.stdout.write("\n" + instructions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
