"""The pure part of the benchmark: percentiles, ratios, targets, growth and the table (text and markdown).

No Django, no processes: tests/bench/test_run.py checks all of it in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

COLUMNS = ("path", "ours", "floor", "ratio", "target", "met", "peak MB", "growth", "queries")


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` (0–1) percentile with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(ours: float | None, floor: float | None) -> float | None:
    if ours is None or floor is None or floor == 0:
        return None
    return ours / floor


def met_at_least(value: float | None, target: float) -> bool | None:
    return None if value is None else value >= target


def met_at_most(value: float | None, target: float) -> bool | None:
    return None if value is None else value <= target


def all_met(*checks: bool | None) -> bool | None:
    """False if any check failed, None if one could not be made and none failed, else True."""
    if any(check is False for check in checks):
        return False
    if any(check is None for check in checks):
        return None
    return True


def growth(tenth: float | None, city: float | None) -> float | None:
    """How many times more the city costs than the 1/10 city (a cost: time, or 1 / throughput)."""
    return ratio(city, tenth)


def queries_cell(tenth: int | None, city: int | None) -> tuple[str, bool | None]:
    """The query counts at both scales, and whether they are the same (flagged in the table when not)."""
    if tenth is None and city is None:
        return "–", None
    if tenth is None or city is None:
        return str(tenth if city is None else city), None
    if tenth == city:
        return str(city), True
    return f"{tenth}→{city} ≠", False


@dataclass
class Row:
    path: str
    ours: str = "–"
    floor: str = "–"
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    peak_mb: float | None = None
    growth: float | None = None
    queries: str = "–"
    note: str = ""

    def cells(self) -> list[str]:
        return [self.path, self.ours, self.floor, _number(self.ratio, "×"), self.target, _met(self.met),
                _number(self.peak_mb, "", digits=0), _number(self.growth, "×"), self.queries]

    def as_dict(self) -> dict:
        return asdict(self)


def _number(value: float | None, unit: str, *, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def _met(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: "?"}[value]


def ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f}"


def text_table(rows: Sequence[Row]) -> str:
    """A fixed-width table for the terminal, notes under it."""
    grid = [list(COLUMNS)] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in grid]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"- {row.path}: {row.note}" for row in rows if row.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def markdown_table(rows: Sequence[Row]) -> str:
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(escape(cell) for cell in row.cells()) + " |" for row in rows]
    notes = [f"- **{escape(row.path)}**: {escape(row.note)}" for row in rows if row.note]
    return "\n".join(lines + ([""] + notes if notes else []))
