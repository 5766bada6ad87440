from django.core.management.base import BaseCommand, CommandError

from staff.management.commands._output import output_path, write_atomically
from staff.models import Certificate, CertificateStatus
from staff.pdf.certificates import certificate_pdf


class Command(BaseCommand):
    help = "Write the PDF of one valid certificate, found by its serial number (e.g. TTBD-2026-00001)."

    def add_arguments(self, parser):
        parser.add_argument("serial", help="The certificate's serial number.")
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, serial: str, output: str, **options):
        target = output_path(output)
        certificate = Certificate.objects.select_related("official", "organizer").filter(
            serial=serial.strip()).first()
        if certificate is None:
            raise CommandError(f"No certificate has the serial number {serial!r}.")
        if certificate.status != CertificateStatus.VALID:
            # A revoked or replaced certificate must not be printed again as if it stood.
            raise CommandError(f"The certificate {certificate.serial} is {certificate.get_status_display()}; "
                               "only a valid certificate is printed.")
        write_atomically(target, certificate_pdf(certificate))
        self.stdout.write(self.style.SUCCESS(f"Wrote {certificate.serial} to {target}."))
