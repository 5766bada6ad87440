"""Participants' feedback: only the participant, once the session is over, ratings 1–5, and aggregates for
organizers and trainers that never carry who said what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from staff.models import EnrollmentStatus, Feedback, Role
from staff.selectors.feedback import feedback_by_course, feedback_by_session, feedback_by_trainer, feedback_summary
from staff.services.feedback import FeedbackError, feedback_submit
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RATINGS = {"content": "4", "trainer": "5", "organisation": "3", "usefulness": "4", "comment": "Rất thiết thực"}


@pytest.fixture
def course(training_centre):
    return factories.course(title="Kỹ năng tiếp công dân", organizer=training_centre)


@pytest.fixture
def finished(course):
    return factories.session(course=course, start=TODAY - dt.timedelta(days=5), days=2, code="K-01")


@pytest.fixture
def attended(official, finished):
    return factories.completed_enrollment(official=official, session=finished, periods_earned=16)


def _url(enrollment):
    return reverse("enrollment_feedback", args=[enrollment.pk])


def _submit(enrollment, by, **ratings):
    values = {"content": 4, "trainer": 4, "organisation": 4, "usefulness": 4, **ratings}
    return feedback_submit(enrollment=enrollment, by=by, comment=values.pop("comment", ""), **values)


# --- The participant's form --------------------------------------------------------------------------


def test_participant_gives_feedback_with_labelled_radio_buttons(client, official, attended):
    client.force_login(official.user)
    page = client.get(_url(attended))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('type="radio"') == 20 and html.count("<fieldset") == 4 and "<legend>" in html
    assert client.post(_url(attended), RATINGS).status_code == 302
    feedback = Feedback.objects.get(enrollment=attended)
    assert (feedback.content, feedback.trainer, feedback.organisation, feedback.usefulness) == (4, 5, 3, 4)


def test_feedback_is_given_once_and_may_be_changed_within_the_window(client, official, attended):
    client.force_login(official.user)
    client.post(_url(attended), RATINGS)
    client.post(_url(attended), {**RATINGS, "content": "2"})
    assert Feedback.objects.filter(enrollment=attended).count() == 1
    assert Feedback.objects.get().content == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(enrollment=attended, content=1, trainer=1, organisation=1, usefulness=1)


def test_another_officials_enrollment_is_404(client, official, official_b, finished):
    theirs = factories.completed_enrollment(official=official_b, session=finished)
    client.force_login(official.user)
    assert client.get(_url(theirs)).status_code == 404
    assert client.post(_url(theirs), RATINGS).status_code == 404
    assert not Feedback.objects.exists()


def test_only_the_participant_may_submit_through_the_service(hr_a, official, attended):
    with pytest.raises(FeedbackError):
        _submit(attended, hr_a)
    assert _submit(attended, official.user).pk


@pytest.mark.parametrize("value", ["0", "6", "x", ""])
def test_ratings_out_of_range_are_refused(client, official, attended, value):
    client.force_login(official.user)
    response = client.post(_url(attended), {**RATINGS, "trainer": value})
    assert response.status_code == 200 and "trainer" in response.context["form"].errors
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("value", [0, 6, True])
def test_the_service_refuses_out_of_range_ratings(official, attended, value):
    with pytest.raises(FeedbackError):
        _submit(attended, official.user, usefulness=value)


def test_confirmed_enrollment_opens_on_the_last_day_only(official, course):
    running = factories.session(course=course, start=TODAY - dt.timedelta(days=1), days=3)
    enrollment = factories.enrollment(official=official, session=running, status=EnrollmentStatus.CONFIRMED)
    with pytest.raises(FeedbackError):
        _submit(enrollment, official.user)
    assert _submit(enrollment, official.user, today=running.end_date).pk


@pytest.mark.parametrize("status", [EnrollmentStatus.CANCELLED, EnrollmentStatus.WAITLISTED])
def test_no_feedback_without_having_attended(official, finished, status):
    enrollment = factories.enrollment(official=official, session=finished, status=status)
    with pytest.raises(FeedbackError):
        _submit(enrollment, official.user)


def test_feedback_closes_30_days_after_the_session(client, official, attended, finished):
    _submit(attended, official.user, today=finished.end_date + dt.timedelta(days=30))
    with pytest.raises(FeedbackError):
        _submit(attended, official.user, today=finished.end_date + dt.timedelta(days=31))


# --- Aggregates --------------------------------------------------------------------------------------


@pytest.fixture
def rated(course, training_centre, ward_a, ward_b):
    """Class 1 (trainer An) rated 5,4,3 on content; class 2 (An and Bình) rated 2,1; another course
    (Bình) rated 5. People are synthetic; their names must never reach the aggregates' pages."""
    an, binh = factories.trainer("Giảng viên An"), factories.trainer("Giảng viên Bình")
    other = factories.course(title="Quản lý hộ tịch", organizer=training_centre)
    first = factories.session(course=course, start=TODAY - dt.timedelta(days=20), code="K-1")
    second = factories.session(course=course, start=TODAY - dt.timedelta(days=10), code="K-2")
    third = factories.session(course=other, start=TODAY - dt.timedelta(days=10), code="H-1")
    first.trainers.set([an])
    second.trainers.set([an, binh])
    third.trainers.set([binh])
    people = []
    plan = [(first, 5, "Nội dung sát thực tế"), (first, 4, ""), (first, 3, "Cần thêm tình huống"),
            (second, 2, "Phòng học nóng"), (second, 1, ""), (third, 5, "Hay")]
    for number, (session, score, comment) in enumerate(plan):
        person = factories.official(unit=ward_a if number % 2 else ward_b, name=f"Học viên Bí Mật {number}",
                                    employee_code=f"SECRET-{number}")
        person.user = factories.user(f"hv{number}")
        person.save(update_fields=["user"])
        enrollment = factories.completed_enrollment(official=person, session=session)
        _submit(enrollment, person.user, content=score, trainer=score, organisation=3, usefulness=score,
                comment=comment, today=session.end_date)
        people.append(person)
    return {"an": an, "binh": binh, "first": first, "second": second, "third": third, "people": people,
            "other": other}


def test_averages_per_session_course_and_trainer(rated, course):
    feedback = Feedback.objects.all()
    sessions = {row.key: row for row in feedback_by_session(feedback)}
    first = sessions[rated["first"].pk]
    assert first.responses == 3 and first.ratings[0].average == 4.0
    assert first.ratings[0].distribution == [0, 0, 1, 1, 1]
    assert sessions[rated["second"].pk].ratings[0].average == 1.5
    courses = {row.key: row for row in feedback_by_course(feedback)}
    assert (courses[course.pk].responses, courses[course.pk].ratings[0].average) == (5, 3.0)
    assert courses[rated["other"].pk].ratings[0].average == 5.0
    trainers = {row.key: row for row in feedback_by_trainer(feedback)}
    assert (trainers[rated["an"].pk].responses, trainers[rated["an"].pk].ratings[1].average) == (5, 3.0)
    assert (trainers[rated["binh"].pk].responses, trainers[rated["binh"].pk].ratings[1].average) == (3, 2.67)
    assert feedback_summary(feedback).ratings[2].distribution == [0, 0, 6, 0, 0]


def _assert_no_identity(html: str, rated, *units) -> None:
    for person in rated["people"]:
        assert person.full_name not in html and person.employee_code not in html
    for unit in units:
        assert unit.name not in html and unit.code not in html


def test_organizer_sees_aggregates_and_comments_without_names(client, organizer, rated, ward_a, ward_b):
    client.force_login(organizer)
    response = client.get(reverse("staff_class_feedback", args=[rated["first"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["summary"].responses == 3
    assert response.context["comments"] == ["Cần thêm tình huống", "Nội dung sát thực tế"]
    assert [row.label for row in response.context["trainers"]] == ["Giảng viên An"]
    _assert_no_identity(html, rated, ward_a, ward_b)


def test_another_organizer_and_unit_hr_get_404(client, hr_a, ward_b, rated):
    other = factories.user("organizer.b", role=Role.ORGANIZER, unit=ward_b)
    for user in (other, hr_a):
        client.force_login(user)
        assert client.get(reverse("staff_class_feedback", args=[rated["first"].pk])).status_code == 404
        assert client.get(reverse("staff_trainer_feedback", args=[rated["an"].pk])).status_code == 404


def test_trainer_page_has_no_identity_and_comments_from_three_responses(client, organizer, rated, ward_a, ward_b):
    client.force_login(organizer)
    an = client.get(reverse("staff_trainer_feedback", args=[rated["an"].pk]))
    assert an.status_code == 200 and an.context["summary"].responses == 5
    assert "Phòng học nóng" in an.content.decode()
    _assert_no_identity(an.content.decode(), rated, ward_a, ward_b)
    # Bình: three responses, comments shown; with one response fewer they are hidden.
    binh_url = reverse("staff_trainer_feedback", args=[rated["binh"].pk])
    assert "Hay" in client.get(binh_url).context["comments"]
    Feedback.objects.filter(enrollment__session=rated["third"]).delete()
    hidden = client.get(binh_url)
    assert hidden.context["comments"] == [] and "Phòng học nóng" not in hidden.content.decode()
    assert 'id="comments-hidden"' in hidden.content.decode()
