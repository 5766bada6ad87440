"""What an import tells its user: per-row outcomes and per-row problems, shared by every import."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Screens and terminals show this many problems; the counts always cover the whole file.
SHOWN_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int | None  # the row number as Excel shows it; None for a problem with the whole file
    column: str  # the column header as written in the file ("" when the problem is the whole row)
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return _("The file: %(message)s") % {"message": self.message}
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)  # one per row of a file that may have 200,000: no per-instance __dict__
class RowOutcome:
    row: int
    key: str  # the employee code
    name: str
    action: str  # CREATED / UPDATED / UNCHANGED
    # Labels of the changed fields: a tuple, which rows making the same changes share (no list per row).
    changes: tuple[str, ...] = ()
    note: str = ""  # e.g. a legacy unit code mapped onto its successor

    @property
    def action_label(self) -> str:
        return {CREATED: _("created"), UPDATED: _("updated"), UNCHANGED: _("unchanged")}[self.action]


@dataclass
class ImportReport:
    filename: str
    sha256: str = ""
    dry_run: bool = True
    applied: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Roster imports only: sign-in accounts created for new officials, closed for those who left.
    accounts_created: int = 0
    accounts_closed: int = 0
    audit_entry_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def file_errors(self) -> list[RowError]:
        """Problems with the whole file (refused before or while reading it), not with one row."""
        return [error for error in self.errors if error.row is None]

    @property
    def error_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors if error.row is not None})

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    def summary(self) -> str:
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                  "file": self.filename}
        if not self.ok:
            parts = []
            rows = self.error_rows
            if rows:
                row_errors = len(self.errors) - len(self.file_errors)
                parts.append(_("%(problems)s in %(rows)s.") % {
                    "problems": ngettext("%(n)s problem", "%(n)s problems", row_errors) % {"n": row_errors},
                    "rows": ngettext("%(n)s row", "%(n)s rows", len(rows)) % {"n": len(rows)}})
            # A refused file has no rows to count: say what is wrong with it, never "1 problem in 0 rows".
            parts.extend(str(error) for error in self.file_errors)
            return _("%(file)s: nothing was imported. %(problems)s") % {
                "file": self.filename or _("The upload"), "problems": " ".join(parts)}
        if self.applied:
            text = _("%(file)s imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % counts
            if self.accounts_created or self.accounts_closed:
                text += " " + _("Sign-in accounts: %(created)s created (not yet activated), %(closed)s closed.") % {
                    "created": self.accounts_created, "closed": self.accounts_closed}
            return text
        return _("%(file)s checked (dry run, nothing written): %(created)s to create, %(updated)s to update, "
                 "%(unchanged)s unchanged.") % counts


def file_sha256(stream: IO[bytes]) -> str:
    """The file's hash for the audit log, read in chunks; leaves the stream at its start."""
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
