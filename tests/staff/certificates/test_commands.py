"""The certificate commands: a class or one certificate to PDF (written atomically), reminders once,
clear errors and no file on bad input; and the demo issues its certificates once."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from courses.models import CourseSession
from staff.models import Certificate, CertificateReminder, CertificateStatus, EnrollmentStatus
from staff.pdf.render import PdfRenderError
from staff.services.certificates import certificate_revoke
from tests import factories
from tests.staff.certificate_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.staff.certificate_fixtures import NAME

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.fixture
def class_of_three(certificate, official, past_session, organizer):
    others = [factories.issued_certificate(enrollment=factories.completed_enrollment(
        official=factories.official(unit=official.unit), session=past_session)) for _ in range(3)]
    certificate_revoke(certificate=others[-1], by=organizer, reason="Không đủ điều kiện")
    return [certificate, *others[:2]]


def test_print_certificates_writes_one_page_per_valid_certificate_in_serial_order(class_of_three, past_session,
                                                                                   tmp_path):
    target = tmp_path / "lop.pdf"

    output = run("print_certificates", session=past_session.pk, output=str(target))

    texts = pages(target)
    assert len(texts) == 3  # the revoked one is not printed
    assert [c.serial in text for c, text in zip(class_of_three, texts, strict=True)] == [True] * 3
    assert NAME in texts[0]
    assert "3" in output and str(target) in output
    assert [p.name for p in tmp_path.iterdir()] == ["lop.pdf"]  # no temporary file left behind


def test_certificate_pdf_writes_the_certificate_of_a_serial(certificate, tmp_path):
    target = tmp_path / "mot.pdf"

    run("certificate_pdf", certificate.serial, output=str(target))

    texts = pages(target)
    assert len(texts) == 1
    assert certificate.serial in texts[0] and NAME in texts[0]


def test_an_unknown_session_is_an_error_and_writes_nothing(certificate, tmp_path):
    target = tmp_path / "lop.pdf"

    with pytest.raises(CommandError, match="999999"):
        run("print_certificates", session=999999, output=str(target))
    assert list(tmp_path.iterdir()) == []


def test_a_session_without_certificates_is_an_error(course, tmp_path):
    empty = factories.session(course=course, start=dt.date(2026, 9, 1))

    with pytest.raises(CommandError):
        run("print_certificates", session=empty.pk, output=str(tmp_path / "lop.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_or_revoked_serial_is_an_error_and_writes_nothing(certificate, organizer, tmp_path):
    with pytest.raises(CommandError, match="KHONG-CO"):
        run("certificate_pdf", "KHONG-CO", output=str(tmp_path / "a.pdf"))
    certificate_revoke(certificate=certificate, by=organizer, reason="Sai thông tin")
    with pytest.raises(CommandError):
        run("certificate_pdf", certificate.serial, output=str(tmp_path / "b.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_folder_is_an_error(certificate, tmp_path):
    with pytest.raises(CommandError):
        run("certificate_pdf", certificate.serial, output=str(tmp_path / "khong-co" / "a.pdf"))


def test_a_failed_render_leaves_an_existing_file_untouched_and_no_partial_file(certificate, tmp_path, monkeypatch):
    target = tmp_path / "mot.pdf"
    target.write_bytes(b"%PDF- the old, complete file")

    def broken(*args, **kwargs):
        raise PdfRenderError("broken on purpose")

    monkeypatch.setattr("staff.pdf.certificates.render_pdf", broken)
    with pytest.raises(PdfRenderError):
        run("certificate_pdf", certificate.serial, output=str(target))

    assert target.read_bytes() == b"%PDF- the old, complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["mot.pdf"]


def test_remind_certificate_expiry_sends_once_and_says_how_many(certificate, monkeypatch):
    monkeypatch.setattr("staff.services.certificates.notify_certificate_expiring", lambda *args: None)
    day = (certificate.expires_on - dt.timedelta(days=20)).isoformat()

    first = run("remind_certificate_expiry", date=day)
    second = run("remind_certificate_expiry", date=day)

    assert "Sent 1 " in first and "Sent 0 " in second
    assert list(CertificateReminder.objects.values_list("days_before", flat=True)) == [30]
    with pytest.raises(CommandError):
        run("remind_certificate_expiry", date="26/11/2026")


# --- Demo data ------------------------------------------------------------------------------------


def test_seed_demo_issues_certificates_once_and_the_commands_work_on_them(tmp_path):
    run("seed_demo", officials=40)
    first = Certificate.objects.count()
    run("seed_demo", officials=40)

    assert first > 0
    assert Certificate.objects.count() == first
    completed = {row for row in Certificate.objects.values_list("enrollment__status", "status").distinct()}
    assert completed == {(EnrollmentStatus.COMPLETED, CertificateStatus.VALID)}
    soon = timezone.localdate() + dt.timedelta(days=90)
    assert Certificate.objects.filter(expires_on__gte=timezone.localdate(), expires_on__lte=soon).exists()

    session = CourseSession.objects.filter(end_date__lt=timezone.localdate(),
                                           enrollments__certificates__isnull=False).distinct().first()
    run("print_certificates", session=session.pk, output=str(tmp_path / "lop.pdf"))
    expected = Certificate.objects.filter(enrollment__session=session, status=CertificateStatus.VALID).count()
    assert len(pages(tmp_path / "lop.pdf")) == expected
    serial = Certificate.objects.order_by("pk").values_list("serial", flat=True).first()
    run("certificate_pdf", serial, output=str(tmp_path / "mot.pdf"))
    assert serial in pages(tmp_path / "mot.pdf")[0]

    # The demo's organizer, city HR and ward HR all find certificates in the admin menu.
    client = Client()
    for username in ("tochuc", "hr.thanhpho", "hr.khuongdinh"):
        client.force_login(User.objects.get(username=username))
        assert "/admin/certificates/" in client.get("/admin/").content.decode(), username
        assert client.get("/admin/certificates/").context["object_list"], username
