"""The enroll POST is the seat race's path (a popular class opening at 8:00): its queries are pinned.

With a seat or on the waiting list, the answer is a redirect, and the mail task is written in the same
transaction as the enrollment (the database task backend) or after it commits (any other backend).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _post_queries(client, url: str) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"confirm_overlap": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("my_training")
    return [q["sql"] for q in queries.captured_queries], response


def _statements(sql: list[str]) -> list[str]:
    """Each query by what it does and to which table, e.g. "UPDATE courses_coursesession"."""
    named = []
    for text in sql:
        words = text.replace('"', "").split()
        verb = words[0].upper()
        if verb in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"):
            continue
        table = words[words.index("FROM" if verb in ("SELECT", "DELETE") else "INTO" if verb == "INSERT"
                                  else "UPDATE") + 1] if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else ""
        named.append(f"{verb} {table}".strip())
    return named


@pytest.fixture
def course(training_centre):
    return factories.course(title="Kỹ năng số cho công chức phường", organizer=training_centre)


@pytest.fixture
def race_class(course):
    return factories.session(course=course, capacity=1)


def test_the_enroll_post_takes_one_seat_statement_and_the_rows_it_writes(client, official, ward_a, race_class):
    url = reverse("enroll", args=[race_class.pk])
    client.force_login(official.user)
    sql, _response = _post_queries(client, url)
    # The session and the user with their official (2: the official is not read again); the class with
    # its course (1); the seat: one conditional UPDATE that also takes the row lock (1); the enrollment
    # and its event (2). No overlap check (the official confirmed it), no page rendered.
    assert _statements(sql) == [
        "SELECT django_session", "SELECT auth_user", "SELECT courses_coursesession",
        "UPDATE courses_coursesession", "INSERT staff_enrollment", "INSERT staff_enrollmentevent",
    ], sql
    assert Enrollment.objects.get(official=official).status == EnrollmentStatus.CONFIRMED

    second = factories.official(unit=ward_a, user=factories.user("cho.doi"))
    client.force_login(second.user)
    sql, _response = _post_queries(client, url)
    # Full: the UPDATE finds no seat, so the row is locked and read once to be sure (1), then the
    # waiting list's enrollment and event.
    assert _statements(sql) == [
        "SELECT django_session", "SELECT auth_user", "SELECT courses_coursesession",
        "UPDATE courses_coursesession", "SELECT courses_coursesession",
        "INSERT staff_enrollment", "INSERT staff_enrollmentevent",
    ], sql
    assert Enrollment.objects.get(official=second).status == EnrollmentStatus.WAITLISTED
    assert CourseSession.objects.get(pk=race_class.pk).seats_taken == 1


def test_with_the_database_task_backend_the_mail_is_written_inside_the_enrollment_transaction(
        client, official, race_class, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # production's backend
    client.force_login(official.user)
    sql, _response = _post_queries(client, reverse("enroll", args=[race_class.pk]))
    # Before the COMMIT (the test's transaction makes it a savepoint's RELEASE), not after it: one commit
    # for the enrollment, its event and its mail.
    task_at = [i for i, text in enumerate(sql) if "dbtaskresult" in text]
    ends = [i for i, text in enumerate(sql) if text.upper().startswith(("COMMIT", "RELEASE"))]
    assert len(task_at) == 1 and ends and task_at[0] < ends[-1], sql
    enrollment = Enrollment.objects.get(official=official)
    mails = DBTaskResult.objects.filter(task_path__endswith="send_enrollment_mail")
    assert [(m.args_kwargs["kwargs"]["enrollment_id"], m.args_kwargs["kwargs"]["kind"]) for m in mails] == [
        (enrollment.pk, "enrolled")]
    # Wagtail's reference index queues nothing for an enrollment.
    assert not DBTaskResult.objects.filter(task_path__endswith="update_reference_index_task").exists()


def test_a_refused_second_enrollment_leaves_no_mail_and_no_seat(client, official, course, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    session = factories.session(course=course, capacity=5)
    client.force_login(official.user)
    client.post(reverse("enroll", args=[session.pk]), {"confirm_overlap": "1"})
    response = client.post(reverse("enroll", args=[session.pk]), {"confirm_overlap": "1"})
    assert response.status_code == 200  # the page again, with the message
    assert CourseSession.objects.get(pk=session.pk).seats_taken == 1
    assert DBTaskResult.objects.filter(task_path__endswith="send_enrollment_mail").count() == 1
