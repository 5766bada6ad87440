"""On the demo data, feedback aggregates are right and trainers see no participant's identity."""

from __future__ import annotations

from statistics import mean

import pytest
from django.contrib.auth.models import User
from django.test import Client

from courses.models import CourseSession, Trainer
from staff.demo import seed_demo
from staff.models import Feedback
from staff.selectors.feedback import feedback_by_session, feedback_by_trainer

pytestmark = pytest.mark.django_db


def test_demo_feedback_aggregates_and_no_identity_for_trainers():
    seed_demo(officials=40)
    rows = list(Feedback.objects.select_related("enrollment__official__unit", "enrollment__session"))
    assert len(rows) >= 3

    by_session = {summary.key: summary for summary in feedback_by_session(Feedback.objects.all())}
    for session_id in {row.enrollment.session_id for row in rows}:
        mine = [row for row in rows if row.enrollment.session_id == session_id]
        summary = by_session[session_id]
        assert summary.responses == len(mine)
        averages = {rating.name: rating.average for rating in summary.ratings}
        for name in ("content", "trainer", "organisation", "usefulness"):
            assert averages[name] == round(mean(getattr(row, name) for row in mine), 2)

    # The trainer-facing page of a demo trainer who taught the exchange: numbers, never who said what.
    session = CourseSession.objects.get(pk=rows[0].enrollment.session_id)
    trainer = session.trainers.first() or Trainer.objects.create(name="Giảng viên minh họa")
    session.trainers.add(trainer)
    assert any(s.key == trainer.pk for s in feedback_by_trainer(Feedback.objects.all()))
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    response = client.get(f"/admin/trainers/{trainer.pk}/feedback/")
    assert response.status_code == 200
    page = response.content.decode()
    assert session.course.title in page or trainer.name in page  # the page really shows this trainer
    for row in rows:
        official = row.enrollment.official
        assert official.full_name not in page and official.employee_code not in page
        assert official.unit.name not in page
