"""Certificates on the web: anyone verifies by the code (and sees nothing personal beyond the certificate),
the owner and the HR or organizer in scope download the PDF, and the admin lists, revokes and reissues
within the scope only (404 outside it)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import pypdf
import pytest
from django.contrib.auth.models import Permission

from staff.models import Certificate, CertificateStatus
from staff.services.certificates import certificate_reissue, certificate_revoke
from tests import factories
from tests.staff.certificate_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.staff.certificate_fixtures import NAME, TITLE

pytestmark = pytest.mark.django_db

PERSONAL = ("CB-A-1", "14/03/1985", "1985-03-14", "hai.nguyen@example.invalid", "0912 345 678")


def verify(client, certificate: Certificate):
    return client.get(f"/xac-minh/{certificate.verification_code}/")


# --- Public verification --------------------------------------------------------------------------


def test_a_valid_certificate_verifies_without_login(client, certificate):
    response = verify(client, certificate)

    assert response.status_code == 200
    assert response.context["state"] == "valid"
    html = response.content.decode()
    for shown in (NAME, TITLE, certificate.serial, "05/10/2026", "06/10/2026", "06/10/2028", "14",
                  "Trung tâm Bồi dưỡng", 'data-state="valid"'):
        assert shown in html


def test_verification_shows_no_date_of_birth_employee_code_or_contact(client, certificate):
    html = verify(client, certificate).content.decode()

    assert NAME in html
    for secret in PERSONAL:
        assert secret not in html


def test_verification_asks_search_engines_not_to_index(client, certificate):
    response = verify(client, certificate)

    assert "noindex" in response["X-Robots-Tag"]


def test_an_expired_certificate_says_so(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=dt.date(2020, 1, 1))

    response = verify(client, certificate)

    assert response.status_code == 200
    assert response.context["state"] == "expired"
    assert 'data-state="expired"' in response.content.decode()


def test_a_revoked_certificate_says_so_without_the_reason(client, certificate, organizer):
    certificate_revoke(certificate=certificate, by=organizer, reason="Lý do nội bộ rất riêng")

    response = verify(client, certificate)

    assert response.context["state"] == "revoked"
    html = response.content.decode()
    assert 'data-state="revoked"' in html
    assert "Lý do nội bộ rất riêng" not in html


def test_a_replaced_certificate_names_the_serial_that_replaced_it(client, certificate, organizer):
    new = certificate_reissue(certificate=certificate, by=organizer, reason="Sai chính tả")

    response = verify(client, certificate)

    assert response.context["state"] == "replaced"
    html = response.content.decode()
    assert new.serial in html
    assert new.verification_code not in html  # holding the old paper gives no access to the new one
    assert verify(client, new).context["state"] == "valid"


def test_an_unknown_code_is_404(client, certificate):
    assert client.get("/xac-minh/khong-co-ma-nay/").status_code == 404
    assert client.get(f"/xac-minh/{certificate.serial}/").status_code == 404  # never by the guessable serial


def test_the_form_takes_a_typed_code_or_a_pasted_address(client, certificate):
    form = client.get("/xac-minh/")
    typed = client.get("/xac-minh/", {"code": f"  {certificate.verification_code} "})
    pasted = client.get("/xac-minh/", {"code": f"https://x.example.invalid/xac-minh/{certificate.verification_code}/"})
    unknown = client.get("/xac-minh/", {"code": "khong-co"})

    assert form.status_code == 200 and 'name="code"' in form.content.decode()
    assert typed.status_code == pasted.status_code == 302
    assert typed["Location"] == pasted["Location"] == f"/xac-minh/{certificate.verification_code}/"
    assert unknown.status_code == 200 and unknown.context["error"]


# --- Download -------------------------------------------------------------------------------------


def download(client, user, certificate):
    if user is not None:
        client.force_login(user)
    return client.get(f"/chung-chi/{certificate.pk}/pdf/")


def test_the_owner_downloads_the_pdf_with_the_name_in_the_filename(client, certificate, official):
    response = download(client, official.user, certificate)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    # RFC 5987: filename*=charset''percent-encoded-UTF-8
    charset, _language, encoded = disposition.split("filename*=", 1)[1].split(";")[0].split("'", 2)
    assert charset.lower() == "utf-8"
    assert unquote(encoded) == f"{NAME} – {certificate.serial}.pdf"
    pdf = b"".join(response.streaming_content)
    assert NAME in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize("who", ["hr_a", "city_hr", "organizer"])
def test_hr_in_scope_and_the_issuing_organizer_download(client, certificate, request, who):
    assert download(client, request.getfixturevalue(who), certificate).status_code == 200


def test_hr_of_another_ward_gets_404(client, certificate, hr_b):
    assert download(client, hr_b, certificate).status_code == 404


def test_another_official_gets_404(client, certificate, ward_a):
    stranger = factories.official(unit=ward_a)
    stranger.user = factories.user("stranger")
    stranger.save(update_fields=["user"])

    assert download(client, stranger.user, certificate).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, certificate):
    response = download(client, None, certificate)

    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_a_revoked_certificate_is_no_longer_downloadable(client, certificate, official, organizer):
    certificate_revoke(certificate=certificate, by=organizer, reason="Sai thông tin")

    assert download(client, official.user, certificate).status_code == 404


# --- Admin ----------------------------------------------------------------------------------------


def grant(user, *codenames: str) -> None:
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label__in=("staff", "wagtailadmin"),
                                                         codename=codename))


@pytest.fixture
def staff_users(hr_a, hr_b, organizer, city_hr):
    for user in (hr_a, hr_b, organizer, city_hr):
        grant(user, "access_admin", "view_certificate", "change_certificate")
    return {"hr_a": hr_a, "hr_b": hr_b, "organizer": organizer, "city_hr": city_hr}


def listed(client, user, **params) -> set[str]:
    client.force_login(user)
    response = client.get("/admin/certificates/", params)
    assert response.status_code == 200
    return {c.serial for c in response.context["object_list"]}


def test_the_admin_list_is_scoped(client, certificate, staff_users, official_b, past_session):
    theirs = factories.issued_certificate(enrollment=factories.completed_enrollment(official=official_b,
                                                                                   session=past_session))

    assert listed(client, staff_users["hr_a"]) == {certificate.serial}
    assert listed(client, staff_users["hr_b"]) == {theirs.serial}
    assert listed(client, staff_users["organizer"]) == {certificate.serial, theirs.serial}  # it issued both
    assert listed(client, staff_users["city_hr"], q=theirs.serial) == {theirs.serial}


def test_the_admin_list_filters_by_status(client, certificate, staff_users, official_b, past_session):
    theirs = factories.issued_certificate(enrollment=factories.completed_enrollment(official=official_b,
                                                                                   session=past_session))
    certificate_revoke(certificate=theirs, by=None, reason="Sai")

    assert listed(client, staff_users["organizer"], status="revoked") == {theirs.serial}
    assert listed(client, staff_users["organizer"], credential_type="chung_chi") == {certificate.serial, theirs.serial}


def test_the_admin_menu_shows_certificates_to_a_user_who_may_view_them(client, certificate, staff_users, ward_a):
    nobody = factories.user("no.rights", role="unit_hr", unit=ward_a)
    grant(nobody, "access_admin")

    client.force_login(staff_users["hr_a"])
    assert "/admin/certificates/" in client.get("/admin/").content.decode()
    client.force_login(nobody)
    assert "/admin/certificates/" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("view", ["revoke", "reissue", "inspect"])
def test_admin_views_are_404_for_hr_of_another_ward(client, certificate, staff_users, view):
    client.force_login(staff_users["hr_b"])

    assert client.get(f"/admin/certificates/{view}/{certificate.pk}/").status_code == 404
    assert client.post(f"/admin/certificates/{view}/{certificate.pk}/", {"reason": "x"}).status_code in (404, 405)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoking_in_the_admin_needs_a_reason(client, certificate, staff_users):
    client.force_login(staff_users["organizer"])
    url = f"/admin/certificates/revoke/{certificate.pk}/"

    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "  "})
    certificate.refresh_from_db()
    assert refused.status_code == 200 and certificate.status == CertificateStatus.VALID

    done = client.post(url, {"reason": "Không đủ số tiết"})
    certificate.refresh_from_db()
    assert done.status_code == 302
    assert (certificate.status, certificate.revoked_reason) == (CertificateStatus.REVOKED, "Không đủ số tiết")


def test_reissuing_in_the_admin_replaces_the_certificate(client, certificate, staff_users):
    client.force_login(staff_users["organizer"])

    response = client.post(f"/admin/certificates/reissue/{certificate.pk}/", {"reason": "Sai ngày sinh"})

    certificate.refresh_from_db()
    assert response.status_code == 302
    assert certificate.status == CertificateStatus.REPLACED
    assert certificate.replaced_by.serial == "TTBD-2026-00002"


def test_without_the_change_permission_revoke_is_refused(client, certificate, ward_a):
    viewer = factories.user("viewer", role="organizer", unit=certificate.organizer)
    grant(viewer, "access_admin", "view_certificate")
    client.force_login(viewer)

    response = client.post(f"/admin/certificates/revoke/{certificate.pk}/", {"reason": "x"})

    certificate.refresh_from_db()
    assert response.status_code in (302, 403)
    assert certificate.status == CertificateStatus.VALID


def test_revoking_is_the_issuers_act_not_the_wards_hr(client, certificate, staff_users):
    client.force_login(staff_users["hr_a"])  # sees the certificate of their official, but did not issue it
    response = client.post(f"/admin/certificates/revoke/{certificate.pk}/", {"reason": "Không đúng"})
    certificate.refresh_from_db()
    assert response.status_code == 404 and certificate.status == CertificateStatus.VALID
