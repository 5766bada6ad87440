from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import CourseSession
from staff.imports.attendance import attendance_import


class Command(BaseCommand):
    help = "Import a session's attendance and results from an XLSX or CSV sheet, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, required=True, help="the session (class) id")
        parser.add_argument("file", help="an .xlsx or .csv sheet: Mã cán bộ, one column per day, Kết quả")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, **options):
        session = CourseSession.objects.filter(pk=options["session"]).select_related("course").first()
        if session is None:
            raise CommandError(f"There is no session {options['session']}.")
        path = Path(options["file"]).expanduser()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as stream:
            report = attendance_import(stream, path.name, session=session, user=None, dry_run=options["dry_run"])
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
