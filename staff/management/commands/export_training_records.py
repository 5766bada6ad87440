"""python manage.py export_training_records --year YYYY [--unit CODE] [--mapped] --output FILE.xlsx|FILE.csv

One row per completed enrollment of the year, for the unit and everything under it (no --unit: the whole
city), streamed from the database in chunks. The file appears under its name only once complete.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_noop

from staff.exports.base import FORMATS, atomic_file, write_export
from staff.exports.records import TrainingRecordsExporter
from staff.management.commands._output import output_path
from staff.models import AuditAction, Unit
from staff.services.audit import audit_record, audit_summary


class Command(BaseCommand):
    help = "Export a unit's completed training of a year (one row per completed enrollment) to XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="Unit code; the unit and every unit under it. Default: the whole city.")
        parser.add_argument("--mapped", action="store_true",
                            help="Count training under today's units (units merged in 2025 folded into successors).")
        parser.add_argument("--output", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument("--language", default="vi")

    def handle(self, *args, year: int, unit: str | None, mapped: bool, output: str, language: str, **options):
        target = output_path(output)
        fmt = target.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError("--output must end in .xlsx or .csv")
        found = None
        if unit:
            found = Unit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(f"No unit has the code {unit!r}.")
        exporter = TrainingRecordsExporter(year=year, unit=found, mapped=mapped)
        with translation.override(language), atomic_file(target) as stream:
            rows = write_export(exporter, stream, fmt)
        audit_record(user=None, action=AuditAction.EXPORT,
                     summary=audit_summary(gettext_noop("Training records exported by command: %(rows)s rows"),
                                           rows=rows),
                     kind=exporter.name, filters=exporter.filters(), rows=rows, output=str(target))
        self.stdout.write(f"{rows} rows written to {target}")
