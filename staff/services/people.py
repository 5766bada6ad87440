"""Writes about officials: creation, unit moves, the roster's bulk upsert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courses.text import fold
from staff.models import (
    Official,
    OfficialStatus,
    Unit,
    UnitAssignment,
)
from staff.models.people import phone_key


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


BATCH = 500


@dataclass
class OfficialChange:
    """An existing official with new field values already set on it, and the unit to move to (if any)."""

    official: Official
    fields: list[str] = field(default_factory=list)
    move_to: Unit | None = None


@transaction.atomic
def officials_bulk_upsert(*, new: Iterable[tuple[Official, Unit]], changed: Iterable[OfficialChange],
                          start: dt.date) -> tuple[int, int]:
    """Create ``new`` officials in their units and apply ``changed``; moves start on ``start``.

    Raises ValueError when a move would start on or before the official's current assignment (as
    official_assign_unit does): callers validate that first. Returns (created, updated).
    """
    now = timezone.now()
    created = _create(list(new), start=start, now=now)
    changes = list(changed)
    moves = [change for change in changes if change.move_to is not None
             and change.move_to.pk != change.official.unit_id]
    _reassign(moves, start=start)
    moved = {id(change) for change in moves}
    by_fields: dict[tuple[str, ...], list[Official]] = {}
    for change in changes:
        names = set(change.fields)
        if id(change) in moved:
            names.add("unit")
        if not names:
            continue
        if "full_name" in names:
            change.official.search_name = fold(change.official.full_name)
            names.add("search_name")
        if "phone" in names:
            change.official.phone_key = phone_key(change.official.phone)
            names.add("phone_key")
        change.official.updated_at = now  # bulk_update skips auto_now
        names.add("updated_at")
        by_fields.setdefault(tuple(sorted(names)), []).append(change.official)
    for update_fields, officials in by_fields.items():
        Official.objects.bulk_update(officials, list(update_fields), batch_size=BATCH)
    return created, sum(len(officials) for officials in by_fields.values())


def _create(rows: list[tuple[Official, Unit]], *, start: dt.date, now: dt.datetime) -> int:
    for official, unit in rows:
        official.search_name = fold(official.full_name)
        official.phone_key = phone_key(official.phone)
        # Uniqueness of the employee code was checked for the whole file in one query, and the rank's
        # foreign key is enforced by the database: checking either here would cost queries per official.
        official.full_clean(exclude=["unit", "user", "rank"], validate_unique=False, validate_constraints=False)
        official.unit = unit
        official.created_at = official.updated_at = now
    officials = [official for official, _unit in rows]
    Official.objects.bulk_create(officials, batch_size=BATCH)
    if officials and officials[0].pk is None:
        # Databases that cannot return ids from a bulk insert: read them back by the unique code.
        ids = dict(Official.objects.filter(employee_code__in=[o.employee_code for o in officials])
                   .values_list("employee_code", "pk"))
        for official in officials:
            official.pk = ids[official.employee_code]
    UnitAssignment.objects.bulk_create(
        [UnitAssignment(official=official, unit=unit, start=start) for official, unit in rows], batch_size=BATCH
    )
    return len(officials)


def _reassign(moves: list[OfficialChange], *, start: dt.date) -> None:
    if not moves:
        return
    ids = [change.official.pk for change in moves]
    open_assignments: dict[int, UnitAssignment] = {}
    for chunk in range(0, len(ids), BATCH):
        for assignment in UnitAssignment.objects.filter(official_id__in=ids[chunk:chunk + BATCH], end__isnull=True):
            open_assignments[assignment.official_id] = assignment
    closing = []
    for assignment in open_assignments.values():
        if start <= assignment.start:
            raise ValueError("A new assignment must start after the current one.")
        assignment.end = start - dt.timedelta(days=1)
        closing.append(assignment)
    # Close first: the database allows only one open assignment per official.
    UnitAssignment.objects.bulk_update(closing, ["end"], batch_size=BATCH)
    UnitAssignment.objects.bulk_create(
        [UnitAssignment(official=change.official, unit=change.move_to, start=start) for change in moves],
        batch_size=BATCH,
    )
    for change in moves:
        change.official.unit = change.move_to


@transaction.atomic
def official_update_contact(*, official: Official, email: str, phone: str, language: str) -> Official:
    """The official's own edit of their contact details; the account's e-mail follows (password reset
    mails go there)."""
    official.email, official.phone, official.preferred_language = email, phone, language
    official.save(update_fields=["email", "phone", "preferred_language", "updated_at"])
    if official.user_id is not None:
        User.objects.filter(pk=official.user_id).update(email=email)
    return official
