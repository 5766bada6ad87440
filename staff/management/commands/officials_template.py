from django.core.management.base import BaseCommand

from staff.imports.sheets import roster_template
from staff.management.commands._output import output_path, write_atomically


class Command(BaseCommand):
    help = "Write the roster import template (XLSX, Vietnamese headers, an instructions sheet) to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the template, e.g. mau-danh-sach-can-bo.xlsx")

    def handle(self, *args, **options):
        target = output_path(options["file"])
        write_atomically(target, roster_template())
        self.stdout.write(f"Template written to {target}")
