"""Cost of the group in whole otopi processes: baseline, none, absent, deploy, rerun;
cached and uncached bytecode; wall time and peak RSS; and the modules each run imports."""

import os
import re
import statistics
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import otopi_process as op
import procrun
from benchlib import Row, median_ci

MiB = 1024.0
TARGET_NONE_MS = 5.0
TARGET_NONE_MIB = 1.0
TARGET_DEPLOY_MS = 20.0
MODE_DESCRIBED = {
    op.CACHED: "bytecode cached (an installed host)",
    op.UNCACHED: "no bytecode for otopi and ovirt-he-deploy (a source tree)",
}

Samples = Dict[Tuple[str, str], List[procrun.Measured]]


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of the sorted values (fraction 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(values: Sequence[float]) -> Dict[str, float]:
    return {"n": len(values), "median": float(statistics.median(values)),
            "p10": percentile(values, 0.1), "p90": percentile(values, 0.9),
            "min": min(values), "max": max(values)}


def _spread(values: Sequence[float], unit: str, signed: bool = False,
            with_ci: bool = False) -> str:
    sign = "+" if signed else ""
    form = "{:" + sign + ".1f}"
    text = (form + " {} (p10 " + form + ", p90 " + form).format(
        statistics.median(values), unit, percentile(values, 0.1), percentile(values, 0.9))
    if with_ci:
        text += ("; 95% CI of the median " + form + " to " + form).format(*median_ci(values))
    return text + ")"


class Rounds:
    """Interleaved rounds: every (mode, variant) once per round, order rotated each round."""

    def __init__(self, parent: str, installs: Dict[str, op.Install], python: str,
                 variants: Sequence[str] = op.VARIANTS):
        self.parent = parent
        self.installs = installs
        self.python = python
        self.variants = [op.BASELINE] + [v for v in variants if v != op.BASELINE]
        self.deployed: Dict[str, List[op.Host]] = {mode: [] for mode in installs}
        self.samples: Samples = {(mode, variant): [] for mode in installs
                                 for variant in self.variants}
        self.rounds = 0

    def pairs(self, round_number: int) -> List[Tuple[str, str]]:
        pairs = [(mode, variant) for mode in self.installs for variant in self.variants]
        shift = round_number % len(pairs)
        return pairs[shift:] + pairs[:shift]

    def one_run(self, mode: str, variant: str) -> procrun.Measured:
        install = self.installs[mode]
        if variant == op.RERUN:
            queue = self.deployed[mode]
            host = queue.pop(0) if queue else op.deploy_host(self.parent, install, self.python)
        else:
            host = op.Host(self.parent)
        result = op.run(host, install, self.python, variant)
        op.check(host, variant, result)
        if variant == op.DEPLOY:
            self.deployed[mode].append(host)
        else:
            host.remove()
        return result

    def run(self, warmup: int, rounds: int) -> None:
        for round_number in range(warmup + rounds):
            print("  round {}/{}{}".format(round_number + 1, warmup + rounds,
                                           " (warm-up)" if round_number < warmup else ""),
                  file=sys.stderr, flush=True)
            for mode, variant in self.pairs(round_number):
                result = self.one_run(mode, variant)
                if round_number >= warmup:
                    self.samples[(mode, variant)].append(result)
        self.rounds = rounds

    def walls(self, mode: str, variant: str) -> List[float]:
        return [m.wall_ms for m in self.samples[(mode, variant)]]

    def cpu(self, mode: str, variant: str) -> List[float]:
        return [m.cpu_ms for m in self.samples[(mode, variant)]]

    def rss(self, mode: str, variant: str) -> List[float]:
        return [m.rss_kib / MiB for m in self.samples[(mode, variant)]]

    def paired(self, mode: str, variant: str, against: str = op.BASELINE,
               rss: bool = False, cpu: bool = False) -> List[float]:
        get = self.rss if rss else self.cpu if cpu else self.walls
        return [a - b for a, b in zip(get(mode, variant), get(mode, against))]


def _section(otopi: op.Otopi, mode: str) -> str:
    return "{}, {}".format("real otopi" if otopi.is_real else "otopi double", mode)


def _rows(data: Rounds, otopi: op.Otopi, mode: str) -> List[Row]:
    section = _section(otopi, mode)
    cached = mode == op.CACHED
    wall_targets = {op.NONE: TARGET_NONE_MS, op.ABSENT: TARGET_NONE_MS,
                    op.DEPLOY: TARGET_DEPLOY_MS}
    rss_targets = {op.NONE: TARGET_NONE_MIB, op.ABSENT: TARGET_NONE_MIB}
    base_wall, base_rss = data.walls(mode, op.BASELINE), data.rss(mode, op.BASELINE)
    base_cpu = data.cpu(mode, op.BASELINE)
    rows = [Row(section, "{}: wall / peak RSS, median of {}".format(
        op.DESCRIBED[op.BASELINE], data.rounds), float(statistics.median(base_wall)), "ms",
        shown="{} / {}; CPU {:.1f} ms".format(_spread(base_wall, "ms"),
                                             _spread(base_rss, "MiB"),
                                             statistics.median(base_cpu)),
        raw={"mode": mode, "variant": op.BASELINE, "wall_ms": summary(base_wall),
             "rss_mib": summary(base_rss), "cpu_ms": summary(base_cpu)})]
    for variant in data.variants[1:]:
        walls, rss = data.walls(mode, variant), data.rss(mode, variant)
        added = data.paired(mode, variant)
        added_rss = data.paired(mode, variant, rss=True)
        added_cpu = data.paired(mode, variant, cpu=True)
        rows.append(Row(
            section, "{}: adds over baseline, wall (median of paired differences)".format(
                op.DESCRIBED[variant]), float(statistics.median(added)), "ms",
            target=wall_targets.get(variant) if cached else None,
            shown="{}; run {:.1f} ms; CPU adds {:+.1f} ms".format(
                _spread(added, "ms", True, with_ci=True), statistics.median(walls),
                statistics.median(added_cpu)),
            ci=median_ci(added),
            raw={"mode": mode, "variant": variant, "what": "wall",
                 "added_ms": summary(added), "wall_ms": summary(walls),
                 "added_cpu_ms": summary(added_cpu)}))
        rows.append(Row(
            section, "{}: adds over baseline, peak RSS".format(op.DESCRIBED[variant]),
            float(statistics.median(added_rss)), "MiB",
            target=rss_targets.get(variant) if cached else None,
            shown="{}; run {:.1f} MiB".format(_spread(added_rss, "MiB", True, with_ci=True),
                                              statistics.median(rss)),
            ci=median_ci(added_rss),
            raw={"mode": mode, "variant": variant, "what": "rss",
                 "added_mib": summary(added_rss), "rss_mib": summary(rss)}))
    if not {op.RERUN, op.DEPLOY} <= set(data.variants):
        return rows
    rerun_vs_deploy = data.paired(mode, op.RERUN, against=op.DEPLOY)
    rows.append(Row(
        section, "rerun minus deploy, wall (median of paired differences)",
        float(statistics.median(rerun_vs_deploy)), "ms", target=0.0 if cached else None,
        comparison="<=", shown=_spread(rerun_vs_deploy, "ms", True, with_ci=True),
        ci=median_ci(rerun_vs_deploy),
        raw={"mode": mode, "what": "rerun-deploy",
             "rerun_minus_deploy_ms": summary(rerun_vs_deploy)}))
    return rows


def group_bytecode(choice: Optional[bool]) -> Tuple[bool, str]:
    """Whether the cached install gets bytecode for the plugin group, and why."""
    if choice is None:
        return op.group_bytecode_in_spec()
    return choice, "--group-bytecode {} (not what the spec does)".format(
        "yes" if choice else "no")


def process_cost(rounds: int, warmup: int, python: Optional[str] = None,
                 modes: Sequence[str] = op.MODES,
                 group_compiled: Optional[bool] = None,
                 variants: Sequence[str] = op.VARIANTS) -> Tuple[List[Row], List[str]]:
    otopi = op.chosen_otopi()
    python = python or sys.executable
    compile_group, why = group_bytecode(group_compiled)
    with tempfile.TemporaryDirectory(prefix="he-bench-process-") as parent:
        installs = {mode: op.make_install(parent, mode, otopi, python, compile_group)
                    for mode in modes}
        compiled = {mode: op.compiled_files(install) for mode, install in installs.items()}
        data = Rounds(parent, installs, python, variants)
        data.run(warmup, rounds)
        probe_host = op.Host(parent)
        watch = op.service_statements(op.statements(probe_host.host, installs[modes[0]],
                                                    op.DEPLOY))
        probe_host.remove()
    rows: List[Row] = []
    for mode in modes:
        rows += _rows(data, otopi, mode)
    notes = [
        "Whole process ({}): `{} -B -m otopi` with the fake host's statements from "
        "tests/he_host.py (fake packager and services: he-test-fakes in every variant, the "
        "baseline included), service watch statement(s): {}. {} interleaved rounds after {} "
        "warm-up round(s); each round runs every variant in every mode once, the order "
        "rotated each round; each run on a fresh fake host (the rerun on a host a deploy run "
        "left). Differences are paired within a round. Peak RSS: {}. CPU: user + system "
        "time of the process (os.wait4), less sensitive to other load than wall "
        "time.".format(
            otopi.name, python, ", ".join(watch) or "none", rounds, warmup,
            procrun.wrapper_described()),
        "Bytecode: cached = {}, the plugin group {} ({}); uncached = {}. Compiled files "
        "(.pyc) per mode: {}. The interpreter's own library and site-packages (jinja2, "
        "MarkupSafe, distro) keep their installed bytecode in both modes; `python -B` "
        "reads bytecode, it only never writes it.".format(
            MODE_DESCRIBED[op.CACHED], "compiled" if compile_group else "not compiled", why,
            MODE_DESCRIBED[op.UNCACHED], "; ".join(
                "{}: {}".format(mode, ", ".join(
                    "{} {}".format(part, count) for part, count in counts.items()))
                for mode, counts in compiled.items())),
    ]
    return rows, notes


# -- what a run imports ---------------------------------------------------------------

IMPORT_TIME_RE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def import_times(text: str) -> Dict[str, int]:
    """Self time (us) of each module from `python -X importtime` output (first seen)."""
    found: Dict[str, int] = {}
    for line in text.splitlines():
        match = IMPORT_TIME_RE.search(line)
        if match and match.group(4) not in found:
            found[match.group(4)] = int(match.group(1))
    return found


def _modules(parent: str, install: op.Install, python: str, variant: str,
             importtime: bool) -> Tuple[List[str], Dict[str, int]]:
    """Modules loaded at the end of one run (the probe group) and their import self times."""
    host = op.deploy_host(parent, install, python) if variant == op.RERUN \
        else op.Host(parent)
    modules_file = os.path.join(host.root, "modules.txt")
    flags = ("-X", "importtime") if importtime else ()
    result = op.run(host, install, python, variant, *flags, modules_file=modules_file)
    op.check(host, variant, result)
    with open(modules_file) as stream:
        modules = stream.read().split()
    # The real otopi sends fd 2 into its log once the log is open: read both.
    times = import_times(result.stderr + "\n" + op.log_text(host)) if importtime else {}
    host.remove()
    return modules, times


def _supports_importtime(python: str) -> bool:
    return subprocess.call([python, "-c", "import sys; sys.exit(sys.version_info < (3, 7))"],
                           env=procrun.clean_env()) == 0


def imports(repeats: int, python: Optional[str] = None,
            group_compiled: Optional[bool] = None) -> Tuple[List[Row], List[str]]:
    """Modules each variant loads beyond the baseline, and what importing them costs."""
    otopi = op.chosen_otopi()
    python = python or sys.executable
    compile_group, _why = group_bytecode(group_compiled)
    importtime = _supports_importtime(python)
    section = "imports ({}, cached)".format("real otopi" if otopi.is_real else "otopi double")
    rows: List[Row] = []
    notes: List[str] = []
    with tempfile.TemporaryDirectory(prefix="he-bench-imports-") as parent:
        install = op.make_install(parent, op.CACHED, otopi, python, compile_group)
        seen: Dict[str, List[str]] = {}
        costs: Dict[str, Dict[str, List[int]]] = {}
        for variant in (op.BASELINE, op.NONE, op.ABSENT, op.DEPLOY, op.RERUN):
            for _ in range(max(1, repeats)):
                modules, times = _modules(parent, install, python, variant, importtime)
                seen[variant] = modules
                for name, micros in times.items():
                    costs.setdefault(variant, {}).setdefault(name, []).append(micros)
    base = set(seen[op.BASELINE])
    for variant in (op.NONE, op.ABSENT, op.DEPLOY, op.RERUN):
        new = sorted(name for name in set(seen[variant]) - base
                     if not name.startswith("otopi.plugins." + op.PROBES_GROUP.replace(
                         "-", "_")))
        per_module = {name: float(statistics.median(costs[variant][name])) / 1000.0
                      for name in new if name in costs.get(variant, {})}
        total = sum(per_module.values())
        ours = [name for name in new if name.startswith("ovirt_he_deploy")]
        rows.append(Row(
            section, "{}: modules loaded beyond the baseline (ovirt_he_deploy.* of them); "
            "their import self time summed".format(op.DESCRIBED[variant]), total, "ms",
            shown="{} ({}); {}".format(len(new), len(ours), "{:.1f} ms".format(total)
                                       if importtime else "no -X importtime before 3.7"),
            raw={"variant": variant, "what": "imports", "modules": new,
                 "self_ms": per_module}))
        costly = sorted(per_module.items(), key=lambda item: -item[1])
        notes.append("{} ({}) loads beyond the baseline: {}.{}".format(
            op.DESCRIBED[variant], otopi.name, " ".join(new) or "nothing",
            " Import self time, largest first: " + ", ".join(
                "{} {:.2f} ms".format(name, ms) for name, ms in costly if ms >= 0.05)
            if costly else ""))
    notes.append("Imports: the probe group tests/probes/he-test-probes writes sorted("
                 "sys.modules) at the end of each run; times are `{} -X importtime` self "
                 "times, median of {} run(s) per variant, cached install. -X importtime "
                 "adds its own overhead; read them as shares, not as the run's cost.".format(
                     python, max(1, repeats)))
    return rows, notes
