"""Admin for feedback: per session and per trainer, without participants' identity for trainers."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from courses.models import Trainer
from staff.access import (
    AuthenticatedHttpRequest,
    get_in_scope_or_404,
    sessions_organized_by,
)
from staff.models import Feedback
from staff.selectors.feedback import (
    MIN_RESPONSES_FOR_COMMENTS,
    feedback_by_course,
    feedback_by_session,
    feedback_by_trainer,
    feedback_comments,
    feedback_summary,
)


def session_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Aggregates for one class, its course and its trainers, and the class's comments without names."""
    organized = sessions_organized_by(request.user)
    session = get_in_scope_or_404(organized.select_related("course"), pk=pk)
    in_scope = Feedback.objects.filter(enrollment__session__in=organized)
    own = in_scope.filter(enrollment__session=session)
    course = in_scope.filter(enrollment__session__course_id=session.course_id)
    trainers = list(session.trainers.all())
    trainer_ids = {trainer.pk for trainer in trainers}
    return render(request, "staff/admin/feedback/feedback_session.html", {
        "page_title": _("Feedback: %(session)s") % {"session": session}, "session": session,
        "summary": feedback_summary(own), "course_summary": feedback_summary(course),
        "sessions": feedback_by_session(course),
        "trainers": [row for row in feedback_by_trainer(in_scope) if row.key in trainer_ids],
        "comments": feedback_comments(own),
    })


def trainer_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What a trainer may be shown: aggregates across their sessions, comments only from three responses."""
    sessions = sessions_organized_by(request.user).filter(trainers=pk)
    trainer = get_in_scope_or_404(Trainer.objects.filter(sessions__in=sessions).distinct(), pk=pk)
    feedback = Feedback.objects.filter(enrollment__session__in=sessions)
    summary = feedback_summary(feedback)
    return render(request, "staff/admin/feedback/feedback_trainer.html", {
        "page_title": _("Feedback for trainer %(name)s") % {"name": trainer.name}, "trainer": trainer,
        "summary": summary, "courses": feedback_by_course(feedback),
        "comments": feedback_comments(feedback, minimum=MIN_RESPONSES_FOR_COMMENTS),
        "minimum": MIN_RESPONSES_FOR_COMMENTS,
    })
