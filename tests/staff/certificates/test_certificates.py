"""Certificates: issued once per completed enrollment, numbered without gaps even under concurrency,
revoked with a reason, reissued as a replacement, printed with every diacritic and a QR code that
points at the verification page, and reminded before expiry once per threshold."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pypdf
import pytest
import segno
from django.conf import settings
from django.db import connection, transaction

from staff.models import Certificate, CertificateReminder, CertificateSerial, CertificateStatus, EnrollmentStatus
from staff.pdf.certificates import QR_MASK, certificate_pdf, certificates_pdf
from staff.services.certificates import (
    CertificateError,
    add_months,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    certificates_remind_expiring,
)
from tests import factories
from tests.pdf_text import pdftotext, pypdf_text
from tests.staff.certificate_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.staff.certificate_fixtures import NAME, TITLE

pytestmark = pytest.mark.django_db


# --- Issuing --------------------------------------------------------------------------------------


def test_a_completed_enrollment_gets_a_numbered_certificate_copying_the_course(certificate, completed,
                                                                              training_centre):
    assert certificate.serial == "TTBD-2026-00001"
    assert (certificate.organizer, certificate.year, certificate.number) == (training_centre, 2026, 1)
    assert certificate.official == completed.official
    assert certificate.course_title == TITLE
    assert certificate.credential_type == "chung_chi"
    assert certificate.periods == 14  # what the enrollment earned, not the course's 16
    assert (certificate.start_date, certificate.end_date) == (dt.date(2026, 10, 5), dt.date(2026, 10, 6))
    assert certificate.expires_on == dt.date(2028, 10, 6)
    assert certificate.state(today=dt.date(2026, 11, 26)) == "valid"


def test_issuing_again_returns_the_same_certificate_and_takes_no_number(certificate, completed):
    again = certificate_issue(enrollment=completed, by=None)

    assert again.pk == certificate.pk
    assert CertificateSerial.objects.get().last_number == 1


def test_the_verification_code_is_long_random_and_unrelated_to_the_serial(certificate, official, past_session):
    other = factories.issued_certificate(
        enrollment=factories.completed_enrollment(official=factories.official(unit=official.unit),
                                                  session=past_session))

    assert len(certificate.verification_code) >= 24
    assert certificate.verification_code != other.verification_code
    assert certificate.serial not in certificate.verification_code


@pytest.mark.parametrize("status", [EnrollmentStatus.CONFIRMED, EnrollmentStatus.NOT_COMPLETED,
                                    EnrollmentStatus.CANCELLED])
def test_only_a_completed_enrollment_earns_a_certificate(official, past_session, status):
    enrollment = factories.enrollment(official=official, session=past_session, status=status)

    with pytest.raises(CertificateError):
        certificate_issue(enrollment=enrollment, by=None)
    assert not Certificate.objects.exists()


def test_numbers_run_per_organizer_and_year(past_session, course, ward_a):
    other_session = factories.session(course=course, start=dt.date(2025, 5, 5))

    def issue(session, day):
        enrollment = factories.completed_enrollment(official=factories.official(unit=ward_a), session=session)
        return factories.issued_certificate(enrollment=enrollment, issued_on=day).serial

    serials = [issue(past_session, dt.date(2026, 1, 2)), issue(other_session, dt.date(2025, 5, 6)),
               issue(past_session, dt.date(2026, 12, 30))]

    assert serials == ["TTBD-2026-00001", "TTBD-2025-00001", "TTBD-2026-00002"]


def test_a_rolled_back_issue_leaves_no_gap(completed, official, past_session):
    with pytest.raises(RuntimeError), transaction.atomic():
        certificate_issue(enrollment=completed, by=None, issued_on=dt.date(2026, 10, 6))
        raise RuntimeError("the caller failed after issuing")

    assert not Certificate.objects.exists()
    assert factories.issued_certificate(enrollment=completed, issued_on=dt.date(2026, 10, 6)).number == 1


@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2026, 10, 6), 24, dt.date(2028, 10, 6)),
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
])
def test_validity_months_are_calendar_months_clamped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


# --- Revoking and reissuing -----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_needs_a_reason(certificate, organizer, reason):
    with pytest.raises(CertificateError):
        certificate_revoke(certificate=certificate, by=organizer, reason=reason)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoking_records_who_when_and_why_and_happens_once(certificate, organizer):
    certificate_revoke(certificate=certificate, by=organizer, reason="Hồ sơ điểm danh sai")

    assert certificate.status == CertificateStatus.REVOKED
    assert (certificate.revoked_by, certificate.revoked_reason) == (organizer, "Hồ sơ điểm danh sai")
    assert certificate.revoked_at is not None
    with pytest.raises(CertificateError):
        certificate_revoke(certificate=certificate, by=organizer, reason="again")


def test_reissuing_gives_a_new_serial_and_marks_the_old_one_replaced(certificate, organizer):
    new = certificate_reissue(certificate=certificate, by=organizer, reason="Sai chính tả họ tên")

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REPLACED
    assert new.status == CertificateStatus.VALID
    assert new.replaces == certificate and certificate.replaced_by == new
    assert new.serial != certificate.serial
    assert new.verification_code != certificate.verification_code
    assert new.enrollment_id == certificate.enrollment_id
    assert new.expires_on == certificate.expires_on  # validity comes from the training, not the reprint
    assert certificate.state() == "replaced"


def test_a_revoked_certificate_cannot_be_reissued(certificate, organizer):
    certificate_revoke(certificate=certificate, by=organizer, reason="Không đủ điều kiện")

    with pytest.raises(CertificateError):
        certificate_reissue(certificate=certificate, by=organizer)
    assert Certificate.objects.count() == 1


# --- PDF ------------------------------------------------------------------------------------------


def test_the_pdf_keeps_the_name_and_title_with_every_diacritic(certificate):
    text = pypdf_text(certificate_pdf(certificate))

    assert NAME in text
    assert TITLE in text
    assert certificate.serial in text


def test_the_pdf_keeps_every_diacritic_with_pdftotext(certificate, tmp_path):
    text = pdftotext(certificate_pdf(certificate), tmp_path)

    assert NAME in text
    assert TITLE in text


def test_the_pdf_shows_no_personal_data_beyond_the_name(certificate):
    text = pypdf_text(certificate_pdf(certificate))

    for secret in ("CB-A-1", "14/03/1985", "1985", "hai.nguyen@example.invalid", "0912 345 678"):
        assert secret not in text


def test_rendering_a_certificate_logs_no_warning(certificate, caplog):
    caplog.set_level(logging.DEBUG, logger="xhtml2pdf")
    caplog.set_level(logging.DEBUG, logger="reportlab")

    certificate_pdf(certificate)

    records = [r for r in caplog.records if r.name.startswith(("xhtml2pdf", "reportlab"))]
    assert sum("Load font" in r.getMessage() for r in records) == 2  # the capture does see xhtml2pdf
    # The QR travels as a base64 data: URI that xhtml2pdf echoes at DEBUG level; random base64 can spell
    # "missing" or "glyph", so the payload is cut out before looking for words.
    messages = [(r.levelno, re.sub(r"data:[^'\s]+", "data:…", r.getMessage())) for r in records]
    suspicious = [text for level, text in messages if level >= logging.WARNING or any(
        word in text.lower() for word in ("glyph", "not found", "could not", "missing", "blocked"))]
    assert suspicious == []


def expected_verification_url(certificate: Certificate) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/xac-minh/{certificate.verification_code}/"


def qr_modules(pdf: bytes, page: int = 0) -> list[list[bool]]:
    """Read the QR image back out of the PDF as a grid of dark modules (4 px a module, 4 modules of margin)."""
    images = pypdf.PdfReader(io.BytesIO(pdf)).pages[page].images
    assert len(images) == 1
    picture = images[0].image.convert("L")
    size = picture.width // 4 - 8
    return [[picture.getpixel(((col + 4) * 4 + 2, (row + 4) * 4 + 2)) < 128 for col in range(size)]
            for row in range(size)]


def canonical_modules(url: str) -> list[list[bool]]:
    # The certificate's mask is fixed (staff.pdf.certificates.QR_MASK); the data and error level are segno's own.
    return [[bool(module) for module in row] for row in segno.make_qr(url, error="m", mask=QR_MASK).matrix]


def test_the_qr_code_in_the_pdf_encodes_the_public_verification_url(certificate, official, past_session):
    url = expected_verification_url(certificate)
    other = factories.issued_certificate(
        enrollment=factories.completed_enrollment(official=factories.official(unit=official.unit),
                                                  session=past_session))

    modules = qr_modules(certificate_pdf(certificate))

    assert modules == canonical_modules(url)
    assert modules != canonical_modules(expected_verification_url(other))  # control: the grid does tell codes apart


def test_the_pdf_links_to_the_verification_url(certificate):
    page = pypdf.PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0]
    links = [annotation.get_object()["/A"]["/URI"] for annotation in page.get("/Annots", [])]

    assert links == [expected_verification_url(certificate)]


def test_a_class_prints_as_one_document_with_a_page_per_certificate(certificate, official, past_session):
    others = [factories.issued_certificate(enrollment=factories.completed_enrollment(
        official=factories.official(unit=official.unit), session=past_session)) for _ in range(2)]

    pdf = certificates_pdf(Certificate.objects.order_by("number"))

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert [c.serial in reader.pages[i].extract_text() for i, c in enumerate([certificate, *others])] == [True] * 3
    assert float(reader.pages[0].mediabox.width) > float(reader.pages[0].mediabox.height)  # landscape


# --- Reminders ------------------------------------------------------------------------------------


@pytest.fixture
def reminded(monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr("staff.services.certificates.notify_certificate_expiring",
                        lambda certificate, days: calls.append((certificate.pk, days)))
    return calls


def test_reminders_go_at_90_30_and_7_days_once_each(certificate, reminded):
    expiry = certificate.expires_on
    runs = [expiry - dt.timedelta(days=days) for days in (120, 90, 89, 30, 29, 7, 3, 0, -1)]

    sent = [certificates_remind_expiring(today=day) for day in runs]
    sent_again = [certificates_remind_expiring(today=day) for day in runs]

    assert sent == [0, 1, 0, 1, 0, 1, 0, 0, 0]
    assert sent_again == [0] * len(runs)
    assert reminded == [(certificate.pk, 90), (certificate.pk, 30), (certificate.pk, 7)]


def test_a_certificate_found_late_gets_only_the_tightest_reminder(certificate, reminded):
    certificates_remind_expiring(today=certificate.expires_on - dt.timedelta(days=5))
    certificates_remind_expiring(today=certificate.expires_on - dt.timedelta(days=4))

    assert reminded == [(certificate.pk, 7)]
    assert list(CertificateReminder.objects.values_list("days_before", flat=True)) == [7]


def test_revoked_expired_and_non_expiring_certificates_get_no_reminder(certificate, organizer, official,
                                                                       past_session, reminded):
    today = certificate.expires_on - dt.timedelta(days=6)
    certificate_revoke(certificate=certificate, by=organizer, reason="Sai thông tin")
    expired = factories.issued_certificate(enrollment=factories.completed_enrollment(
        official=factories.official(unit=official.unit), session=past_session))
    Certificate.objects.filter(pk=expired.pk).update(expires_on=today - dt.timedelta(days=1))
    forever = factories.issued_certificate(enrollment=factories.completed_enrollment(
        official=factories.official(unit=official.unit), session=past_session))
    Certificate.objects.filter(pk=forever.pk).update(expires_on=None)

    assert certificates_remind_expiring(today=today) == 0
    assert reminded == []


def test_a_reissued_certificate_is_not_reminded_again(certificate, organizer, reminded):
    certificates_remind_expiring(today=certificate.expires_on - dt.timedelta(days=80))
    new = certificate_reissue(certificate=certificate, by=organizer)

    certificates_remind_expiring(today=certificate.expires_on - dt.timedelta(days=70))

    assert reminded == [(certificate.pk, 90)]
    assert list(new.reminders.values_list("days_before", flat=True)) == [90]


# --- Concurrency ----------------------------------------------------------------------------------

WORKERS = 24


def _run_together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)  # everyone starts together
            return call()
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_number_1_to_n_without_gaps_or_duplicates(ward_a, training_centre):
    course = factories.course(title=TITLE, organizer=training_centre, certificate_validity_months=12)
    session = factories.session(course=course, start=dt.date(2026, 10, 5), days=2)
    enrollments = [factories.completed_enrollment(official=factories.official(unit=ward_a), session=session)
                   for _ in range(WORKERS // 2)]
    # Every enrollment is asked for twice at once: the duplicate must neither add a certificate nor
    # burn a number.
    calls = [lambda e=e: certificate_issue(enrollment=e, by=None, issued_on=dt.date(2026, 10, 6))
             for e in enrollments * 2]

    results = _run_together(calls)

    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(enrollments) + 1))
    assert len({c.pk for c in results}) == len(enrollments)
    assert Certificate.objects.values("serial").distinct().count() == len(enrollments)
    assert CertificateSerial.objects.get().last_number == len(enrollments)
