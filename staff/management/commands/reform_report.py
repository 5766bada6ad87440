"""python manage.py reform_report --year YYYY [--unit CODE] [--mapped] --format xlsx|pdf --output FILE

The training part of the yearly administrative-reform report, for a unit and everything under it, or for
the whole city; "as it was" by default, or mapped onto today's units with --mapped.
"""

from __future__ import annotations

import io

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_noop

from staff.exports.reporting import write_reform_xlsx
from staff.management.commands._output import output_path, write_atomically
from staff.models import AuditAction, Unit
from staff.pdf.reporting import reform_report_pdf
from staff.selectors.reporting import build_reform_report
from staff.services.audit import audit_record, audit_summary
from training_site.ops.routers import replica_reads


class Command(BaseCommand):
    help = "Write the yearly training report (administrative reform) as XLSX or PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="Unit code; the unit and every unit under it. Default: the whole city.")
        parser.add_argument("--mapped", action="store_true",
                            help="Map units that no longer exist onto today's units (default: as it was).")
        parser.add_argument("--format", choices=("xlsx", "pdf"), required=True)
        parser.add_argument("--output", required=True)
        parser.add_argument("--language", default="vi")

    def handle(self, *args, year: int, unit: str | None, mapped: bool, format: str, output: str,  # noqa: A002
               language: str, **options):
        target = output_path(output)
        found = None
        if unit:
            found = Unit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(f"No unit has the code {unit!r}.")
        with translation.override(language), replica_reads() as alias:  # the replica's, when there is one
            report = build_reform_report(year=year, unit=found, mapped=mapped, using=alias)
            if format == "pdf":
                data = reform_report_pdf(report)
            else:
                buffer = io.BytesIO()
                write_reform_xlsx(report, buffer)
                data = buffer.getvalue()
        write_atomically(target, data)  # a small report: built in memory, renamed into place
        audit_record(user=None, action=AuditAction.EXPORT,
                     summary=audit_summary(gettext_noop("Administrative-reform report %(year)s exported by command"),
                                           year=year),
                     kind="reform_report", filters={"year": year, "unit": unit, "mapped": mapped, "format": format},
                     rows=len(report.lines), participants=report.total.participants, output=str(target))
        self.stdout.write(f"{report.total.participants} participants, {report.total.periods} periods: {target}")
