"""The report's "exchanges and replication" part: exchange sessions held in the year with their participants
from the scope, and adoptions of best practices recorded in the year by status.

Definitions, as for the rest of the report: participants are completed enrollments in the year (counted in
``scoped_enrollments``); an exchange is a session of an ExchangePage with at least one such participant;
an adoption "recorded in the year" is a status change (AdoptionEvent) dated in the year, counted under its
status, for a unit of the scope (a unit merged in 2025 counts under its successor when mapped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from ..models import AdoptionEvent, AdoptionStatus
from .scope import UnitScope


@dataclass
class ExchangeSection:
    sessions: list[dict] = field(default_factory=list)
    adoptions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AdoptionStatus.values, 0))

    @property
    def participants(self) -> int:
        return sum(row["participants"] for row in self.sessions)

    @property
    def adoptions_total(self) -> int:
        return sum(self.adoptions.values())


def build_exchange_section(scope: UnitScope, base, *, year: int, using: str = "default") -> ExchangeSection:
    """Two GROUP BY queries: ``base`` is the report's completed enrollments of the year in the scope."""
    sessions = list(
        base.filter(session__course__exchangepage__isnull=False)
        .values("session_id", "session__code", "session__course__title",
                "session__course__exchangepage__host_unit__name", "session__start_date", "session__end_date")
        .annotate(participants=Count("pk")).order_by("session__start_date", "session_id")
    )
    events = AdoptionEvent.objects.using(using).filter(on__year=year)
    if scope.unit_ids is not None:
        events = events.filter(adoption__unit_id__in=sorted(scope.unit_ids))
    section = ExchangeSection(sessions=sessions)
    for row in events.values("status").annotate(n=Count("adoption", distinct=True)).order_by():
        section.adoptions[row["status"]] = row["n"]
    return section
