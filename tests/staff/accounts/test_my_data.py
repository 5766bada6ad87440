""""My data" (Law 91/2025): the official reads everything the platform holds about them, downloads it as JSON and
PDF, and sees who opened their record; nobody else's data ever appears, nor a password hash or a secret token.
All data is synthetic."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from staff.models import Attendance, AuditAction, EnrollmentEvent, EnrollmentStatus, Feedback, Gender, Role
from staff.pdf.my_data import my_data_context
from staff.pdf.render import render_pdf
from staff.selectors.my_data import my_data
from staff.sensitive import HR_ONLY_FIELDS, may_see_sensitive, without_hr_only
from staff.services.audit import audit_record
from staff.services.calendars import calendar_feed_ensure
from tests import factories
from tests.pdf_text import pdftotext
from tests.queries import build_queries, page_queries

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Hải"
PERSONAL_ID = "001188012345"  # Hà Nội (001), a woman born in the 1900s (1), in 1988
COURSE = "Kỹ năng số trong quản lý nhà nước"
SERIAL = "TTBD-2026-00042"
COMMENT = "Rất bổ ích cho công việc ở phường."
OTHER_NAME = "Trần Văn Bình"
OTHER_PERSONAL_ID = "001090067890"
OTHER_COURSE = "Quản lý đất đai cấp xã"
OTHER_SERIAL = "TTBD-2026-00043"
HR_NAME = "Lê Thu Trang"
HR_EMAIL = "le.thu.trang.private@example.invalid"


def grant(user, *codenames: str) -> None:
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def trained(official, course, *, serial: str, comment: str = "", by=None):
    """A completed two-day class with attendance, a certificate, a change of status and, if given, feedback."""
    enrollment = factories.completed_enrollment(official=official, session=factories.session(
        course=course, start=dt.date(2026, 3, 2), code="K01"), periods_earned=16)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3)):
        Attendance.objects.create(enrollment=enrollment, day=day, present=day.day == 2)
    EnrollmentEvent.objects.create(enrollment=enrollment, from_status=EnrollmentStatus.CONFIRMED,
                                   to_status=EnrollmentStatus.COMPLETED, by=by, reason="Lớp đã kết thúc")
    factories.certificate(enrollment=enrollment, serial=serial)
    if comment:
        Feedback.objects.create(enrollment=enrollment, content=5, trainer=4, organisation=4, usefulness=5,
                                comment=comment)
    return enrollment


@pytest.fixture
def hr(hr_a):
    hr_a.first_name, hr_a.last_name, hr_a.email = "Lê Thu", "Trang", HR_EMAIL
    hr_a.save(update_fields=["first_name", "last_name", "email"])
    grant(hr_a, "staff.view_official", "staff.change_official")
    return hr_a


@pytest.fixture
def member(official, training_centre, hr):
    """The official, with a roster entry full enough to check, a completed class and a calendar link."""
    official.personal_id, official.gender, official.date_of_birth = PERSONAL_ID, Gender.FEMALE, dt.date(1988, 3, 15)
    official.ethnicity, official.email, official.phone = "Tày", "hong.hai@example.invalid", "0912 345 678"
    official.save()
    trained(official, factories.course(title=COURSE, organizer=training_centre), serial=SERIAL, comment=COMMENT,
            by=hr)
    calendar_feed_ensure(official=official)
    return official


@pytest.fixture
def someone_else(official_b, training_centre):
    """Another official, of another ward, with training of their own: none of it may show."""
    official_b.personal_id, official_b.ethnicity = OTHER_PERSONAL_ID, "Mường"
    official_b.user = factories.user("other.official")
    official_b.save()
    trained(official_b, factories.course(title=OTHER_COURSE, organizer=training_centre), serial=OTHER_SERIAL,
            comment="Nhận xét của người khác")
    calendar_feed_ensure(official=official_b)
    audit_record(user=None, action=AuditAction.RECORD_VIEW, obj=official_b, summary="someone else's record")
    return official_b


def page_of(client, member) -> str:
    client.force_login(member.user)
    response = client.get(reverse("my_data"))
    assert response.status_code == 200
    return response.content.decode()


def downloaded_json(client, member) -> dict:
    client.force_login(member.user)
    return json.loads(client.get(reverse("my_data_json")).content.decode("utf-8"))


# --- What the official sees ------------------------------------------------------------------------------------


def test_the_official_sees_their_own_data_on_the_page(client, member):
    page = page_of(client, member)

    assert NAME in page and "CB-A-1" in page
    assert f'<dd data-field="personal_id">{PERSONAL_ID}</dd>' in page  # their own number, in full
    assert "Tày" in page and "15/03/1988" in page
    assert COURSE in page and SERIAL in page and COMMENT in page
    assert page.count("<tr data-status=\"completed\">") == 1  # the enrollment
    assert "02/03/2026" in page and "03/03/2026" in page  # both class days of the attendance table
    assert "Lớp đã kết thúc" in page  # the change of status and its reason


def test_the_page_links_to_both_downloads_and_to_the_profile(client, member):
    page = page_of(client, member)

    for name in ("my_data_json", "my_data_pdf", "profile"):
        assert f'href="{reverse(name)}"' in page


def test_another_officials_data_never_appears_on_the_page_nor_in_the_downloads(client, member, someone_else,
                                                                                 tmp_path):
    page = page_of(client, member)
    json_text = client.get(reverse("my_data_json")).content.decode("utf-8")
    pdf = pdftotext(client.get(reverse("my_data_pdf")).content, tmp_path)

    for text in (page, json_text, pdf):
        assert COURSE in text  # the official's own training is there...
        for theirs in (OTHER_NAME, OTHER_PERSONAL_ID, OTHER_COURSE, OTHER_SERIAL, "Mường", "Nhận xét của người khác",
                       "someone else's record"):
            assert theirs not in text  # ...and nothing of the other official's


# --- JSON -------------------------------------------------------------------------------------------------------


def test_the_json_downloads_as_a_utf8_attachment_named_after_the_employee_code(client, member):
    client.force_login(member.user)
    response = client.get(reverse("my_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi-CB-A-1.json"'
    assert NAME.encode("utf-8") in response.content  # written as UTF-8, not as \\u escapes


def test_the_json_holds_the_same_facts_as_the_page(client, member):
    data = downloaded_json(client, member)

    assert data["official"]["full_name"] == NAME
    assert data["official"]["personal_id"] == PERSONAL_ID
    assert data["official"]["date_of_birth"] == "1988-03-15"  # dates in ISO 8601
    assert data["official"]["ethnicity"] == "Tày"
    [enrollment] = data["enrollments"]
    assert (enrollment["course"], enrollment["status"], enrollment["periods_earned"]) == (COURSE, "completed", 16)
    assert [(row["day"], row["present"]) for row in enrollment["attendance"]] == [("2026-03-02", True),
                                                                                 ("2026-03-03", False)]
    assert enrollment["feedback"]["comment"] == COMMENT and enrollment["feedback"]["content"] == 5
    assert [c["serial"] for c in data["certificates"]] == [SERIAL]
    assert data["calendar_feed"]["exists"] is True
    assert dt.datetime.fromisoformat(data["generated_at"]).tzinfo is not None  # aware, with its offset


def test_the_json_never_holds_the_password_hash_the_feed_token_nor_a_verification_code(client, member):
    client.force_login(member.user)
    text = client.get(reverse("my_data_json")).content.decode("utf-8")
    member.user.refresh_from_db()
    certificate = member.certificates.get()

    assert member.user.password and member.user.password not in text
    assert "password\"" not in text.replace("password_set\"", "")  # no field holding the password itself
    assert member.calendar_feed.token not in text
    assert certificate.verification_code not in text
    assert json.loads(text)["account"]["password_set"] is True


def test_neither_the_page_nor_the_pdf_shows_the_feed_token(client, member, tmp_path):
    page = page_of(client, member)
    pdf = pdftotext(client.get(reverse("my_data_pdf")).content, tmp_path)

    for text in (page, pdf):
        assert member.calendar_feed.token not in text
        assert member.user.password not in text


def test_the_selector_returns_plain_data_that_json_can_write(member):
    data = my_data(member)

    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(key, str) and plain(item) for key, item in value.items())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return value is None or isinstance(value, str | int | bool | dt.date)  # datetime is a date

    assert plain(data)
    assert json.loads(json.dumps(data, cls=DjangoJSONEncoder))["official"]["full_name"] == NAME


# --- PDF --------------------------------------------------------------------------------------------------------


def test_the_pdf_downloads_and_reads_the_vietnamese_name(client, member, tmp_path):
    client.force_login(member.user)
    response = client.get(reverse("my_data_pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi-CB-A-1.pdf"'
    text = pdftotext(response.content, tmp_path)
    assert NAME in text
    assert PERSONAL_ID in text and SERIAL in text


def test_the_pdfs_long_tables_are_paginated_and_still_render(official, training_centre, hr, tmp_path):
    _more_training(official, training_centre, hr, 36)
    context = my_data_context(my_data(official))

    assert [len(chunk) for chunk in context["enrollment_chunks"]] == [35, 1]
    assert [len(chunk) for chunk in context["opening_chunks"]] == [35, 1]
    assert NAME in pdftotext(render_pdf("my_data.html", context), tmp_path)


# --- Who opened my record ---------------------------------------------------------------------------------------


def test_an_hr_officer_opening_the_record_in_the_admin_appears_in_who_opened_my_record(client, member, hr, ward_a,
                                                                                         settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False  # the second factor has its own tests (test_two_factor.py)
    client.force_login(hr)
    assert client.get(f"/admin/officials/inspect/{member.pk}/").status_code == 200
    assert client.get(reverse("staff_official_record", args=[member.pk, "pdf"])).status_code == 200

    data = downloaded_json(client, member)
    openings = data["record_openings"]
    assert [(line["action"], line["who"]["name"], line["who"]["units"]) for line in openings] == [
        (AuditAction.EXPORT, HR_NAME, [ward_a.name]),  # the record downloaded (newest first)
        (AuditAction.RECORD_VIEW, HR_NAME, [ward_a.name]),
        (AuditAction.RECORD_VIEW, HR_NAME, [ward_a.name]),  # the inspect view
    ]
    assert openings[0]["what"] == "Hồ sơ bồi dưỡng (PDF)"  # in the official's language, not the exporter's name
    page = page_of(client, member)
    section = page[page.index('id="record-openings"'):]
    assert section.count(f"{HR_NAME} – {ward_a.name}") == 3
    # The name and the unit of their role: never their e-mail or username.
    for text in (page, json.dumps(data, ensure_ascii=False)):
        assert HR_EMAIL not in text and "hr.a" not in text


def test_nobody_opened_a_new_record(client, member):
    assert downloaded_json(client, member)["record_openings"] == []


def test_the_officials_own_download_of_their_record_is_listed_as_theirs(client, member):
    client.force_login(member.user)
    client.get(reverse("my_record_pdf"))

    [line] = downloaded_json(client, member)["record_openings"]
    assert line["who"]["you"] is True and line["action"] == AuditAction.EXPORT


def test_events_about_the_account_say_what_happened_without_the_hr_officers_username(client, member, hr):
    audit_record(user=member.user, action=AuditAction.ACCOUNT, obj=member,
                 summary="Account activated from an invitation")
    audit_record(user=hr, action=AuditAction.TWO_FACTOR, obj=member.user,
                 summary=f"official: second factor reset by {hr.username}", event="reset")

    events = downloaded_json(client, member)["account_events"]

    from django.utils import translation

    with translation.override(member.preferred_language):  # the download speaks the official's language
        you, reset = translation.gettext("You"), translation.gettext("Second factor reset")
    assert [(line["action"], line["who"]["name"]) for line in events] == [
        (AuditAction.TWO_FACTOR, HR_NAME), (AuditAction.ACCOUNT, you)]
    assert events[0]["what"] == reset
    assert "hr.a" not in json.dumps(events)


# --- Who may open the page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["my_data", "my_data_json", "my_data_pdf"])
def test_a_user_without_an_official_record_gets_404(client, hr, name):
    client.force_login(hr)

    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["my_data", "my_data_json", "my_data_pdf"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")


# --- Query count ------------------------------------------------------------------------------------------------


def _more_training(official, training_centre, hr, count: int, *, first: int = 0) -> None:
    """``count`` more completed classes, each with a day of attendance, a change of status, feedback, a
    certificate, and an opening of the record by an HR officer of their own."""
    course = factories.course(title=f"Lớp bồi dưỡng thêm {first}", organizer=training_centre)
    for number in range(first, first + count):
        enrollment = factories.completed_enrollment(official=official, session=factories.session(
            course=course, start=dt.date(2025, 1, 6) + dt.timedelta(weeks=number)), periods_earned=8)
        Attendance.objects.create(enrollment=enrollment, day=enrollment.session.start_date)
        EnrollmentEvent.objects.create(enrollment=enrollment, to_status=EnrollmentStatus.COMPLETED, by=hr)
        Feedback.objects.create(enrollment=enrollment, content=4, trainer=4, organisation=4, usefulness=4)
        factories.certificate(enrollment=enrollment)
        viewer = factories.user(f"hr.viewer.{number}", role=Role.UNIT_HR, unit=official.unit)
        audit_record(user=viewer, action=AuditAction.RECORD_VIEW, obj=official, summary="opened")


def test_my_data_takes_the_same_queries_for_1_and_for_30_enrollments(client, official, training_centre, hr):
    _more_training(official, training_centre, hr, 1)
    one, data = build_queries(lambda: my_data(official))
    assert len(data["enrollments"]) == 1 and len(data["record_openings"]) == 1
    _more_training(official, training_centre, hr, 29, first=1)
    thirty, data = build_queries(lambda: my_data(official))
    assert len(data["enrollments"]) == 30 and len(data["record_openings"]) == 30
    # The official with unit, rank, account and feed (1); unit assignments (1); enrollments with session,
    # course, unit, nominating user and feedback (1); their status history with who (1); attendance (1);
    # certificates with issuer and replaced one (1); invitations (1); the authenticator app (1); the audit
    # lines with who (1); the roles of the official and of everyone in those lines, with unit (1).
    assert one == thirty == 10, (one, thirty)

    client.force_login(official.user)
    page_one, _response = page_queries(client, reverse("my_data"))
    # The page adds the session, the user, the signed-in official (3), the Wagtail user bar's permissions (2)
    # and the site and catalog page of the header's "Catalog" link (2) to the ten.
    assert page_one == 17, page_one


def test_the_page_takes_the_same_queries_for_1_and_for_30_enrollments(client, official, training_centre, hr):
    client.force_login(official.user)
    _more_training(official, training_centre, hr, 1)
    one, response = page_queries(client, reverse("my_data"))
    assert response.content.decode().count('data-status="completed"') == 1
    _more_training(official, training_centre, hr, 29, first=1)
    thirty, response = page_queries(client, reverse("my_data"))
    assert response.content.decode().count('data-status="completed"') == 30
    assert one == thirty, (one, thirty)


# --- Who may see the HR-only details (staff/sensitive.py) -------------------------------------------------------


def test_hr_of_the_officials_ward_and_the_city_hr_may_see_the_hr_only_details(official, hr_a, city_hr):
    assert may_see_sensitive(hr_a, official) and may_see_sensitive(city_hr, official)
    assert may_see_sensitive(hr_a) and may_see_sensitive(city_hr)


def test_an_organizer_and_the_hr_of_another_ward_may_not(official, organizer, hr_b):
    assert not may_see_sensitive(organizer, official) and not may_see_sensitive(organizer)
    assert not may_see_sensitive(hr_b, official)


def test_the_official_may_see_their_own(official):
    assert may_see_sensitive(official.user, official)
    assert not may_see_sensitive(official.user)  # but no one else's


def test_lists_and_exports_drop_the_hr_only_columns_for_an_organizer(organizer, hr_a):
    columns = ["employee_code", "full_name", "date_of_birth", "get_gender_display", "ethnicity", "official__ethnicity",
               "unit_name"]

    assert without_hr_only(columns, organizer) == ["employee_code", "full_name", "unit_name"]
    assert without_hr_only(columns, hr_a) == columns
    assert set(HR_ONLY_FIELDS) == {"ethnicity", "date_of_birth", "gender"}
