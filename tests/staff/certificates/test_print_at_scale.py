"""Printing a class stays one query and one xhtml2pdf run however many certificates it has, and the page
breaks do not nest the certificates inside one another (which made each page cost more than the last)."""

from __future__ import annotations

from xml.dom import Node

import html5lib
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from staff.models import Certificate, ExportJob, ExportStatus
from staff.pdf import certificates as certificate_pdfs
from staff.services import printing
from staff.services.exports import export_job_start
from tests import factories
from tests.queries import build_queries
from tests.staff.certificate_fixtures import *  # noqa: F403  (the shared fixtures)

pytestmark = pytest.mark.django_db


def _class(size, *, past_session, ward_a, organizer):
    for i in range(size):
        factories.issued_certificate(enrollment=factories.completed_enrollment(
            official=factories.official(unit=ward_a, name=f"Đỗ Minh Đức {i}"), session=past_session), by=organizer)


def _print(session, user):
    job = export_job_start(user=user, kind=printing.PRINT_KIND, params={"session": session.pk, "format": "pdf"},
                           enqueue=lambda _job_id: None)
    return build_queries(lambda: printing.run_certificate_print_job.call(job_id=job.pk)), job


def test_the_print_job_makes_the_same_queries_and_one_render_for_two_or_six(past_session, ward_a, organizer,
                                                                          monkeypatch):
    renders = []
    real = printing.certificates_pdf
    monkeypatch.setattr(printing, "certificates_pdf", lambda chunk: renders.append(len(chunk)) or real(chunk))

    _class(2, past_session=past_session, ward_a=ward_a, organizer=organizer)
    _print(past_session, organizer)  # a first job warms the per-process caches (content types)
    (two, status), _job = _print(past_session, organizer)
    _class(4, past_session=past_session, ward_a=ward_a, organizer=organizer)
    (six, status_six), job = _print(past_session, organizer)

    assert (status, status_six) == (ExportStatus.DONE, ExportStatus.DONE)
    assert renders == [2, 2, 6]  # a class is one xhtml2pdf run
    # claim, the job, the session, the class (official and organizer joined), one progress, finish and its
    # audit entry (with the audit's own reads and savepoints): 13, the same for 2 certificates as for 6.
    assert two == six == 13
    assert ExportJob.objects.get(pk=job.pk).rows_done == 6


def test_a_roll_bigger_than_a_chunk_is_joined_from_parts(past_session, ward_a, organizer, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK", 2)
    _class(5, past_session=past_session, ward_a=ward_a, organizer=organizer)
    (_queries, status), job = _print(past_session, organizer)

    from pypdf import PdfReader

    job.refresh_from_db()
    assert status == ExportStatus.DONE and job.rows_done == 5
    with job.file.open("rb") as stored:
        assert len(PdfReader(stored).pages) == 5


def _depth(node) -> int:
    return 1 + max((_depth(child) for child in node.childNodes if child.nodeType == Node.ELEMENT_NODE), default=0)


def test_certificates_follow_one_another_instead_of_nesting(past_session, ward_a, organizer):
    _class(12, past_session=past_session, ward_a=ward_a, organizer=organizer)
    certificates = list(Certificate.objects.select_related("official", "organizer").order_by("number"))

    def depth(count: int) -> int:
        items = [{"certificate": c, "verification_url": "https://x.invalid/", "qr": ""} for c in certificates[:count]]
        with translation.override("vi"):
            return _depth(html5lib.parse(render_to_string("pdf/certificate.html", {"items": items}),
                                         treebuilder="dom"))

    assert depth(12) == depth(2)
    assert certificate_pdfs.qr_data_uri("https://x.invalid/a").startswith("data:image/png;base64,")


def test_a_print_run_queued_again_after_its_worker_died_takes_its_own_job_over(past_session, ward_a, organizer):
    from types import SimpleNamespace

    from staff.services.exports import export_job_claim

    _class(2, past_session=past_session, ward_a=ward_a, organizer=organizer)
    job = export_job_start(user=organizer, kind=printing.PRINT_KIND, params={"session": past_session.pk,
                                                                           "format": "pdf"},
                           enqueue=lambda _job_id: None)
    assert export_job_claim(job_id=job.pk, task_id="task-1")  # its first worker then died mid-print

    def run_as(task_id: str) -> str:
        return printing.run_certificate_print_job.call(SimpleNamespace(task_result=SimpleNamespace(id=task_id)),
                                                       job_id=job.pk)

    assert run_as("task-2") == "skipped"  # another task for the same job
    assert run_as("task-1") == ExportStatus.DONE  # the same task, queued again by the reaper
    assert ExportJob.objects.get(pk=job.pk).rows_done == 2
