"""The PDF paths of the city benchmark (issue 12): the reform report and a class's certificates, beside their floors.

Each function is run in its own process by tests/bench/city/measure.py against Django's default database and
answers ``{"seconds": float, "items": int}``: seconds around the work only, after one warm-up render (fonts,
templates and the first import of xhtml2pdf and ReportLab are the process's start-up, not the document's).

- ``report_pdf``: the app's reform-report PDF for a year, city-wide, as the admin view makes it (the selector's
  queries and the PDF, in Vietnamese); its floor is ``tests.bench.city.exports:report_sql_floor``.
- ``certificates_pdf``: the print job (staff.services.printing.run_certificate_print_job, storage and audit
  included) for the class with the most valid certificates; items = certificates. The job's rows are written
  in a transaction that is rolled back and its file deleted, so the benchmark database is left as it was.
- ``certificates_pdf_floor``: bare xhtml2pdf (pisa.CreatePDF) on the same pages: the same template output,
  fonts and resource policy, made before the clock starts; no query, no storage, no audit.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time
from typing import Any

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation

# A class prints in 3–5 s: one sample swung the ratio from 0.68 to 0.97 between two runs of the same code, so
# both sides print the class this many times and the median counts.
REPEAT = 3
REPORT_LANGUAGE = "vi"  # what the admin view renders an export in (staff.admin.reporting.EXPORT_LANGUAGE)


def _ids() -> dict[str, Any]:
    """What the data generator says about this database, or nothing when it does not exist yet."""
    try:
        from tests.bench.city.data import ids
    except ImportError:
        return {}
    try:
        return dict(ids() or {})  # Django is set up already, on this database
    except Exception:  # an older or smaller database the generator cannot describe: find things ourselves
        return {}


def report_year() -> int:
    """The year the benchmark reports on: the generator's export year, else the latest full year with data."""
    for key in ("report_year", "export_year", "records_year", "year"):
        value = _ids().get(key)
        if value:
            return int(value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT EXTRACT(YEAR FROM completed_on)::int FROM staff_enrollment"
                       " WHERE completed_on IS NOT NULL ORDER BY 1 DESC")
        years = [row[0] for row in cursor.fetchall()]
    full = [year for year in years if year < dt.date.today().year]
    return (full or years or [dt.date.today().year])[0]


def report_pdf() -> dict[str, Any]:
    from staff.pdf.render import render_pdf
    from staff.pdf.reporting import reform_report_pdf
    from staff.selectors.reporting import build_reform_report

    year = report_year()
    with translation.override(REPORT_LANGUAGE):
        render_pdf("sample.html", {"name": "Nguyễn Thị Ánh", "title": "Khởi động"})  # warm-up: fonts, ReportLab
        render_to_string("pdf/reform_report.html", {})  # and the report's templates compiled
        started = time.perf_counter()
        data = reform_report_pdf(build_reform_report(year=year))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "items": _pages(data), "year": year, "bytes": len(data)}


def biggest_class_id() -> int:
    """The class with the most valid certificates (one GROUP BY, outside the clock)."""
    from staff.models import Certificate, CertificateStatus

    row = (Certificate.objects.filter(status=CertificateStatus.VALID).values("enrollment__session_id")
           .annotate(n=Count("pk")).order_by("-n", "enrollment__session_id").first())
    if row is None:
        raise RuntimeError("no valid certificate in this database")
    return row["enrollment__session_id"]


def certificates_pdf() -> dict[str, Any]:
    from courses.models import CourseSession
    from staff.pdf.certificates import certificates_pdf as render_certificates
    from staff.services.printing import class_certificates_to_print

    session = CourseSession.objects.get(pk=biggest_class_id())
    render_certificates(list(class_certificates_to_print(session)[:1]))  # warm-up
    user = User.objects.order_by("-is_superuser", "pk").first()
    runs = [_print_once(session, user) for _ in range(REPEAT)]
    seconds = statistics.median(run["seconds"] for run in runs)
    return {**runs[-1], "seconds": seconds, "runs": [run["seconds"] for run in runs]}


def _print_once(session, user) -> dict[str, Any]:
    from staff.models import ExportJob, ExportStatus
    from staff.services.exports import export_job_start
    from staff.services.printing import PRINT_KIND, class_certificates_to_print, run_certificate_print_job

    with transaction.atomic():
        total = class_certificates_to_print(session).count()
        job = export_job_start(user=user, kind=PRINT_KIND, params={"session": session.pk, "format": "pdf"},
                               rows_total=total, enqueue=lambda _job_id: None)  # run here, not by a worker
        started = time.perf_counter()
        status = run_certificate_print_job.call(job_id=job.pk)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        stored, done = job.file.name, job.rows_done
        transaction.set_rollback(True)
    if stored:
        size = default_storage.size(stored)
        default_storage.delete(stored)
    if status != ExportStatus.DONE or not stored:
        raise RuntimeError(f"the print job ended {status}: {ExportJob.objects.filter(pk=job.pk).first()}")
    return {"seconds": seconds, "items": done, "session": session.pk, "bytes": size}


def certificates_pdf_floor() -> dict[str, Any]:
    from xhtml2pdf import pisa

    from courses.models import CourseSession
    from staff.pdf.certificates import qr_data_uri, verification_url
    from staff.pdf.render import resource_policy, static_dir
    from staff.services.printing import class_certificates_to_print

    session = CourseSession.objects.get(pk=biggest_class_id())
    certificates = list(class_certificates_to_print(session))
    items = [{"certificate": c, "verification_url": verification_url(c),
              "qr": qr_data_uri(verification_url(c))} for c in certificates]
    with translation.override("vi"):
        html = render_to_string("pdf/certificate.html", {"items": items})
        first = render_to_string("pdf/certificate.html", {"items": items[:1]})
    path, policy = str(static_dir() / "document.html"), resource_policy()

    def bare(source: str) -> bytes:
        dest = io.BytesIO()
        status = pisa.CreatePDF(source, dest=dest, path=path, encoding="utf-8", resource_policy=policy)
        if status.err:
            raise RuntimeError("xhtml2pdf failed")
        return dest.getvalue()

    bare(first)  # warm-up, as for ours
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        data = bare(html)
        runs.append(time.perf_counter() - started)
    return {"seconds": statistics.median(runs), "items": len(certificates), "session": session.pk,
            "bytes": len(data), "runs": runs}


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)
