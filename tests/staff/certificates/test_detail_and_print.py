"""The certificate's detail page in the admin (never "None", revoke and reissue from it), printing a whole
class's certificates as a background job with its progress, the progress of exports and invitation batches,
and the public verification form's answer to an empty code."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from staff.models import AuditEntry, Certificate, CertificateStatus, ExportJob, ExportStatus, InvitationBatch
from staff.services import printing
from staff.services.printing import PRINT_KIND, certificate_print_start
from tests import factories
from tests.staff.certificate_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.staff.certificate_fixtures import NAME

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    """What the reader sees of the page's main content (Wagtail's own markup has "None" in a class name)."""
    main = html[html.index("<main"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def grant(user, *codenames: str) -> None:
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label__in=("staff", "wagtailadmin"),
                                                         codename=codename))


@pytest.fixture
def issuer(organizer):
    grant(organizer, "access_admin", "view_certificate", "change_certificate")
    return organizer


# --- 5. The certificate's detail page ----------------------------------------------------------------


def test_the_detail_page_shows_no_none_and_offers_revoke_and_reissue(client, certificate, issuer):
    client.force_login(issuer)

    response = client.get(f"/admin/certificates/inspect/{certificate.pk}/")

    html = response.content.decode()
    main = html[html.index("<main"):]
    assert response.status_code == 200 and NAME in main and certificate.serial in main
    assert "None" not in visible_text(html)
    assert f"/admin/certificates/revoke/{certificate.pk}/" in main
    assert f"/admin/certificates/reissue/{certificate.pk}/" in main
    assert "06/10/2028" in main  # dates as people write them


def test_a_revoked_certificate_shows_why_and_offers_nothing_more(client, certificate, issuer):
    client.force_login(issuer)
    client.post(f"/admin/certificates/revoke/{certificate.pk}/", {"reason": "Không đủ số tiết"})

    main = client.get(f"/admin/certificates/inspect/{certificate.pk}/").content.decode()
    main = main[main.index("<main"):]

    assert "Không đủ số tiết" in main and "None" not in visible_text(main)
    assert f"/admin/certificates/revoke/{certificate.pk}/" not in main
    assert AuditEntry.objects.filter(action="certificate_revoke", object_id=str(certificate.pk)).exists()


def test_reissuing_from_the_detail_page_leads_to_the_new_certificate(client, certificate, issuer):
    client.force_login(issuer)

    response = client.post(f"/admin/certificates/reissue/{certificate.pk}/", {"reason": "Sai tên khóa học"})

    new = Certificate.objects.get(replaces=certificate)
    assert response["Location"] == f"/admin/certificates/inspect/{new.pk}/"
    main = client.get(response["Location"]).content.decode()
    assert certificate.serial in main[main.index("<main"):]  # "replaces …"
    assert AuditEntry.objects.filter(action="certificate_issue", object_id=str(new.pk)).exists()


def test_the_hr_of_the_ward_sees_the_detail_without_the_issuers_actions(client, certificate, hr_a):
    grant(hr_a, "access_admin", "view_certificate", "change_certificate")
    client.force_login(hr_a)
    main = client.get(f"/admin/certificates/inspect/{certificate.pk}/").content.decode()
    assert "/revoke/" not in main[main.index("<main"):]


# --- 6. Printing a whole class ------------------------------------------------------------------------


@pytest.fixture
def class_of_three(certificate, past_session, ward_a, organizer):
    others = [factories.issued_certificate(enrollment=factories.completed_enrollment(
        official=factories.official(unit=ward_a, name=f"Đỗ Minh Đức {i}"), session=past_session), by=organizer)
        for i in range(2)]
    return [certificate, *others]


def test_the_class_prints_as_one_pdf_through_a_job_with_progress(client, class_of_three, past_session, issuer,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(issuer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff_class_certificates_print", args=[past_session.pk]))

    job = ExportJob.objects.get(kind=PRINT_KIND)
    assert response["Location"] == reverse("staff_export_job", args=[job.pk])
    state = client.get(reverse("staff_export_job_status", args=[job.pk])).json()
    assert (state["state"], state["done"], state["total"], state["finished"]) == ("done", 3, 3, True)
    download = client.get(state["download_url"])
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert download["Content-Type"] == "application/pdf" and len(pdf.pages) == 3
    assert "Đỗ Minh Đức 0" in "\n".join(page.extract_text() for page in pdf.pages)
    page = client.get(response["Location"]).content.decode()
    assert 'data-progress-url="' in page and "js/progress.js" in page


def test_a_failed_print_says_failed_with_its_error_and_never_looks_finished(client, class_of_three, past_session,
                                                                            issuer, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    def broken(_certificates):
        raise OSError("Hết dung lượng đĩa")

    monkeypatch.setattr(printing, "certificates_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = certificate_print_start(session=past_session, user=issuer)
    client.force_login(issuer)

    job.refresh_from_db()
    state = client.get(reverse("staff_export_job_status", args=[job.pk])).json()
    page = client.get(reverse("staff_export_job", args=[job.pk])).content.decode()

    assert job.status == ExportStatus.FAILED and not job.file
    assert state["state"] == "failed" and state["download_url"] == "" and "Hết dung lượng đĩa" in state["text"]
    assert "Thất bại" in page and "Hết dung lượng đĩa" in page and "/download/" not in page
    download = reverse("staff_export_job_pdf", args=[job.pk])
    assert client.get(download).status_code == 404


def test_only_the_requester_sees_a_print_job(client, class_of_three, past_session, issuer, training_centre,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = certificate_print_start(session=past_session, user=issuer)
    colleague = factories.user("organizer.2", role="organizer", unit=training_centre)
    client.force_login(colleague)
    assert client.get(reverse("staff_export_job_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("staff_export_job", args=[job.pk])).status_code == 404


def test_a_class_without_certificates_has_nothing_to_print(client, past_session, issuer):
    client.force_login(issuer)
    response = client.post(reverse("staff_class_certificates_print", args=[past_session.pk]), follow=True)
    assert not ExportJob.objects.exists()
    assert "Lớp học không có chứng chỉ còn hiệu lực để in." in response.content.decode()


# --- The progress component on the export jobs and invitation batch pages --------------------------------


def test_the_export_jobs_page_watches_running_jobs_and_names_a_failure(client, issuer):
    running = ExportJob.objects.create(user=issuer, kind="training_records", status=ExportStatus.RUNNING,
                                       rows_done=5, rows_total=20)
    ExportJob.objects.create(user=issuer, kind="training_records", status=ExportStatus.FAILED,
                             error="Không đọc được bộ lọc")
    client.force_login(issuer)

    html = client.get(reverse("staff_export_jobs")).content.decode()

    assert f'data-progress-url="{reverse("staff_export_job_status", args=[running.pk])}"' in html
    assert "Đã xong 5/20." in html and "Không đọc được bộ lọc" in html and "Thất bại" in html
    assert "js/progress.js" in html


def test_the_invitation_batch_page_no_longer_reloads_itself(client, city_hr):
    grant(city_hr, "access_admin")
    batch = InvitationBatch.objects.create(created_by=city_hr, channel="email", status="running", total=10, sent=4)
    client.force_login(city_hr)

    html = client.get(reverse("staff_invitation_batch", args=[batch.pk])).content.decode()
    state = client.get(reverse("staff_invitation_batch_status", args=[batch.pk])).json()

    assert 'http-equiv="refresh"' not in html and "data-progress-url" in html
    assert (state["state"], state["done"], state["total"], state["finished"]) == ("running", 4, 10, False)


def test_another_hr_cannot_read_a_batchs_status(client, city_hr, hr_b):
    batch = InvitationBatch.objects.create(created_by=city_hr, channel="email", total=1)
    client.force_login(hr_b)
    assert client.get(reverse("staff_invitation_batch_status", args=[batch.pk])).status_code in (403, 404)


# --- 8. The verification form with an empty code ----------------------------------------------------


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_code_says_what_to_type(client, typed):
    response = client.get("/xac-minh/", {"code": typed})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hãy nhập mã xác minh in dưới mã QR" in html and 'aria-invalid="true"' in html


def test_the_form_opened_without_a_code_shows_no_error(client):
    assert 'aria-invalid' not in client.get("/xac-minh/").content.decode()


def test_a_revoked_certificate_stays_out_of_the_print(class_of_three, past_session, issuer):
    from staff.services.certificates import certificate_revoke

    certificate_revoke(certificate=class_of_three[0], by=issuer, reason="Sai")
    assert printing.class_certificates_to_print(past_session).count() == 2
    assert Certificate.objects.filter(status=CertificateStatus.VALID).count() == 2
