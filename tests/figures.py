"""Figures the fault tests measure (how long a busy answer took, when a dead worker's task was taken up),
printed together at the end of the run, so that CI's log shows them without -s.

Figures, not assertions: speeds are measured in the benchmarks, never asserted in tests.
"""

from __future__ import annotations

import os

_recorded: list[str] = []


def figure(text: str) -> None:
    """Keep one line for the run's summary (its test's id in front)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    _recorded.append(f"{test}: {text.strip()}" if test else text.strip())


def recorded() -> list[str]:
    return list(_recorded)
