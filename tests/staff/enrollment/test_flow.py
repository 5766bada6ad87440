"""From the course page to a seat: self-enrollment, nomination, approval, deadlines, offers and reserved seats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import ApprovalPolicy, CourseSession
from staff.models import Enrollment, EnrollmentStatus, SeatReservation
from staff.services.enrollment import (
    EnrollmentError,
    enrollment_approve,
    enrollment_cancel,
    enrollment_create,
    offer_accept,
    offer_decline,
    offers_expire,
    reservation_set,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(training_centre):
    return factories.course(title="Kỹ năng số cho công chức phường", organizer=training_centre)


@pytest.fixture
def session(course):
    return factories.session(course=course, capacity=2)


def _decide(client, enrollment, action, reason=""):
    """What a row's button of the class roster or the approvals posts (one form for the page)."""
    return client.post(reverse("staff_enrollment_decide_row"),
                       {"decide": f"{enrollment.pk}:{action}", f"reason-{enrollment.pk}": reason})


def _statuses(session):
    return dict(Enrollment.objects.filter(session=session).values_list("official__full_name", "status"))


def test_an_official_enrolls_from_the_course_page(client, official, session, course):
    client.force_login(official.user)
    page = client.get(course.url)
    assert reverse("enroll", args=[session.pk]) in page.content.decode()

    response = client.post(reverse("enroll", args=[session.pk]))

    assert response.status_code == 302 and response.url == reverse("my_training")
    enrollment = Enrollment.objects.get(official=official, session=session)
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert list(enrollment.events.values_list("from_status", "to_status", "by")) == [
        ("", EnrollmentStatus.CONFIRMED, official.user.pk)
    ]
    assert 'data-status="confirmed"' in client.get(course.url).content.decode()


def test_a_second_enrollment_in_the_same_session_is_refused_speaking_to_the_official(client, official, session):
    client.force_login(official.user)
    client.post(reverse("enroll", args=[session.pk]))
    response = client.post(reverse("enroll", args=[session.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bạn đã ghi danh vào lớp học này." in page  # to the official themself: "you"
    assert "Cán bộ này" not in page
    assert Enrollment.objects.filter(official=official, session=session).count() == 1


def test_enrolling_outside_the_window_is_refused(client, official, course):
    closed = factories.session(course=course, enrollment_closes=timezone.now() - dt.timedelta(hours=1))
    client.force_login(official.user)
    response = client.post(reverse("enroll", args=[closed.pk]))
    assert response.status_code == 200
    assert not Enrollment.objects.filter(session=closed).exists()


def test_overlapping_sessions_are_warned_about_before_enrolling(client, official, course, training_centre):
    first = factories.session(course=course, start=timezone.localdate() + dt.timedelta(days=20), days=3)
    other_course = factories.course(title="Cải cách hành chính", organizer=training_centre)
    overlapping = factories.session(course=other_course, start=first.start_date + dt.timedelta(days=1))
    enrollment_create(official=official, session=first, by=official.user)
    client.force_login(official.user)

    warned = client.post(reverse("enroll", args=[overlapping.pk]))
    assert warned.status_code == 200 and "confirm_overlap" in warned.content.decode()
    assert not Enrollment.objects.filter(session=overlapping).exists()

    client.post(reverse("enroll", args=[overlapping.pk]), {"confirm_overlap": "1"})
    assert Enrollment.objects.filter(session=overlapping, official=official).exists()


def test_two_step_approval_records_each_decision(client, official, hr_a, organizer, session, course):
    course.approval_policy = ApprovalPolicy.UNIT_HR_THEN_ORGANIZER
    course.save()
    enrollment = enrollment_create(official=official, session=session, by=official.user)
    assert enrollment.status == EnrollmentStatus.PENDING

    client.force_login(organizer)  # the organizer's step comes second
    _decide(client, enrollment, "approve")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING

    client.force_login(hr_a)
    _decide(client, enrollment, "approve", "Đúng vị trí việc làm")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING_ORGANIZER

    client.force_login(organizer)
    _decide(client, enrollment, "approve")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert list(enrollment.events.values_list("to_status", "by__username", "reason")) == [
        (EnrollmentStatus.PENDING, official.user.username, ""),
        (EnrollmentStatus.PENDING_ORGANIZER, hr_a.username, "Đúng vị trí việc làm"),
        (EnrollmentStatus.CONFIRMED, organizer.username, ""),
    ]


def test_hr_of_another_ward_gets_404_on_a_decision(client, official, hr_b, session, course):
    course.approval_policy = ApprovalPolicy.UNIT_HR
    course.save()
    enrollment = enrollment_create(official=official, session=session, by=official.user)
    client.force_login(hr_b)
    response = _decide(client, enrollment, "approve")
    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING


def test_a_rejection_needs_a_reason_and_frees_the_seat_for_the_next_in_line(official, official_b, hr_a, course):
    course.approval_policy = ApprovalPolicy.UNIT_HR
    course.save()
    session = factories.session(course=course, capacity=1)
    first = enrollment_create(official=official, session=session, by=official.user)
    second = enrollment_create(official=official_b, session=session, by=None)
    assert second.status == EnrollmentStatus.WAITLISTED
    from staff.services.enrollment import enrollment_reject

    with pytest.raises(EnrollmentError):
        enrollment_reject(enrollment=first, by=hr_a, reason="  ")
    enrollment_reject(enrollment=first, by=hr_a, reason="Không thuộc đối tượng")
    second.refresh_from_db()
    assert second.status == EnrollmentStatus.PENDING  # promoted, and now awaits its own approval
    assert first.events.last().reason == "Không thuộc đối tượng"


def test_officials_cannot_cancel_after_the_deadline_but_the_organizer_can(client, official, organizer, course):
    session = factories.session(course=course, cancellation_closes=timezone.now() - dt.timedelta(minutes=1))
    enrollment = enrollment_create(official=official, session=session, by=official.user)
    client.force_login(official.user)
    client.post(reverse("enrollment_cancel", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CONFIRMED

    client.force_login(organizer)
    _decide(client, enrollment, "cancel", "Ốm")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED


def test_an_official_cannot_cancel_someone_elses_enrollment(client, official, official_b, session):
    theirs = enrollment_create(official=official_b, session=session, by=None)
    client.force_login(official.user)
    assert client.post(reverse("enrollment_cancel", args=[theirs.pk])).status_code == 404


def test_hr_nominates_many_officials_of_their_unit_only(client, hr_a, ward_a, official_b, session):
    mine = [factories.official(unit=ward_a, name=f"Trần Thị Đào {i}") for i in range(3)]
    client.force_login(hr_a)
    page = client.get(reverse("staff_nominate", args=[session.pk]))
    assert "Trần Thị Đào 0" in page.content.decode() and official_b.full_name not in page.content.decode()

    client.post(reverse("staff_nominate", args=[session.pk]),
                {"official": [str(o.pk) for o in mine] + [str(official_b.pk)]})

    enrolled = Enrollment.objects.filter(session=session)
    assert set(enrolled.values_list("official_id", flat=True)) == {o.pk for o in mine}  # ward B ignored
    assert set(enrolled.values_list("nominated_by", flat=True)) == {hr_a.pk}
    assert sorted(enrolled.values_list("status", flat=True)) == ["confirmed", "confirmed", "waitlisted"]


def test_reserved_seats_are_kept_for_their_unit(ward_a, ward_b, course):
    session = factories.session(course=course, capacity=4)
    reservation_set(session=session, unit=ward_a, seats=2)
    outsiders = [enrollment_create(official=factories.official(unit=ward_b), session=session, by=None)
                 for _ in range(3)]
    assert [e.status for e in outsiders] == ["confirmed", "confirmed", "waitlisted"]
    insiders = [enrollment_create(official=factories.official(unit=ward_a), session=session, by=None)
                for _ in range(3)]
    assert [e.status for e in insiders] == ["confirmed", "confirmed", "waitlisted"]
    assert all(e.reservation_id for e in insiders[:2])

    # A reserved seat freed goes to the reserved unit's first in line, not to the older outsider.
    enrollment_cancel(enrollment=insiders[0], by=None)
    insiders[2].refresh_from_db()
    outsiders[2].refresh_from_db()
    assert insiders[2].status == EnrollmentStatus.CONFIRMED and insiders[2].reservation_id
    assert outsiders[2].status == EnrollmentStatus.WAITLISTED
    session.refresh_from_db()
    assert (session.seats_taken, session.reserved_free) == (4, 0)


def test_a_reservation_cannot_take_seats_already_given(ward_a, ward_b, course):
    session = factories.session(course=course, capacity=2)
    for _ in range(2):
        enrollment_create(official=factories.official(unit=ward_b), session=session, by=None)
    with pytest.raises(EnrollmentError):
        reservation_set(session=session, unit=ward_a, seats=1)
    assert not SeatReservation.objects.exists()


def test_a_freed_seat_is_offered_with_a_deadline_when_the_course_says_so(official, official_b, ward_a, course):
    course.offer_hours = 24
    course.save()
    session = factories.session(course=course, capacity=1)
    third = factories.official(unit=ward_a, name="Lê Văn Ba")
    first = enrollment_create(official=official, session=session, by=None)
    second = enrollment_create(official=official_b, session=session, by=None)
    last = enrollment_create(official=third, session=session, by=None)

    enrollment_cancel(enrollment=first, by=None)
    second.refresh_from_db()
    assert second.status == EnrollmentStatus.OFFERED
    assert second.offer_expires_at > timezone.now() + dt.timedelta(hours=23)

    offer_decline(enrollment=second, by=None)
    last.refresh_from_db()
    assert last.status == EnrollmentStatus.OFFERED

    Enrollment.objects.filter(pk=last.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert offers_expire() == 1
    assert offers_expire() == 0  # idempotent
    last.refresh_from_db()
    assert last.status == EnrollmentStatus.CANCELLED
    assert CourseSession.objects.get(pk=session.pk).seats_taken == 0


def test_an_accepted_offer_confirms_the_seat(official, official_b, course):
    course.offer_hours = 48
    course.save()
    session = factories.session(course=course, capacity=1)
    first = enrollment_create(official=official, session=session, by=None)
    second = enrollment_create(official=official_b, session=session, by=None)
    enrollment_cancel(enrollment=first, by=None)
    second.refresh_from_db()
    offer_accept(enrollment=second, by=None)
    second.refresh_from_db()
    assert second.status == EnrollmentStatus.CONFIRMED and second.offer_expires_at is None


def test_the_organizer_sees_every_state_change_on_the_roster(client, organizer, official, hr_a, session, course):
    course.approval_policy = ApprovalPolicy.UNIT_HR
    course.save()
    enrollment = enrollment_create(official=official, session=session, by=official.user)
    enrollment_approve(enrollment=enrollment, by=hr_a, reason="Đồng ý cử đi học")
    client.force_login(organizer)
    page = client.get(reverse("staff_class_participants", args=[session.pk])).content.decode()
    events = page[page.index('id="events"'):]
    assert official.full_name in events and "Đồng ý cử đi học" in events and hr_a.username in events


def test_the_roster_shows_changes_made_by_the_system(client, organizer, official, session):
    enrollment = enrollment_create(official=official, session=session, by=None)  # e.g. an import or a job
    enrollment_cancel(enrollment=enrollment, by=None, reason="Hết hạn")
    client.force_login(organizer)
    response = client.get(reverse("staff_class_participants", args=[session.pk]))
    assert response.status_code == 200 and "Hết hạn" in response.content.decode()


def test_the_roster_of_another_organizers_class_is_404(client, organizer, city):
    other = factories.unit("TT-KHAC", parent=city)
    session = factories.session(course=factories.course(title="Lớp khác", organizer=other))
    client.force_login(organizer)
    assert client.get(reverse("staff_class_participants", args=[session.pk])).status_code == 404


def test_saving_a_session_loaded_earlier_keeps_the_seats_taken_since(official, official_b, course):
    session = factories.session(course=course, capacity=1)
    loaded = CourseSession.objects.get(pk=session.pk)
    enrollment_create(official=official, session=session, by=None)
    loaded.venue = "Phòng 305"
    loaded.save()  # what an admin form does with the row it loaded before the enrollment
    assert enrollment_create(official=official_b, session=session, by=None).status == EnrollmentStatus.WAITLISTED
    assert CourseSession.objects.get(pk=session.pk).seats_taken == 1


def test_an_organizer_cannot_edit_another_organizers_session(client, organizer, city):
    other = factories.unit("TT-KHAC2", parent=city)
    session = factories.session(course=factories.course(title="Lớp của đơn vị khác", organizer=other))
    mine = factories.session(course=factories.course(title="Lớp của mình", organizer=organizer_unit(organizer)))
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(*Permission.objects.filter(content_type__app_label="courses",
                                                              codename__in=["view_coursesession",
                                                                            "change_coursesession"]))
    client.force_login(organizer)
    assert client.get(f"/admin/sessions/edit/{mine.pk}/").status_code == 200  # the permission is there
    assert client.get(f"/admin/sessions/edit/{session.pk}/").status_code == 404
    assert str(session.pk) not in {str(s.pk) for s in client.get("/admin/sessions/").context["object_list"]}


def organizer_unit(user):
    return user.staff_roles.get().unit


def test_lowering_a_reservation_moves_the_waiting_list_up(ward_a, ward_b, course):
    session = factories.session(course=course, capacity=3)
    reservation_set(session=session, unit=ward_b, seats=1)
    people = [enrollment_create(official=factories.official(unit=ward_a), session=session, by=None)
              for _ in range(3)]
    assert people[2].status == EnrollmentStatus.WAITLISTED
    reservation_set(session=session, unit=ward_b, seats=0)
    people[2].refresh_from_db()
    assert people[2].status == EnrollmentStatus.CONFIRMED


def test_an_unknown_result_is_a_message_not_an_error_page(client, organizer, official, course):
    course.requires_result = True
    course.save()
    session = factories.session(course=course)
    enrollment = enrollment_create(official=official, session=session, by=None)
    client.force_login(organizer)
    response = client.post(reverse("staff_class_results", args=[session.pk]), {f"result-{enrollment.pk}": "bogus"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.result == ""


def test_the_roster_shows_the_latest_changes_and_the_whole_history_on_request(client, organizer, official, session):
    from staff.admin.enrollment import HISTORY_LATEST
    from staff.models import EnrollmentEvent

    enrollment = enrollment_create(official=official, session=session, by=None)
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(enrollment=enrollment, from_status="confirmed", to_status="confirmed", reason=f"Ghi chú {n}")
        for n in range(HISTORY_LATEST + 5))
    client.force_login(organizer)
    url = reverse("staff_class_participants", args=[session.pk])

    page = client.get(url).content.decode()
    events = page[page.index('id="events"'):]
    assert events.count("<tr><td>") == HISTORY_LATEST and "lich-su=tat-ca" in events
    whole = client.get(url, {"lich-su": "tat-ca"}).content.decode()
    events = whole[whole.index('id="events"'):]
    assert events.count("<tr><td>") == HISTORY_LATEST + 6 and "lich-su=tat-ca" not in events


def test_the_roster_decides_each_row_from_one_form_with_that_rows_reason(client, official, official_b, organizer,
                                                                         course):
    session = factories.session(course=course, capacity=5)
    first = enrollment_create(official=official, session=session, by=official.user)
    second = enrollment_create(official=official_b, session=session, by=None)
    client.force_login(organizer)
    page = client.get(reverse("staff_class_participants", args=[session.pk])).content.decode()
    assert page.count('id="decide-form"') == 1 and page.count("<form") == page.count("</form>")
    assert f'name="decide" value="{second.pk}:cancel"' in page and f'name="reason-{second.pk}"' in page
    # Enter in a reason box submits nothing: the form's first (default) button is disabled.
    form = page[page.index('id="decide-form"'):]
    assert form.index("<button") == form.index('<button type="submit" disabled')

    response = client.post(reverse("staff_enrollment_decide_row"), {
        "decide": f"{second.pk}:cancel", f"reason-{first.pk}": "Không phải dòng này", f"reason-{second.pk}": "Ốm",
        "next": reverse("staff_class_participants", args=[session.pk])})

    assert response.status_code == 302 and response.url == reverse("staff_class_participants", args=[session.pk])
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (EnrollmentStatus.CONFIRMED, EnrollmentStatus.CANCELLED)
    assert second.events.last().reason == "Ốm"


@pytest.mark.parametrize("decide", ["", "abc:approve", "12", ":cancel"])
def test_a_decision_that_names_no_enrollment_is_404(client, organizer, decide):
    client.force_login(organizer)
    assert client.post(reverse("staff_enrollment_decide_row"), {"decide": decide}).status_code == 404
