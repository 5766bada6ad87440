"""Reads about units: subtrees, validity, the lineage mapped onto a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from staff.models import Unit, UnitSuccession


def unit_subtree(unit: Unit, *, using: str = "default") -> QuerySet[Unit]:
    """This unit and everything under it, in one query (a prefix match on the materialised path)."""
    return Unit.objects.using(using).filter(path__startswith=unit.path)


def units_valid_on(day: dt.date, *, using: str = "default") -> QuerySet[Unit]:
    return Unit.objects.using(using).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def successor_map(*, on: dt.date, using: str = "default") -> dict[int, int]:
    """Map every unit that no longer exists on ``on`` to the unit of that day that inherits its records.

    Follows succession links transitively (a ward merged in 2019 and again in 2025 ends at today's
    ward). Where a unit was split, its records go to the successor that took the largest share.
    Units with no successor, or that still exist, map to themselves (and are left out of the dict).
    Two queries, whatever the number of units.
    """
    valid_ids = set(units_valid_on(on, using=using).values_list("pk", flat=True))
    best: dict[int, tuple[int, int]] = {}
    links = UnitSuccession.objects.using(using).filter(effective_date__lte=on).values_list(
        "predecessor_id", "successor_id", "share"
    )
    for predecessor_id, successor_id, share in links:
        if predecessor_id not in best or share > best[predecessor_id][1]:
            best[predecessor_id] = (successor_id, share)

    mapping: dict[int, int] = {}
    for start in best:
        current, seen = start, {start}
        while current not in valid_ids and current in best:
            current = best[current][0]
            if current in seen:  # a cycle in the data: stop rather than loop forever
                break
            seen.add(current)
        if current != start:
            mapping[start] = current
    return mapping


def map_unit(unit_id: int, mapping: dict[int, int]) -> int:
    return mapping.get(unit_id, unit_id)
