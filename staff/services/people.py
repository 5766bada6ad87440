"""Writes about officials: creation, unit moves, the roster's bulk upsert.

The bulk writes are built for a city-scale roster import (140,000 rows in one transaction): one INSERT per
thousand officials, and on PostgreSQL one ``UPDATE … FROM unnest(…)`` per thousand changed rows
(``bulk_save_fields``), because Django's ``bulk_update`` (a ``CASE WHEN id = … THEN …`` per field, built
as Python expressions per object) took most of such an import. Each column goes as one array parameter:
a statement with a placeholder per value costs more to build and to parse than the update itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import DateField, Field, ForeignKey, Model
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
BULK_BATCH = 1000  # rows per bulk INSERT or UPDATE: a few statements per thousand officials, under parameter limits


@dataclass
class OfficialChange:
    """An existing official with new field values already set on it, and the unit to move to (if any)."""

    official: Official
    fields: list[str] = field(default_factory=list)
    move_to: Unit | None = None


@transaction.atomic
def officials_bulk_upsert(*, new: Iterable[tuple[Official, Unit]], changed: Iterable[OfficialChange],
                          start: dt.date, validated: bool = False) -> tuple[int, int]:
    """Create ``new`` officials in their units and apply ``changed``; moves start on ``start``.

    ``validated``: the caller has already run the model's field checks on every new official (the roster
    import does, to report them on the file's rows), so they are not run a second time here.
    Raises ValueError when a move would start on or before the official's current assignment (as
    official_assign_unit does): callers validate that first. Returns (created, updated).
    """
    now = timezone.now()
    created = _create(list(new), start=start, now=now, validated=validated)
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
        bulk_save_fields(officials, update_fields)
    return created, sum(len(officials) for officials in by_fields.values())


def _create(rows: list[tuple[Official, Unit]], *, start: dt.date, now: dt.datetime, validated: bool) -> int:
    for official, unit in rows:
        official.search_name = fold(official.full_name)
        official.phone_key = phone_key(official.phone)
        if official.personal_id == "":
            official.personal_id = None  # as save() does: "" would collide on uniqueness
        if not validated:
            # Uniqueness of the employee code was checked for the whole file in one query, and the rank's
            # foreign key is enforced by the database: checking either here would cost queries per official.
            official.full_clean(exclude=["unit", "user", "rank"], validate_unique=False, validate_constraints=False)
        official.unit = unit
        official.created_at = official.updated_at = now
    officials = [official for official, _unit in rows]
    bulk_insert(officials)
    if officials and officials[0].pk is None:
        # Databases that cannot return ids from a bulk insert: read them back by the unique code.
        ids = dict(Official.objects.filter(employee_code__in=[o.employee_code for o in officials])
                   .values_list("employee_code", "pk"))
        for official in officials:
            official.pk = ids[official.employee_code]
    # By ids, not objects: the relation descriptors cost more than the INSERT at a city's scale.
    bulk_insert([UnitAssignment(official_id=official.pk, unit_id=unit.pk, start=start) for official, unit in rows])
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
    bulk_save_fields(closing, ["end"])
    bulk_insert([UnitAssignment(official=change.official, unit=change.move_to, start=start) for change in moves])
    for change in moves:
        change.official.unit = change.move_to


# Column types that COPY writes from the model's attribute as it is (what get_db_prep_save would return).
_COPY_TYPES = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
               "DateTimeField", "EmailField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveIntegerField",
               "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField", "URLField"}


# The Python type that a column of each type takes as it is: get_db_prep_save would return the value itself
# (on PostgreSQL) after a few calls per value. Any other value (None aside: a lazy string, a number in a text
# column, a datetime in a date column) still goes through get_db_prep_save.
_AS_IS: dict[str, type] = {
    "CharField": str, "EmailField": str, "SlugField": str, "TextField": str, "URLField": str,
    "BooleanField": bool, "DateField": dt.date, "AutoField": int, "BigAutoField": int, "BigIntegerField": int,
    "IntegerField": int, "PositiveIntegerField": int, "PositiveSmallIntegerField": int, "SmallIntegerField": int,
}


def _db_value(field: Field, *, adding: bool | None) -> Callable[[Model], Any]:
    """A function obj -> ``field``'s value as the database takes it: ``get_db_prep_save`` of
    ``pre_save(obj, add=adding)`` (an insert, as bulk_create), or with ``adding`` None of the attribute as it
    is (an update, as bulk_update); the same value in fewer calls where the type allows."""
    attname = field.attname
    # pre_save reads the attribute, except for the fields that stamp themselves (auto_now and the like).
    stamps = type(field).pre_save is not Field.pre_save and not (
        isinstance(field, DateField) and not field.auto_now and not field.auto_now_add)
    if adding is not None and stamps:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=adding), connection)
    exact = _AS_IS.get((field.target_field if isinstance(field, ForeignKey) else field).get_internal_type())
    if exact is None:
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)

    def value(obj: Model) -> Any:
        raw = getattr(obj, attname)
        return raw if raw is None or raw.__class__ is exact else field.get_db_prep_save(raw, connection)

    return value


def bulk_insert(objects: Sequence[Model]) -> None:
    """Insert ``objects`` (all of one model, none saved yet) and set their primary keys, as bulk_create
    does (no save(), no signals; auto_now fields stamped): on PostgreSQL the ids are drawn from the table's
    sequence in one query and the rows written with one COPY, which costs a fraction of an INSERT's SQL
    built per value; elsewhere, or for a model with other column types, bulk_create."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    pk = meta.pk
    fields = list(meta.concrete_fields)
    if (connection.vendor != "postgresql" or pk is None or pk.get_internal_type() not in ("AutoField", "BigAutoField")
            or any(field.get_internal_type() not in _COPY_TYPES or field.generated or field.has_db_default()
                   for field in fields)):
        model._default_manager.bulk_create(objects, batch_size=BULK_BATCH)
        return
    quote = connection.ops.quote_name
    values = [(None if field is pk else _db_value(field, adding=True)) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, pk.column, len(objects)])
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(str(field.column)) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, new_id in zip(objects, ids, strict=True):
                setattr(obj, pk.attname, new_id)
                copy.write_row([new_id if value is None else value(obj) for value in values])
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def bulk_save_fields(objects: Sequence[Model], names: Sequence[str]) -> None:
    """Save the fields ``names`` of ``objects`` (all of one model, all saved before), as bulk_update does:
    on PostgreSQL one ``UPDATE … FROM unnest(…)`` per BULK_BATCH objects, each column one array cast to its
    column's type; elsewhere Django's bulk_update. Like bulk_update it skips save() (auto_now, signals):
    callers set those."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, list(names), batch_size=BULK_BATCH)
        return
    meta = model._meta
    pk = meta.pk
    if pk is None:  # never: every concrete model has a primary key
        raise TypeError(f"{model.__name__} has no primary key")
    fields = [cast(Field, meta.get_field(name)) for name in names]  # concrete fields only: names are the caller's
    columns = [pk, *fields]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    assignments = ", ".join(f"{quote(str(field.column))} = v.{quote(str(field.column))}" for field in fields)
    aliases = ", ".join(quote(str(column.column)) for column in columns)
    key = quote(str(pk.column))
    sql = (f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names, not data)
           f"FROM unnest({arrays}) AS v({aliases}) WHERE t.{key} = v.{key}")
    readers = [_db_value(column, adding=None) for column in columns]
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BULK_BATCH):
            batch = objects[start:start + BULK_BATCH]
            cursor.execute(sql, [[read(obj) for obj in batch] for read in readers])


@transaction.atomic
def official_update_contact(*, official: Official, email: str, phone: str, language: str) -> Official:
    """The official's own edit of their contact details; the account's e-mail follows (password reset
    mails go there)."""
    official.email, official.phone, official.preferred_language = email, phone, language
    official.save(update_fields=["email", "phone", "preferred_language", "updated_at"])
    if official.user_id is not None:
        User.objects.filter(pk=official.user_id).update(email=email)
    return official
