from django.core.management.base import BaseCommand, CommandError

from courses.models import CourseSession
from staff.management.commands._output import output_path, write_atomically
from staff.models import Certificate, CertificateStatus
from staff.pdf.certificates import certificates_pdf


class Command(BaseCommand):
    help = "Write every valid certificate of a session (class) into one PDF, one page each, for printing."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, required=True, help="The session (class) id.")
        parser.add_argument("--output", required=True, help="The PDF file to write, e.g. lop-KNS-01.pdf.")

    def handle(self, *args, session: int, output: str, **options):
        target = output_path(output)
        found = CourseSession.objects.select_related("course").filter(pk=session).first()
        if found is None:
            raise CommandError(f"No session has the id {session}.")
        # In serial order: the printed stack comes out in the order of the register.
        certificates = (
            Certificate.objects.filter(enrollment__session=found, status=CertificateStatus.VALID)
            .select_related("official", "organizer").order_by("year", "number")
        )
        pages = list(certificates)
        if not pages:
            raise CommandError(f"The session {found} has no valid certificate.")
        write_atomically(target, certificates_pdf(pages))
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(pages)} certificate(s) of {found} to {target}."))
