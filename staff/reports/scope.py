"""Which enrollments a report or export of a unit counts: "as it was" or "mapped onto today's units".

"As it was" counts an enrollment under the unit the official belonged to when they enrolled
(``Enrollment.unit``). "Mapped" first folds units that no longer exist today into the unit that
inherited their records (``successor_map``), so a ward merged on 1 July 2025 counts under the new ward.
A report of a unit counts the enrollments whose (mapped or unmapped) unit lies in the unit's subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import Unit
from ..selectors import successor_map, unit_subtree


@dataclass(frozen=True)
class UnitScope:
    """The units whose enrollments count, and how to fold a stored unit id into the reported one."""

    unit: Unit | None
    mapped: bool
    mapping: dict[int, int] = field(default_factory=dict)
    # None: the whole city, no filter at all.
    unit_ids: frozenset[int] | None = None

    def report_unit(self, unit_id: int) -> int:
        return self.mapping.get(unit_id, unit_id) if self.mapped else unit_id

    def filter_enrollments(self, queryset, prefix: str = ""):
        if self.unit_ids is None:
            return queryset
        return queryset.filter(**{f"{prefix}unit_id__in": sorted(self.unit_ids)})


def unit_scope(unit: Unit | None, *, mapped: bool = False, on: dt.date | None = None,
               using: str = "default") -> UnitScope:
    """Two or three small queries over units and succession links, never over enrollments."""
    mapping = successor_map(on=on or timezone.localdate(), using=using) if mapped else {}
    if unit is None:
        return UnitScope(unit=None, mapped=mapped, mapping=mapping)
    subtree = set(unit_subtree(unit, using=using).values_list("pk", flat=True))
    if mapped:
        # Every unit whose records land in the subtree: the subtree's own units that still exist,
        # and the former units whose successor chain ends inside it.
        ids = {pk for pk in subtree if pk not in mapping} | {old for old, new in mapping.items() if new in subtree}
    else:
        ids = subtree
    return UnitScope(unit=unit, mapped=mapped, mapping=mapping, unit_ids=frozenset(ids))
