"""A roster import's writes, a chunk of rows at a time, inside the import's one transaction.

New officials and moves go through the roster service (staff.services.people.officials_bulk_upsert, which
keeps the unit history), and accounts through staff.services.accounts. Two writes are done here instead,
because Django's ``bulk_update`` (one ``CASE WHEN id = … THEN …`` per field, built as Python expressions per
object) took most of a city-scale import: 100,000 officials whose job position changed, and each new
official's link to its account. On PostgreSQL they are one ``UPDATE … FROM (VALUES …)`` per thousand rows
(``fast_update``); the fields set are exactly the ones the service would set (search_name, phone_key,
updated_at). TODO(issue 12): fold ``fast_update`` into the two services, so that they are fast for every
caller, and drop the copies here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_noop

from courses.text import fold
from staff.imports.report import ImportReport
from staff.models import AuditAction, Official, Unit
from staff.models.people import phone_key
from staff.services.accounts import AccountCounts, accounts_follow_status
from staff.services.audit import audit_record, audit_summary
from staff.services.people import OfficialChange, officials_bulk_upsert

UPDATE_BATCH = 1000
ACCOUNT_BATCH = 1000


@dataclass
class Plan:
    new: list[tuple[Official, Unit]] = field(default_factory=list)
    changed: list[OfficialChange] = field(default_factory=list)
    unchanged: list[Official] = field(default_factory=list)

    def everyone(self) -> list[Official]:
        return [*(official for official, _unit in self.new), *(change.official for change in self.changed),
                *self.unchanged]


class RosterWriter:
    """Writes each chunk's plan (officials, assignments, accounts) and, last, the import's audit line, all
    inside the caller's transaction."""

    def __init__(self, report: ImportReport, *, user: User | None, today: dt.date):
        self.report, self.user, self.today = report, user, today
        self.accounts = AccountCounts()
        self.first_created: dt.datetime | None = None
        self.last_created: dt.datetime | None = None

    def write(self, plan: Plan) -> None:
        moves = [change for change in plan.changed
                 if change.move_to is not None and change.move_to.pk != change.official.unit_id]
        moving = {id(change) for change in moves}
        officials_bulk_upsert(new=plan.new, changed=moves, start=self.today)
        _edit([change for change in plan.changed if id(change) not in moving])
        # Accounts follow the roster in the same transaction: a failed import creates none and closes none.
        everyone = plan.everyone()
        created, linked = _ensure_accounts(everyone)
        status = accounts_follow_status(official_ids=[official.pk for official in everyone])
        self.accounts.created += created
        self.accounts.linked += linked
        self.accounts.deactivated += status.deactivated
        if plan.new:
            stamps = [official.created_at for official, _unit in plan.new]
            self.first_created = min([*stamps, *([self.first_created] if self.first_created else [])])
            self.last_created = max([*stamps, *([self.last_created] if self.last_created else [])])

    def finish(self) -> None:
        report, accounts = self.report, self.accounts
        report.accounts_created, report.accounts_closed = accounts.created, accounts.deactivated
        entry = audit_record(
            user=self.user, action=AuditAction.IMPORT,
            summary=audit_summary(gettext_noop("Roster import: %(file)s"), file=report.filename),
            file_sha256=report.sha256, created=report.created, updated=report.updated, unchanged=report.unchanged,
            filename=report.filename, accounts_created=accounts.created, accounts_linked=accounts.linked,
            accounts_closed=accounts.deactivated,
            # Who this import created, for "invite everyone this import created": the insert stamps each row
            # (auto_now_add), so the import's new officials are those stamped between its first and last.
            officials_created=([self.first_created.isoformat(), self.last_created.isoformat()]
                               if self.first_created and self.last_created else None))
        report.audit_entry_id = entry.pk
        report.applied = True


def _edit(changes: Sequence[OfficialChange]) -> None:
    """Officials whose fields change without a move: what officials_bulk_upsert does for them."""
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[Official]] = {}
    for change in changes:
        names = set(change.fields)
        if not names:
            continue
        official = change.official
        if "full_name" in names:
            official.search_name = fold(official.full_name)
            names.add("search_name")
        if "phone" in names:
            official.phone_key = phone_key(official.phone)
            names.add("phone_key")
        official.updated_at = now  # an UPDATE skips auto_now
        names.add("updated_at")
        by_fields.setdefault(tuple(sorted(names)), []).append(official)
    for names_set, officials in by_fields.items():
        fast_update(officials, names_set)


def _ensure_accounts(officials: Sequence[Official]) -> tuple[int, int]:
    """What staff.services.accounts.accounts_ensure does (an account per official: an unlinked user whose
    username is the employee code, or a new one without a usable password, never a second), with the links
    written by fast_update. Returns (created, linked to an existing user)."""
    created_count = linked_count = 0
    pending = [official for official in officials if official.user_id is None]
    for start in range(0, len(pending), ACCOUNT_BATCH):
        chunk = pending[start:start + ACCOUNT_BATCH]
        codes = [official.employee_code for official in chunk]
        existing = {user.username: user for user in User.objects.filter(username__in=codes, official__isnull=True)}
        taken = set(User.objects.filter(username__in=codes, official__isnull=False)
                    .values_list("username", flat=True))
        new_users = [User(username=o.employee_code, email=o.email, first_name=o.full_name[:150],
                          password=make_password(None), is_active=False)
                     for o in chunk if o.employee_code not in existing and o.employee_code not in taken]
        User.objects.bulk_create(new_users, batch_size=ACCOUNT_BATCH)
        created = {user.username: user for user in
                   User.objects.filter(username__in=[user.username for user in new_users])}
        linked = []
        for official in chunk:
            user = existing.get(official.employee_code) or created.get(official.employee_code)
            if user is None:
                continue  # the username belongs to another official's account: HR resolves that by hand
            official.user = user
            linked.append(official)
        fast_update(linked, ("user",))
        created_count += len(created)
        linked_count += len(linked) - len(created)
    return created_count, linked_count


def fast_update(objects: Sequence[Model], names: Sequence[str]) -> None:
    """Save ``names`` of ``objects`` (all of one model): on PostgreSQL one ``UPDATE … FROM (VALUES …)`` per
    UPDATE_BATCH objects, each value cast to its column's type; elsewhere Django's bulk_update."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, list(names), batch_size=UPDATE_BATCH)
        return
    meta = model._meta
    pk = meta.pk
    if pk is None:  # never: every concrete model has a primary key
        raise TypeError(f"{model.__name__} has no primary key")
    fields = [cast(Field, meta.get_field(name)) for name in names]  # concrete fields only: names are ours
    columns = [pk, *fields]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
    assignments = ", ".join(f"{quote(str(field.column))} = v.{quote(str(field.column))}" for field in fields)
    aliases = ", ".join(quote(str(column.column)) for column in columns)
    key = quote(str(pk.column))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), UPDATE_BATCH):
            batch = objects[start:start + UPDATE_BATCH]
            params = []
            for obj in batch:
                for column in columns:
                    params.append(column.get_db_prep_save(getattr(obj, column.attname), connection))
            cursor.execute(f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names, not data)
                           f"FROM (VALUES {', '.join([row] * len(batch))}) AS v({aliases}) "
                           f"WHERE t.{key} = v.{key}", params)
