"""The rehearsal's table: one row per step, its result and its figures (no Django, no processes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Step:
    """A step's outcome. ``ok`` is None while it has not run; ``problems`` say what was wrong."""

    key: str
    title: str
    ok: bool | None = None
    figures: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float | None = None

    def fail(self, problem: str) -> None:
        self.problems.append(problem)

    def finish(self) -> None:
        self.ok = not self.problems

    @property
    def result(self) -> str:
        return {True: "ok", False: "FAILED", None: "not run"}[self.ok]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def figures_text(step: Step) -> str:
    text = "; ".join(f"{name} {_cell(value)}" for name, value in step.figures.items())
    if step.problems:
        text += ("; " if text else "") + "PROBLEMS: " + " / ".join(step.problems)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(steps: Sequence[Step], *, heading: str, notes: Sequence[str] = ()) -> str:
    lines = [f"## {heading}", "", *notes, *([""] if notes else []),
             "| step | what | result | seconds | figures |", "| --- | --- | --- | ---: | --- |"]
    for step in steps:
        seconds = "" if step.seconds is None else f"{step.seconds:.1f}"
        lines.append(f"| {step.key} | {step.title} | {step.result} | {seconds} | {figures_text(step)} |")
    return "\n".join(lines) + "\n"
