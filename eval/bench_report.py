"""The benchmark's report: targets, rows, the markdown table, the `targets met` line, and the number
formats (every ratio as median [min-max] over its repeats)."""
from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .metrics import percentile  # noqa: F401  (the one percentile: linear interpolation)

REPEATS = 5  # rounds (or blocks) behind every ratio: median [min-max]


# ---- targets and the table ---------------------------------------------------------------------
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_SHOW = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    op: str  # one of < <= > >=
    value: float
    unit: str = ""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown target operator {self.op!r}")

    def check(self, x: float) -> bool:
        return _OPS[self.op](x, self.value)

    def __str__(self) -> str:
        v = f"{self.value:g}"
        return f"{_SHOW[self.op]} {v}{self.unit}"


@dataclass
class Row:
    section: str
    metric: str
    khabar: str  # what is shown
    baseline: str = ""
    value: float | None = None  # what the target tests (None with a target = not measured = not met)
    target: Target | None = None
    also: bool = True  # a second condition of the target (e.g. accuracy at least as good)
    also_text: str = ""  # how the second condition is written in the target column

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return False
        return self.target.check(self.value) and self.also

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "—"
        return str(self.target) + (f" and {self.also_text}" if self.also_text else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def format_table(rows: Sequence[Row]) -> str:
    """A markdown table: section | metric | khabar | baseline | target | met."""
    head = ["section", "metric", "khabar", "baseline", "target", "met"]
    body = [[r.section, r.metric, r.khabar, r.baseline or "—", r.target_text,
             {True: "met", False: "NOT met", None: "—"}[r.met]] for r in rows]
    widths = [max(len(_cell(x)) for x in col) for col in zip(head, *body)]
    lines = ["| " + " | ".join(_cell(h).ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(_cell(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in body]
    return "\n".join(lines)


def target_rows(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if r.target is not None]


def targets_line(rows: Iterable[Row]) -> str:
    rows = target_rows(rows)
    return f"targets met: {sum(1 for r in rows if r.met)}/{len(rows)}"


# ---- small number helpers ----------------------------------------------------------------------
def fmt_ms(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms:,.0f} ms"


def fmt_s(s: float | None) -> str:
    return "n/a" if s is None else f"{s:,.1f} s"


def fmt_x(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.2f}×"


def fmt_mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b / 2**20:,.0f} MB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def spread(values: Iterable[float | None]) -> tuple[float, float, float] | None:
    """(median, min, max) of the values that are not None; None when there are none."""
    vals = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def fmt_spread(values: Iterable[float | None], unit: str = "×", digits: int = 2) -> str:
    """'1.52× [1.38–1.95×]': the median, then the range, over repeats."""
    sp = spread(values)
    if sp is None:
        return "n/a"
    med, lo, hi = sp
    return f"{med:.{digits}f}{unit} [{lo:.{digits}f}–{hi:.{digits}f}{unit}]"


def median_of(values: Iterable[float | None]) -> float | None:
    sp = spread(values)
    return None if sp is None else sp[0]


def load_text() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"
    except OSError:
        return "load average n/a"

