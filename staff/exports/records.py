"""Training records as rows (XLSX/CSV): one official's personnel training record, and a unit's records for a year.

Both read with one ``values_list`` query streamed in chunks; the certificate serial comes from a
subquery in the same statement, and choice codes are turned into labels from dicts built once, so the
number of queries does not grow with the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from courses.models import CredentialType, ProgrammeType
from staff.exports.base import Exporter, Row, choice_labels, chunk_rows
from staff.models import Category, Certificate, CertificateStatus, Enrollment, EnrollmentStatus, Gender, Official, Unit
from staff.selectors.reporting import ReportUnits, report_units


def _serial_subquery() -> Subquery:
    # The valid certificate of the enrollment, if any (at most one, by a unique constraint).
    return Subquery(Certificate.objects.filter(enrollment=OuterRef("pk"), status=CertificateStatus.VALID)
                    .values("serial")[:1])


def completed_enrollments(*, using: str = "default") -> QuerySet[Enrollment]:
    return Enrollment.objects.using(using).filter(status=EnrollmentStatus.COMPLETED)


class PersonnelRecordExporter(Exporter):
    """An official's personnel training record (hồ sơ bồi dưỡng): who they are, then what they completed."""

    name = "ho-so-boi-duong"
    filter_fields = ("official_code",)

    def __init__(self, official: Official) -> None:
        self.official = official
        self.official_code = official.employee_code
        self.sheet_title = _("Training record")

    def filename(self, fmt: str) -> str:
        return f"ho-so-boi-duong-{self.official.employee_code}.{fmt}"

    def details(self) -> list[tuple[str, object]]:
        official = self.official
        return [
            (_("Full name"), official.full_name),
            (_("Employee code"), official.employee_code),
            # A date, not its text: the XLSX gets a date cell, CSV and PDF write it dd/mm/yyyy.
            (_("Date of birth"), official.date_of_birth or ""),
            (_("Unit"), official.unit_name),
            (_("Rank"), str(official.rank) if official.rank_id else ""),
            (_("Job position"), official.job_position),
            (_("Leadership position"), official.leadership_position),
        ]

    def preamble(self) -> list[Row]:
        return [[_("Personnel training record")], *[[label, value] for label, value in self.details()], []]

    def header(self) -> Row:
        return [_("No."), _("Course"), _("Start date"), _("End date"), _("Periods"), _("Content group"),
                _("Credential"), _("Certificate serial")]

    def queryset(self) -> QuerySet[Enrollment]:
        return (completed_enrollments().filter(official=self.official)
                .order_by("session__start_date", "pk"))

    def count(self) -> int:
        return self.queryset().count()

    def data(self) -> Iterator[Row]:
        credentials = choice_labels(CredentialType.choices)
        rows = self.queryset().annotate(serial=_serial_subquery()).values_list(
            "session__course__title", "session__start_date", "session__end_date", "periods_earned",
            "session__course__content_group__name", "session__course__credential_type", "serial",
        )
        for number, (title, start, end, periods, group, credential, serial) in enumerate(
                rows.iterator(chunk_size=chunk_rows()), start=1):
            yield [number, title, start, end, periods, group or "", credentials.get(credential, credential or ""),
                   serial or ""]


class TrainingRecordsExporter(Exporter):
    """A unit's (and everything under it) completed training in a year; no unit = the whole city."""

    name = "training_records"
    filter_fields = ("year", "unit", "mapped")

    def __init__(self, *, year: int, unit: Unit | None = None, mapped: bool = False, scope: ReportUnits | None = None,
                 using: str = "default") -> None:
        self.year, self.unit, self.mapped, self.using = year, unit, mapped, using
        self._scope = scope
        self.sheet_title = _("Training records")

    @property
    def scope(self) -> ReportUnits:
        if self._scope is None:
            self._scope = report_units(self.unit, mapped=self.mapped, using=self.using)
        return self._scope

    def filename(self, fmt: str) -> str:
        where = self.unit.code if self.unit else "thanh-pho"
        return f"ket-qua-boi-duong-{where}-{self.year}{'-quy-doi' if self.mapped else ''}.{fmt}"

    def header(self) -> Row:
        return [_("Employee code"), _("Full name"), _("Gender"), _("Category"), _("Rank"),
                _("Unit at enrollment"), _("Unit today"), _("Course"), _("Content group"), _("Programme type"),
                _("Credential"), _("Start date"), _("End date"), _("Periods"), _("Certificate serial")]

    def queryset(self) -> QuerySet[Enrollment]:
        rows = completed_enrollments(using=self.using).filter(completed_on__year=self.year)
        return self.scope.filter_enrollments(rows)

    def count(self) -> int:
        return self.queryset().count()

    def data(self) -> Iterator[Row]:
        genders, categories = choice_labels(Gender.choices), choice_labels(Category.choices)
        programmes, credentials = choice_labels(ProgrammeType.choices), choice_labels(CredentialType.choices)
        rows = self.queryset().order_by("pk").annotate(serial=_serial_subquery()).values_list(
            "official__employee_code", "official__full_name", "official__gender", "official__category",
            "official__rank__code", "unit__name", "official__unit__name", "session__course__title",
            "session__course__content_group__name", "session__course__programme_type",
            "session__course__credential_type", "session__start_date", "session__end_date", "periods_earned",
            "serial",
        )
        for (code, name, gender, category, rank, unit, unit_today, title, group, programme, credential,
             start, end, periods, serial) in rows.iterator(chunk_size=chunk_rows()):
            yield [code, name, genders.get(gender, gender), categories.get(category, category), rank or "",
                   unit, unit_today or "", title, group or "", programmes.get(programme, programme),
                   credentials.get(credential, credential), start, end, periods, serial or ""]
