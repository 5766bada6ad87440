"""Roster import: validate the whole file, plan created / updated / unchanged per row, and apply it all
in one transaction, or nothing at all.

Units, ranks, successors and the user's scope are read once up front; the rows are then checked and
written a chunk at a time (CHUNK_ROWS), each chunk's lookups one query each, so a 140,000-row city roster
costs a few queries per thousand rows and memory does not grow with the file: only the codes and personal
ids seen so far (for duplicates) and the per-row outcomes of the report outlive a chunk. A row that fails
stops the writing; the rest of the file is still checked, then the transaction is rolled back.

The cells are checked once, by the column parsers (fields.py), whose values pass the Official fields' own
checks by construction: the model's field checks are not run again per row (test_field_checks.py holds
the two together). Everything here runs once per row of a city's file, so per-row work is kept plain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import HR_ROLES, units_in_scope
from staff.imports import fields as f
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload
from staff.imports.reader import Row, Sheet, alias_resolver, read_sheet
from staff.imports.report import CREATED, UNCHANGED, UPDATED, ImportReport, RowError, RowOutcome, file_sha256
from staff.imports.spool import chunked, read_ahead
from staff.imports.writes import Plan, RosterWriter
from staff.models import MAJORITY_ETHNICITY, Official, OfficialStatus, Rank, Unit, UnitAssignment
from staff.personal_id import check_against
from staff.selectors.organisation import successor_map, units_valid_on
from staff.services.people import OfficialChange

CHUNK = 1000  # codes per "IN (...)" query: stays under every database's parameter limit
PLAIN_FIELDS = ("full_name", "personal_id", "date_of_birth", "gender", "ethnicity", "category", "job_position",
                "leadership_position", "email", "phone", "status")


@dataclass
class _Parsed:
    row: int
    values: dict[str, Any]  # the cells that parsed; a cell in error is absent
    unit: Unit | None  # resolved: valid today (a former unit's successor) and in the user's scope
    note: str = ""
    # The row has an error already: it is still checked further (scope, duplicates, new-official
    # columns) so that one dry run lists every problem of the file, but it is never planned.
    rejected: bool = False
    failed: set[str] = field(default_factory=set)  # the keys of the cells in error


# Told the stage ("reading" or "writing") and the rows read so far, by a caller that shows progress.
Progress = Callable[[str, int], None]
PROGRESS_EVERY = 100  # rows read between two calls (the caller decides how often to record them)
# Rows checked and written at a time: each lookup (existing officials, personal ids, open assignments) is one
# query per chunk, and only what the cross-row checks need (codes and personal ids seen) outlives a chunk.
CHUNK_ROWS = CHUNK


class _RowsFailedError(Exception):
    """A row failed: leave the transaction so that the chunks already written are rolled back."""


def roster_import(stream: IO[bytes], filename: str, *, user: User | None = None, dry_run: bool = True,
                  today: dt.date | None = None, limits: UploadLimits | None = None,
                  on_progress: Progress | None = None) -> ImportReport:
    """Check (``dry_run``) or import a roster file. ``user`` None means a trusted caller (the CLI): the
    whole city is in scope. Nothing is written unless the whole file is valid."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    today = today or timezone.localdate()
    try:
        kind = check_upload(stream, filename, limits=limits)
        report.sha256 = file_sha256(stream)
        if dry_run:
            sheet = _sheet(stream, kind, limits)
            planner = _Planner(user=user, today=today, sheet=sheet, report=report)
            for rows in _chunks(sheet.rows):
                planner.plan(rows)
            planner.finish()
            return report
        # The file is read (the slow part of a big roster) before the transaction: reading writes nothing,
        # it shortens the time the write lock is held, and a background job's progress recorded meanwhile
        # is seen by whoever watches it (inside one transaction it would show only once everything is done).
        spool = read_ahead(_sheet(stream, kind, limits), size=CHUNK_ROWS, on_progress=on_progress,
                           every=PROGRESS_EVERY)
        try:
            with transaction.atomic():
                planner = _Planner(user=user, today=today, sheet=spool.sheet, report=report)
                writer = RosterWriter(report, user=user, today=today)
                for rows in spool.chunks():
                    plan = planner.plan(rows)
                    if report.ok:  # after a failed row, the rest is still checked but never written
                        writer.write(plan)
                planner.finish()
                if not report.ok:
                    raise _RowsFailedError
                writer.finish()
        finally:
            spool.close()
    except _RowsFailedError:
        report.applied = False
    except ImportRefusedError as exc:
        report.rows, report.errors = [], [RowError(None, "", str(exc))]
    except (DatabaseError, ValueError) as exc:
        # Someone changed the same officials between our checks and our writes: nothing was written.
        report.rows, report.applied = [], False
        report.errors = [RowError(None, "", _("The roster changed while the file was being imported; nothing "
                                              "was written. Please import the file again. (%(error)s)")
                                  % {"error": exc})]
    return report


def _sheet(stream: IO[bytes], kind: str, limits: UploadLimits | None) -> Sheet:
    return read_sheet(stream, kind, resolve=alias_resolver(f.ALIASES), limits=limits)


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    return chunked(rows, CHUNK_ROWS)


class _Planner:
    def __init__(self, *, user: User | None, today: dt.date, sheet: Sheet, report: ImportReport):
        self.today = today
        self.headers, self.report = sheet.headers, report
        missing = [column.header for column in f.COLUMNS if column.required and column.key not in sheet.headers]
        if missing:
            raise ImportRefusedError(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
        # Across chunks, for duplicates: the row where each employee code and personal id first appeared.
        self.first_row: dict[str, int] = {}
        self.first_id_row: dict[str, int] = {}
        self.scope: set[int] | None = None
        if user is not None and not user.is_superuser:
            self.scope = set(units_in_scope(user, roles=HR_ROLES).values_list("pk", flat=True))
        units = list(Unit.objects.all())
        self.units = {unit.code: unit for unit in units}
        self.units_folded = {unit.code.casefold(): unit for unit in units}
        self.units_by_id = {unit.pk: unit for unit in units}
        self.valid_ids = set(units_valid_on(today).values_list("pk", flat=True))
        self.successors = successor_map(on=today)
        self.ranks = {rank.code: rank for rank in Rank.objects.all()}
        # Each column's parser, chosen once for the file rather than once per cell.
        # A few labels repeat on every row (Nam/Nữ, Công chức, Đang công tác, a rank code): their parse is
        # remembered per cell value.
        special: dict[str, Callable[[Any], Any]] = {
            "date_of_birth": self._birth_date, "gender": _remembered(f.parse_gender),
            "category": _remembered(f.parse_category), "status": _remembered(f.parse_status),
            "email": f.parse_email, "rank": _remembered(self._rank), "unit": f.text,
            "personal_id": f.parse_personal_id,
        }
        self.parsers = [(key, special.get(key) or f.text_parser(key)) for key in self.headers]
        self.required = [column.key for column in f.COLUMNS if column.required]
        # Per planner (one import, one language): the report's labels of each set of changed fields, and
        # each unit code's resolution; both are the same for thousands of rows.
        self.labels: dict[tuple[tuple[str, ...], bool], tuple[str, ...]] = {}
        self.resolved: dict[str, tuple[Unit, str]] = {}

    def plan(self, rows: list[Row]) -> Plan:
        """One chunk of rows checked and planned; the codes and personal ids seen are kept for the next."""
        # One pass reports every problem of the file: a row with a bad cell is still checked for its unit,
        # its scope and its duplicates, so that fixing the file once is enough.
        parsed: list[_Parsed] = []
        first_row, first_id_row = self.first_row, self.first_id_row
        for row in rows:
            item = self._parse(row)
            code = item.values.get("employee_code")
            if not code:
                continue  # reported by _parse; without a code the row can be matched with nothing
            if code in first_row:
                self.error(row.number, "employee_code", _("Employee code %(code)s also appears on row %(row)s.")
                           % {"code": code, "row": first_row[code]})
                continue
            personal_id = item.values.get("personal_id")
            if personal_id and personal_id in first_id_row:
                self.error(row.number, "personal_id", _("This personal identification number also appears on row "
                                                        "%(row)s.") % {"row": first_id_row[personal_id]})
                item.rejected = True
            first_row[code] = row.number
            if personal_id:
                first_id_row[personal_id] = row.number
            parsed.append(item)
        existing = self._existing([item.values["employee_code"] for item in parsed])
        self._check_personal_ids(parsed)
        open_starts = self._open_starts([existing[i.values["employee_code"]].pk for i in parsed
                                         if i.values["employee_code"] in existing])
        plan = Plan()
        for item in parsed:
            official = existing.get(item.values["employee_code"])
            if official is None:
                self._plan_new(item, plan)
            else:
                self._plan_change(item, official, open_starts.get(official.pk), plan)
        return plan

    def finish(self) -> None:
        """After the last chunk: a file that failed lists its problems, not the rows it would have changed."""
        if not self.report.ok:
            self.report.rows = []

    def error(self, row: int, key: str, message: str) -> None:
        header = self.headers.get(key, f.COLUMN_BY_KEY[key].header if key in f.COLUMN_BY_KEY else "")
        self.report.errors.append(RowError(row, header, message))

    def _parse(self, row: Row) -> _Parsed:
        """Every cell of the row parsed, each problem reported; the unit resolved whenever its cell is."""
        values: dict[str, Any] = {}
        failed: set[str] = set()
        cells = row.values
        for key, parse in self.parsers:
            try:
                values[key] = parse(cells[key])
            except f.CellError as exc:
                self.error(row.number, key, str(exc))
                failed.add(key)
        for key in self.required:
            if key not in failed and not values.get(key):
                self.error(row.number, key, _("This cell must be filled in."))
                failed.add(key)
        if values.get("personal_id") and not failed & {"gender", "date_of_birth"}:
            problem = check_against(values["personal_id"], gender=values.get("gender"),
                                    date_of_birth=values.get("date_of_birth"))
            if problem:
                self.error(row.number, "personal_id", problem)
                failed.add("personal_id")
        item = _Parsed(row=row.number, values=values, unit=None, rejected=bool(failed), failed=failed)
        if values.get("unit"):
            resolved = self._resolve_unit(row.number, values["unit"])
            if resolved is None:
                item.rejected = True
            else:
                item.unit, item.note = resolved
        return item

    def _birth_date(self, value: Any) -> dt.date | None:
        return f.parse_birth_date(value, today=self.today)

    def _rank(self, value: Any) -> Rank | None:
        code = f.text(value)
        if not code:
            return None
        if code not in self.ranks:
            raise f.CellError(_("There is no rank with code %(code)s.") % {"code": code})
        return self.ranks[code]

    def _resolve_unit(self, row: int, code: str) -> tuple[Unit, str] | None:
        """The unit the row's code names, with a note if it is a former unit's successor; None (with the
        error) for an unknown unit, one gone without a successor, or one outside the user's scope."""
        if code in self.resolved:
            return self.resolved[code]
        unit = self.units.get(code) or self.units_folded.get(code.casefold())
        if unit is None:
            self.error(row, "unit", _("There is no unit with code %(code)s.") % {"code": code})
            return None
        note = ""
        if unit.pk not in self.valid_ids:
            successor = self.units_by_id.get(self.successors.get(unit.pk, unit.pk))
            if successor is None or successor.pk not in self.valid_ids:
                self.error(row, "unit", _("Unit %(code)s no longer exists and has no successor today.")
                           % {"code": code})
                return None
            note = _("Former unit %(old)s is mapped to its successor %(new)s (%(name)s).") % {
                "old": unit.code, "new": successor.code, "name": successor.name}
            unit = successor
        if self.scope is not None and unit.pk not in self.scope:
            self.error(row, "unit", _("Unit %(code)s is outside the units you manage.") % {"code": unit.code})
            return None
        self.resolved[code] = unit, note
        return unit, note

    def _check_personal_ids(self, parsed: list[_Parsed]) -> None:
        """A personal identification number already held by another official on the roster is a row error
        (which official holds it is not said: that official may be outside the user's scope)."""
        wanted = {item.values["personal_id"]: item for item in parsed if item.values.get("personal_id")}
        numbers = list(wanted)
        for start in range(0, len(numbers), CHUNK):
            holders = Official.objects.filter(personal_id__in=numbers[start:start + CHUNK])
            for personal_id, code in holders.values_list("personal_id", "employee_code"):
                item = wanted[personal_id]
                if code != item.values["employee_code"]:
                    self.error(item.row, "personal_id", _("This personal identification number belongs to another "
                                                          "official on the roster."))
                    item.rejected = True

    def _existing(self, codes: list[str]) -> dict[str, Official]:
        found: dict[str, Official] = {}
        for start in range(0, len(codes), CHUNK):
            for official in Official.objects.filter(employee_code__in=codes[start:start + CHUNK]):
                found[official.employee_code] = official
        return found

    def _open_starts(self, ids: list[int]) -> dict[int, dt.date]:
        starts: dict[int, dt.date] = {}
        for start in range(0, len(ids), CHUNK):
            rows = UnitAssignment.objects.filter(official_id__in=ids[start:start + CHUNK], end__isnull=True)
            starts.update(rows.values_list("official_id", "start"))
        return starts

    def _plan_new(self, item: _Parsed, plan: Plan) -> None:
        values = item.values
        missing = [key for key in ("gender", "category") if not values.get(key) and key not in item.failed]
        for key in missing:
            self.error(item.row, key, _("Required for a new official."))
        if missing or item.rejected or item.unit is None:
            return
        official = Official(employee_code=values["employee_code"], full_name=values["full_name"],
                            ethnicity=values.get("ethnicity") or MAJORITY_ETHNICITY,
                            status=values.get("status") or OfficialStatus.ACTIVE, rank=values.get("rank"))
        for key in ("personal_id", "date_of_birth", "gender", "category", "job_position", "leadership_position",
                    "email", "phone"):
            if values.get(key):
                setattr(official, key, values[key])
        plan.new.append((official, item.unit))
        self.report.rows.append(RowOutcome(item.row, official.employee_code, official.full_name, CREATED,
                                           note=item.note))

    def _plan_change(self, item: _Parsed, official: Official, open_start: dt.date | None, plan: Plan) -> None:
        if self.scope is not None and official.unit_id not in self.scope:
            # Say nothing about the official: their data is not this user's to see.
            self.error(item.row, "employee_code", _("This employee code belongs to another unit."))
            return
        if item.rejected or item.unit is None:
            return
        names = self._set_changed_fields(item.values, official)
        move_to = item.unit if item.unit.pk != official.unit_id else None
        if move_to is not None and not self._may_move(item, open_start):
            return
        if names or move_to is not None:
            plan.changed.append(OfficialChange(official=official, fields=names, move_to=move_to))
        else:
            plan.unchanged.append(official)
        labels = self._change_labels(names, moved=move_to is not None)
        # The file's code (equal to the official's): the same string as the duplicate check keeps, not a copy.
        self.report.rows.append(RowOutcome(item.row, item.values["employee_code"], official.full_name,
                                           UPDATED if labels else UNCHANGED, changes=labels, note=item.note))

    @staticmethod
    def _set_changed_fields(values: dict[str, Any], official: Official) -> list[str]:
        """Set on ``official`` the values the file changes; return the names of the fields changed.

        An empty cell leaves the field as it is, except for the fields a file may clear."""
        names = []
        for key in PLAIN_FIELDS:
            if key not in values or (values[key] in (None, "") and key not in f.CLEARABLE and key != "full_name"):
                continue
            if getattr(official, key) != (values[key] or ""):
                setattr(official, key, values[key] or "")
                names.append(key)
        if "rank" in values and values["rank"] is not None and official.rank_id != values["rank"].pk:
            official.rank = values["rank"]
            names.append("rank")
        return names

    def _may_move(self, item: _Parsed, open_start: dt.date | None) -> bool:
        """One move per official per day: an assignment that opens today or later blocks another."""
        if open_start is not None and open_start >= self.today:
            self.error(item.row, "unit", _("This official already moved unit on %(date)s; another move can be "
                                           "imported from the next day.") % {"date": open_start.strftime("%d/%m/%Y")})
            return False
        return True

    def _change_labels(self, names: list[str], *, moved: bool) -> tuple[str, ...]:
        """The changed fields as the report shows them: their verbose names, the unit last. One tuple per set
        of changes, shared by the rows that make the same change (a city's file repeats a few)."""
        key = (tuple(names), moved)
        if key not in self.labels:
            self.labels[key] = tuple(_verbose_name(name) for name in [*names, *(["unit"] if moved else [])])
        return self.labels[key]


def _remembered(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse`` with its results kept per cell value (and type: 1 and True are different cells); a value
    that fails is parsed again each time, so that every row reports its own error."""
    results: dict[tuple[type, Any], Any] = {}

    def remembered(value: Any) -> Any:
        key = (type(value), value)
        try:
            return results[key]
        except KeyError:
            results[key] = result = parse(value)
            return result
        except TypeError:  # an unhashable value: never from a cell, but parse it anyway
            return parse(value)

    return remembered


def _verbose_name(name: str) -> str:
    field = Official._meta.get_field(name)
    # Only the official's own columns are changed, never a reverse relation (which has no verbose name).
    return str(field.verbose_name) if isinstance(field, Field) else name
