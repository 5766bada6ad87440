"""Printing a whole class's certificates: one PDF made by a background job the organizer watches.

The job is an ``ExportJob`` (kind ``class_certificates``) and goes through the same services as the
exports (claim, progress, finish, fail), so it shows on "My exports", only its requester can download
it, and a failed job is FAILED with its error and no file: it never looks finished. Certificates are
rendered a chunk at a time (progress after each) and the chunks joined with pypdf, which xhtml2pdf
already brings with it. A chunk is a whole ordinary class: every extra xhtml2pdf run loads and subsets the
fonts again and every join re-reads the pages, which cost 8% of a 200-page print in parts of 100 (and
three times that in parts of 10). One query reads the whole class (names and organizer joined in).
"""

from __future__ import annotations

import io
import logging
import tempfile

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task
from pypdf import PdfReader, PdfWriter

from courses.models import CourseSession
from staff.models import Certificate, CertificateStatus, ExportJob, ExportStatus
from staff.pdf.certificates import certificates_pdf
from staff.services.certificates import CertificateError
from staff.services.exports import (
    export_job_claim,
    export_job_fail,
    export_job_file_save,
    export_job_finish,
    export_job_progress,
    export_job_start,
)

logger = logging.getLogger(__name__)

PRINT_KIND = "class_certificates"
# Certificates rendered per xhtml2pdf run: a whole class in one run (so most prints are one document, no join);
# a bigger roll is cut so that memory stays bounded and the progress bar still moves. 300 and not 200: the
# benchmark's largest class (218) in two runs and a join cost 20% more than in one (3.65 s against 4.4 s).
CHUNK = 300


def class_certificates_to_print(session: CourseSession) -> QuerySet[Certificate]:
    """Every valid certificate of the class, in the order of the roster (by name)."""
    return (
        Certificate.objects.filter(enrollment__session=session, status=CertificateStatus.VALID)
        .select_related("official", "organizer")
        .order_by("official__search_name", "pk")
    )


def print_filename(session: CourseSession) -> str:
    return f"chung-chi-{session.code or session.pk}.pdf"


def certificate_print_start(*, session: CourseSession, user: User) -> ExportJob:
    """Queue the class's certificates as one PDF; refused when the class has none."""
    total = class_certificates_to_print(session).count()
    if not total:
        raise CertificateError(_("This class has no valid certificate to print."))
    return export_job_start(user=user, kind=PRINT_KIND, params={"session": session.pk, "format": "pdf"},
                            rows_total=total, enqueue=lambda job_id: run_certificate_print_job.enqueue(job_id=job_id))


# With its context, a run queued again after its worker died takes its own RUNNING job over (export_job_claim).
@task(takes_context=True)
def run_certificate_print_job(context: TaskContext | None = None, *, job_id: int) -> str:
    if not export_job_claim(job_id=job_id, task_id=context.task_result.id if context is not None else None):
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    stored_name = ""
    try:
        session = CourseSession.objects.get(pk=job.params["session"])
        certificates = list(class_certificates_to_print(session))
        if not certificates:
            raise CertificateError(_("This class has no valid certificate to print."))
        export_job_progress(job_id=job_id, rows_total=len(certificates), rows_done=0)
        filename = print_filename(session)
        with tempfile.TemporaryFile() as scratch:
            _render_in_chunks(certificates, scratch, job_id=job_id)
            scratch.seek(0)
            stored_name = export_job_file_save(content=scratch, filename=filename)
        export_job_finish(job=job, stored_name=stored_name, filename=filename, rows=len(certificates))
    except Exception as exc:  # any failure is recorded on the job, which then never looks finished
        logger.exception("Certificate print job %s failed", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        export_job_fail(job=job, error=str(exc))
        return ExportStatus.FAILED
    return ExportStatus.DONE


def _render_in_chunks(certificates: list[Certificate], out, *, job_id: int) -> None:
    """Write the certificates' PDF to ``out``: one xhtml2pdf run per CHUNK, joined only when there are several."""
    if len(certificates) <= CHUNK:
        out.write(certificates_pdf(certificates))
        export_job_progress(job_id=job_id, rows_done=len(certificates))
        return
    writer = PdfWriter()
    for start in range(0, len(certificates), CHUNK):
        chunk = certificates[start:start + CHUNK]
        writer.append(PdfReader(io.BytesIO(certificates_pdf(chunk))))
        export_job_progress(job_id=job_id, rows_done=start + len(chunk))
    writer.write(out)
