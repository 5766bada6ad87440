"""Writes about units and officials. Views, forms, commands and tasks call these; nothing else writes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ..models import Official, OfficialStatus, Unit, UnitAssignment, UnitSuccession


@transaction.atomic
def official_assign_unit(*, official: Official, unit: Unit, start: dt.date) -> UnitAssignment:
    """Move an official to ``unit`` from ``start``: close the open assignment, open a new one.

    The official's ``unit`` column mirrors the open assignment and is written only here.
    """
    open_assignment = (
        UnitAssignment.objects.select_for_update().filter(official=official, end__isnull=True).first()
    )
    if open_assignment is not None:
        if open_assignment.unit_id == unit.pk:
            return open_assignment
        if start <= open_assignment.start:
            raise ValueError("A new assignment must start after the current one.")
        open_assignment.end = start - dt.timedelta(days=1)
        open_assignment.save(update_fields=["end"])
    assignment = UnitAssignment.objects.create(official=official, unit=unit, start=start)
    official.unit = unit
    official.save(update_fields=["unit", "updated_at"])
    return assignment


@transaction.atomic
def official_create(*, unit: Unit, assigned_from: dt.date, **fields) -> Official:
    official = Official(status=fields.pop("status", OfficialStatus.ACTIVE), **fields)
    official.full_clean(exclude=["unit", "user"])
    official.save()
    official_assign_unit(official=official, unit=unit, start=assigned_from)
    return official


def unit_succession_record(
    *, predecessor: Unit, successor: Unit, effective_date: dt.date, legal_basis: str, kind: str = "merged",
    share: int = 100,
) -> UnitSuccession:
    """Record (idempotently) that ``predecessor`` went into ``successor``, and close the predecessor."""
    link, _created = UnitSuccession.objects.update_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"effective_date": effective_date, "legal_basis": legal_basis, "kind": kind, "share": share},
    )
    last_day = effective_date - dt.timedelta(days=1)
    if predecessor.valid_to is None or predecessor.valid_to > last_day:
        predecessor.valid_to = last_day
        predecessor.save(update_fields=["valid_to"])
    return link
