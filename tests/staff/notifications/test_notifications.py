"""Mail to officials: every kind in Vietnamese or English, .ics invitations, updates when a session changes,
day-before reminders once only, lapsed offers, and certificate expiry to the official and their HR."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentEvent, EnrollmentStatus, Role
from staff.notifications import KINDS, notify, notify_certificate_expiring, session_changed, unit_hr_emails
from staff.services.enrollment import enrollment_cancel, enrollment_create, session_recount_seats
from tests import factories

pytestmark = pytest.mark.django_db

TITLE = "Kỹ năng số & chuyển đổi số trong giải quyết TTHC"
NAME = "Nguyễn Thị Hồng Hải"
SITE = "https://dao-tao.example.invalid"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.WAGTAILADMIN_BASE_URL = SITE


@pytest.fixture
def course(training_centre):
    return factories.course(title=TITLE, organizer=training_centre, certificate_validity_months=24)


@pytest.fixture
def session(course):
    # Monday to Wednesday, ten days ahead or a little more: three class days whatever day the tests run.
    start = timezone.localdate() + dt.timedelta(days=10)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)
    return factories.session(course=course, start=start, days=3, venue="Hội trường tầng 3, 16 Cát Linh",
                             capacity=30)


@pytest.fixture
def hai(official):
    official.email = "hai@example.invalid"
    official.save(update_fields=["email"])
    return official


def ics_of(mail) -> Calendar | None:
    for attachment in mail.attachments:
        if attachment.get_content_type() == "text/calendar":
            return Calendar.from_ical(attachment.get_payload(decode=True))
    return None


def mail_for(kind: str, enrollment: Enrollment, capture) -> None:
    with capture(execute=True):
        notify(kind, enrollment)


# What each kind needs before it is sent, and a phrase of its English text.
def _prepare(kind: str, official, session) -> Enrollment:
    status = {"waitlisted": EnrollmentStatus.WAITLISTED, "offered": EnrollmentStatus.OFFERED,
              "rejected": EnrollmentStatus.REJECTED, "cancelled": EnrollmentStatus.CANCELLED,
              "certificate_issued": EnrollmentStatus.COMPLETED}.get(kind, EnrollmentStatus.CONFIRMED)
    enrollment = factories.enrollment(official=official, session=session, status=status)
    if kind == "offered":
        enrollment.offer_expires_at = timezone.make_aware(dt.datetime(2026, 12, 1, 17, 30))
        enrollment.save(update_fields=["offer_expires_at"])
    if kind in ("rejected", "cancelled"):
        EnrollmentEvent.objects.create(enrollment=enrollment, from_status=EnrollmentStatus.PENDING,
                                       to_status=status, reason="Không thuộc đối tượng của lớp")
    if kind == "certificate_issued":
        factories.certificate(enrollment=enrollment, verification_code="abc123XYZ")
    return enrollment


ENGLISH = {
    "enrolled": ("Enrollment confirmed: " + TITLE, f"Your enrollment in the course “{TITLE}” is confirmed."),
    "waitlisted": ("On the waiting list: " + TITLE, "you have been placed on the waiting list"),
    "promoted": ("A seat is now yours: " + TITLE, "it is now yours: your enrollment is confirmed"),
    "offered": ("A seat is offered to you: " + TITLE,
                f"Please accept or decline it before 17:30 01/12/2026 on the “My training” page: {SITE}/"),
    "approved": ("Enrollment approved: " + TITLE, "has been approved and your seat is confirmed"),
    "rejected": ("Enrollment rejected: " + TITLE, "Reason: Không thuộc đối tượng của lớp"),
    "cancelled": ("Enrollment cancelled: " + TITLE, "Reason: Không thuộc đối tượng của lớp"),
    "reminder": ("Reminder: your class starts tomorrow,", "starts tomorrow,"),
    "certificate_issued": ("Your certificate has been issued: " + TITLE,
                           f"Anyone can check that the certificate is genuine at: {SITE}/"),
    "session_changed": ("Class details changed: " + TITLE, "have changed. The up-to-date details are below."),
    "session_cancelled": ("Class cancelled: " + TITLE, "has been cancelled."),
}


def test_every_kind_has_an_english_expectation():
    assert set(ENGLISH) == set(KINDS)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_mailed_in_the_officials_language(kind, language, hai, session, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    hai.preferred_language = language
    hai.save(update_fields=["preferred_language"])

    mail_for(kind, _prepare(kind, hai, session), django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["hai@example.invalid"]
    assert mail.extra_headers["Content-Language"] == language
    assert TITLE in mail.body and "&amp;" not in mail.body  # plain text: nothing HTML-escaped
    with translation.override(language):
        assert gettext("Dear %(name)s,") % {"name": NAME} in mail.body
    if language == "en":
        subject, phrase = ENGLISH[kind]
        assert mail.subject.startswith(subject)
        assert phrase in mail.body
        assert f"Course: {TITLE}" in mail.body
    else:
        assert f"Khóa học: {TITLE}" in mail.body  # "Course", from the Vietnamese catalog
    if not kind.startswith("certificate"):
        assert f"{session.start_date:%d/%m/%Y} – {session.end_date:%d/%m/%Y}" in mail.body


def test_the_enrolled_mail_depends_on_whether_approval_is_awaited(hai, session, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    hai.preferred_language = "en"
    hai.save(update_fields=["preferred_language"])
    enrollment = factories.enrollment(official=hai, session=session, status=EnrollmentStatus.PENDING)

    mail_for("enrolled", enrollment, django_capture_on_commit_callbacks)

    assert mailoutbox[0].subject == f"Enrollment received, awaiting approval: {TITLE}"
    assert "It is now awaiting approval" in mailoutbox[0].body
    assert ics_of(mailoutbox[0]) is None  # no seat confirmed yet, nothing for the calendar


def test_names_and_titles_with_diacritics_survive_as_utf8(hai, session, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    mail_for("enrolled", _prepare("enrolled", hai, session), django_capture_on_commit_callbacks)

    raw = mailoutbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert TITLE in parsed["Subject"]
    body = parsed.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    assert NAME in body.get_content()


def test_a_confirmed_seat_comes_with_a_calendar_invitation(hai, session, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(official=hai, session=session, by=None)

    calendar = ics_of(mailoutbox[0])
    assert calendar is not None
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.events[0]
    assert str(event["UID"]) == f"session-{session.pk}@dao-tao.example.invalid"
    assert event["SEQUENCE"] == session.sequence
    assert event.start == dt.datetime.combine(session.start_date, dt.time(8, 0), tzinfo=event.start.tzinfo)
    assert str(event.start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert event.end.time() == dt.time(16, 30)
    assert event["RRULE"]["COUNT"] == [3]  # the daily hours on each of the three days
    assert str(event["LOCATION"]) == "Hội trường tầng 3, 16 Cát Linh"


def test_the_waiting_list_mail_has_no_invitation(hai, official_b, course, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    full = factories.session(course=course, capacity=1)
    enrollment_create(official=official_b, session=full, by=None)  # no e-mail address: no mail

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(official=hai, session=full, by=None)

    assert enrollment.status == EnrollmentStatus.WAITLISTED
    assert len(mailoutbox) == 1
    assert ics_of(mailoutbox[0]) is None


def test_cancelling_a_confirmed_seat_removes_it_from_the_calendar(hai, session, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(official=hai, session=session, by=None)
        enrollment_cancel(enrollment=enrollment, by=None, reason="Bận công tác")

    invitation, cancellation = ics_of(mailoutbox[0]), ics_of(mailoutbox[1])
    assert cancellation["METHOD"] == "CANCEL"
    assert cancellation.events[0]["STATUS"] == "CANCELLED"
    assert cancellation.events[0]["UID"] == invitation.events[0]["UID"]
    assert cancellation.events[0]["SEQUENCE"] > invitation.events[0]["SEQUENCE"]


def test_nothing_is_mailed_when_the_transaction_rolls_back(hai, session, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify("enrolled", factories.enrollment(official=hai, session=session))
            raise RuntimeError("rolled back")

    assert mailoutbox == []


# --- A session changes in the admin ------------------------------------------------------------


def post_session_edit(client, session, **changes):
    url = reverse("sessions:edit", args=[session.pk])
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    if data.get("cancelled") is False:
        data.pop("cancelled")
    return client.post(url, data)


@pytest.fixture
def class_of_three(session, hai, official_b, ward_a):
    official_b.email = "binh@example.invalid"
    official_b.save(update_fields=["email"])
    waiting = factories.official(unit=ward_a, name="Lê Thu Trang", email="trang@example.invalid")
    factories.enrollment(official=hai, session=session)
    factories.enrollment(official=official_b, session=session)
    factories.enrollment(official=waiting, session=session, status=EnrollmentStatus.WAITLISTED)
    # A full class of two with one person waiting, and seat counters that agree with the rows.
    CourseSession.objects.filter(pk=session.pk).update(capacity=2)
    session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))
    session.refresh_from_db()
    return session


def test_a_new_venue_sends_every_seat_holder_an_updated_invitation(client, admin_user, class_of_three, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    before = class_of_three.sequence

    with django_capture_on_commit_callbacks(execute=True):
        response = post_session_edit(client, class_of_three, venue="Phòng 204, Trung tâm Bồi dưỡng")

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert sorted(m.to[0] for m in mailoutbox) == ["binh@example.invalid", "hai@example.invalid"]  # not the waiting
    for mail in mailoutbox:
        event = ics_of(mail).events[0]
        assert ics_of(mail)["METHOD"] == "REQUEST"
        assert str(event["UID"]) == f"session-{class_of_three.pk}@dao-tao.example.invalid"
        assert event["SEQUENCE"] == before + 1
        assert str(event["LOCATION"]) == "Phòng 204, Trung tâm Bồi dưỡng"
        assert "Phòng 204, Trung tâm Bồi dưỡng" in mail.body


def test_cancelling_the_session_sends_a_cancellation(client, admin_user, class_of_three, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        post_session_edit(client, class_of_three, cancelled="on")

    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        calendar = ics_of(mail)
        assert calendar["METHOD"] == "CANCEL"
        assert calendar.events[0]["STATUS"] == "CANCELLED"
    # The class is gone: every enrollment ends (nobody is promoted into it) and no seat stays held.
    assert set(Enrollment.objects.filter(session=class_of_three).values_list("status", flat=True)) == {
        EnrollmentStatus.CANCELLED}
    assert CourseSession.objects.get(pk=class_of_three.pk).seats_taken == 0


def test_saving_without_a_calendar_change_mails_nobody(client, admin_user, class_of_three, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_session_edit(client, class_of_three, code="LOP-MOI")

    assert response.status_code == 302
    assert mailoutbox == []


def test_new_dates_make_the_day_before_reminder_due_again(client, admin_user, class_of_three,
                                                          django_capture_on_commit_callbacks):
    Enrollment.objects.filter(session=class_of_three).update(reminded_at=timezone.now())
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        post_session_edit(client, class_of_three, start_date=class_of_three.start_date + dt.timedelta(days=7),
                          end_date=class_of_three.end_date + dt.timedelta(days=7))
    assert not Enrollment.objects.filter(session=class_of_three, reminded_at__isnull=False).exists()


def test_raising_the_capacity_moves_the_waiting_list_up_and_tells_them(client, admin_user, class_of_three,
                                                                       mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_session_edit(client, class_of_three, capacity="3")

    assert response.status_code == 302
    assert [m.to[0] for m in mailoutbox] == ["trang@example.invalid"]
    assert CourseSession.objects.get(pk=class_of_three.pk).seats_taken == 3


def test_the_capacity_cannot_go_below_the_seats_held(client, admin_user, class_of_three):
    client.force_login(admin_user)
    response = post_session_edit(client, class_of_three, capacity="1")
    assert response.status_code == 200 and "capacity" in response.context["form"].errors


def test_a_class_is_mailed_in_chunks(class_of_three, monkeypatch, mailoutbox, django_capture_on_commit_callbacks):
    monkeypatch.setattr("staff.notifications.CHUNK", 1)
    class_of_three.daily_start = dt.time(13, 30)
    class_of_three.save()

    with django_capture_on_commit_callbacks(execute=True):
        session_changed(class_of_three)

    assert len(mailoutbox) == 2
    assert {ics_of(m).events[0].start.time() for m in mailoutbox} == {dt.time(13, 30)}


# --- Scheduled jobs ---------------------------------------------------------------------------------


def test_reminders_go_once_across_two_runs(hai, official_b, course, mailoutbox, django_capture_on_commit_callbacks):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starting = factories.session(course=course, start=tomorrow)
    later = factories.session(course=course, start=tomorrow + dt.timedelta(days=1))
    factories.enrollment(official=hai, session=starting)
    factories.enrollment(official=hai, session=later)
    factories.enrollment(official=official_b, session=starting, status=EnrollmentStatus.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_session_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_session_reminders")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["hai@example.invalid"]
    assert f"{tomorrow:%d/%m/%Y}" in mailoutbox[0].body
    assert Enrollment.objects.filter(reminded_at__isnull=False).count() == 1


def test_expire_offers_lapses_an_unanswered_offer_and_offers_the_seat_on(hai, official_b, ward_a, training_centre,
                                                                       mailoutbox, capsys):
    course = factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre, offer_hours=24)
    session = factories.session(course=course, capacity=1)
    third = factories.official(unit=ward_a, name="Lê Thu Trang")
    first = enrollment_create(official=official_b, session=session, by=None)
    second = enrollment_create(official=hai, session=session, by=None)
    last = enrollment_create(official=third, session=session, by=None)
    enrollment_cancel(enrollment=first, by=None)
    second.refresh_from_db()
    assert second.status == EnrollmentStatus.OFFERED
    Enrollment.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))

    call_command("expire_offers")

    second.refresh_from_db()
    last.refresh_from_db()
    assert second.status == EnrollmentStatus.CANCELLED
    assert second.events.last().reason  # the lapse is recorded with a reason
    assert last.status == EnrollmentStatus.OFFERED
    assert "1 expired offer(s) lapsed." in capsys.readouterr().out
    call_command("expire_offers")
    assert "0 expired offer(s) lapsed." in capsys.readouterr().out


# --- Certificate expiry -----------------------------------------------------------------------------


def test_certificate_expiry_goes_to_the_official_and_the_hr_of_their_unit_and_above(
        hai, session, city, hr_a, hr_b, city_hr, mailoutbox, django_capture_on_commit_callbacks):
    for user, address in ((hr_a, "hr.a@example.invalid"), (hr_b, "hr.b@example.invalid"),
                          (city_hr, "hr.city@example.invalid")):
        user.email = address
        user.save(update_fields=["email"])
    factories.user("hr.hn", role=Role.UNIT_HR, unit=city, email="hr.hn@example.invalid")
    enrollment = factories.enrollment(official=hai, session=session, status=EnrollmentStatus.COMPLETED)
    certificate = factories.certificate(enrollment=enrollment, expires_on=dt.date(2027, 1, 25))

    with django_capture_on_commit_callbacks(execute=True):
        notify_certificate_expiring(certificate, 60)

    to_official, to_hr = mailoutbox
    assert to_official.to == ["hai@example.invalid"]
    assert "25/01/2027" in to_official.subject
    assert sorted(to_hr.to) == ["hr.a@example.invalid", "hr.hn@example.invalid"]  # not another ward, not city HR
    assert NAME in to_hr.body and "25/01/2027" in to_hr.body and TITLE in to_hr.body


def test_unit_hr_addresses_take_one_query(hai, hr_a, django_assert_num_queries):
    from staff.models import Official

    hr_a.email = "hr.a@example.invalid"
    hr_a.save(update_fields=["email"])
    official = Official.objects.select_related("unit").get(pk=hai.pk)

    with django_assert_num_queries(1):
        assert unit_hr_emails(official) == ["hr.a@example.invalid"]


def test_the_reminder_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_session_reminders", "--today", "26/11/2026")
