"""A roster import's writes, a chunk of rows at a time, inside the import's one transaction.

Everything goes through the services (staff.services.people.officials_bulk_upsert keeps the unit history;
staff.services.accounts makes the accounts), which write a chunk in a few statements. New officials get
their account before they are inserted, so the INSERT carries the link: no UPDATE of every row just created;
existing officials without one get it before their changes are saved, in the same UPDATE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.translation import gettext_noop

from staff.imports.report import ImportReport
from staff.models import AuditAction, Official, Unit
from staff.services.accounts import AccountCounts, accounts_follow_status, accounts_prepare
from staff.services.audit import audit_record, audit_summary
from staff.services.people import OfficialChange, bulk_save_fields, officials_bulk_upsert


@dataclass
class Plan:
    new: list[tuple[Official, Unit]] = field(default_factory=list)
    changed: list[OfficialChange] = field(default_factory=list)
    unchanged: list[Official] = field(default_factory=list)


class RosterWriter:
    """Writes each chunk's plan (officials, assignments, accounts) and, last, the import's audit line, all
    inside the caller's transaction."""

    def __init__(self, report: ImportReport, *, user: User | None, today: dt.date):
        self.report, self.user, self.today = report, user, today
        self.accounts = AccountCounts()
        self.first_created: dt.datetime | None = None
        self.last_created: dt.datetime | None = None

    def write(self, plan: Plan) -> None:
        # Accounts follow the roster in the same transaction: a failed import creates none and closes none.
        new = [official for official, _unit in plan.new]
        accounts, reused = accounts_prepare(officials=new)
        # An existing official without an account is linked to one in memory first, so that the link goes in
        # the UPDATE of their changes, not in a second UPDATE of the same rows (as accounts_ensure would).
        existing = [*(change.official for change in plan.changed), *plan.unchanged]
        unlinked = {id(official) for official in existing if official.user_id is None}
        more, _reused = accounts_prepare(officials=existing)
        for change in plan.changed:
            if id(change.official) in unlinked and change.official.user_id is not None:
                change.fields.append("user")
        # The planner's parsers made every check of the model's fields on the values (fields.py says how).
        officials_bulk_upsert(new=plan.new, changed=plan.changed, start=self.today, validated=True)
        bulk_save_fields([official for official in plan.unchanged
                          if id(official) in unlinked and official.user_id is not None], ["user"])
        # A new official's account made just now is closed already; one that existed may need closing.
        status = accounts_follow_status(official_ids=[official.pk for official in [*reused, *existing]])
        self.accounts.created += accounts.created + more.created
        self.accounts.linked += accounts.linked + more.linked
        self.accounts.deactivated += status.deactivated
        if plan.new:
            stamps = [official.created_at for official in new]
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
