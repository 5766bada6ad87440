from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from staff.imports.people import roster_import


class Command(BaseCommand):
    help = "Import (or with --dry-run only check) a roster of officials from an XLSX or CSV file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .csv file with the template's columns")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"]).expanduser()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as stream:
            # No user: the command line is trusted with the whole city (it runs on the server).
            report = roster_import(stream, path.name, user=None, dry_run=options["dry_run"])
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        if options["verbosity"] > 1:
            for row in report.rows:
                details = ", ".join(row.changes)
                self.stdout.write(f"{row.row}\t{row.key}\t{row.action_label}\t{details}\t{row.note}".rstrip())
        self.stdout.write(report.summary())
