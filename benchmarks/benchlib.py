"""What every benchmark shares: the source tree on sys.path, measured rows, the table."""

import json
import math
import os
import statistics
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.join(os.path.dirname(BENCH_DIR), "tests")
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from paths import DOUBLE, EXAMPLES, PLUGINS, ROOT, SRC, TESTS  # noqa: E402

__all__ = ["DOUBLE", "EXAMPLES", "PLUGINS", "ROOT", "SRC", "TESTS"]


def library_on_path() -> str:
    """Make ovirt_he_deploy and the otopi double importable; say where the library is from."""
    if DOUBLE not in sys.path:
        sys.path.insert(0, DOUBLE)
    try:
        import ovirt_he_deploy
    except ImportError:
        sys.path.insert(0, SRC)
        import ovirt_he_deploy
    return os.path.dirname(os.path.abspath(ovirt_he_deploy.__file__))


@dataclass
class Row:
    """One measured value, what it should be and whether it is."""

    section: str
    measure: str
    value: Optional[float]
    unit: str
    target: Optional[float] = None
    comparison: str = "<"
    shown: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict)
    # 95 % confidence interval of a median: with one, the verdict is PASS or FAIL only when
    # the whole interval is on one side of the target, UNSURE when the noise straddles it.
    ci: Optional[Tuple[float, float]] = None

    def _meets(self, value: float) -> bool:
        assert self.target is not None
        return {"<": value < self.target, "<=": value <= self.target,
                "=": value == self.target}[self.comparison]

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        if self.target is None:
            return "info"
        if self.ci is not None:
            low, high = self.ci
            if self._meets(high):
                return "PASS"
            if not self._meets(low):
                return "FAIL"
            return "UNSURE"
        return "PASS" if self._meets(self.value) else "FAIL"

    def value_text(self) -> str:
        if self.shown is not None:
            return self.shown
        if self.value is None:
            return "not available"
        return "{} {}".format(number(self.value), self.unit).strip()

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return "{} {} {}".format(self.comparison, number(self.target), self.unit).strip()


def number(value: float) -> str:
    if value == int(value) or abs(value) >= 100:
        return "{:,.0f}".format(value)
    if abs(value) >= 10:
        return "{:.1f}".format(value)
    return "{:.2f}".format(value)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def median_ci(values: Sequence[float]) -> Tuple[float, float]:
    """Distribution-free 95 % confidence interval of the median (order statistics: ranks
    n/2 -/+ 1.96 sqrt(n)/2), as wide as the sample when there are too few values."""
    ordered = sorted(values)
    count = len(ordered)
    half_width = 1.96 * math.sqrt(count) / 2.0
    low = max(0, int(math.floor(count / 2.0 - half_width)) - 1)
    high = min(count - 1, int(math.ceil(count / 2.0 + half_width)) - 1)
    return ordered[low], ordered[high]


def spread(values: Sequence[float]) -> Dict[str, float]:
    """Raw-number summary kept in the JSON output."""
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p90": ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))],
    }


def table(rows: List[Row]) -> str:
    """The markdown table: one line per measured value."""
    lines = ["| Section | Measure | Value | Target | Result |",
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        lines.append("| {} | {} | {} | {} | {} |".format(
            row.section, row.measure, row.value_text(), row.target_text(), row.verdict))
    return "\n".join(lines) + "\n"


def save_json(path: str, rows: List[Row], notes: List[str], machine: Dict[str, str]) -> None:
    data = {"machine": machine, "notes": notes, "rows": [asdict(row) for row in rows]}
    with open(path, "w") as stream:
        json.dump(data, stream, indent=2, sort_keys=True)
        stream.write("\n")
