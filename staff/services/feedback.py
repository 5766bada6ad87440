"""Writes for feedback: a participant's answer, within its window."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import (
    Enrollment,
    EnrollmentStatus,
    Feedback,
)

# Participants may give or change their feedback until this many days after the session's last day.
FEEDBACK_WINDOW_DAYS = 30


RATING_NAMES = ("content", "trainer", "organisation", "usefulness")


RATING_LABELS = {"content": gettext_lazy("Content"), "trainer": gettext_lazy("Trainer"),
                 "organisation": gettext_lazy("Organisation"), "usefulness": gettext_lazy("Usefulness")}


class FeedbackError(ValueError):
    """Feedback the rules refuse (not the participant's, outside its window, a bad rating); shown to the user."""


def feedback_window(enrollment: Enrollment, today: dt.date | None = None) -> tuple[bool, str]:
    """Whether the participant may give (or change) feedback on this enrollment today, and why not."""
    today = today or timezone.localdate()
    session = enrollment.session
    ended = enrollment.status in (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED) or (
        enrollment.status == EnrollmentStatus.CONFIRMED and session.end_date <= today)
    if not ended:
        return False, _("Feedback opens on the last day of the session.")
    if today > session.end_date + dt.timedelta(days=FEEDBACK_WINDOW_DAYS):
        return False, _("Feedback closed %(days)s days after the session.") % {"days": FEEDBACK_WINDOW_DAYS}
    return True, ""


def feedback_submit(*, enrollment: Enrollment, content: int, trainer: int, organisation: int, usefulness: int,
                    comment: str = "", by: User, today: dt.date | None = None) -> Feedback:
    """The participant's ratings (1–5) and comment: one per enrollment, changeable while the window is open."""
    if enrollment.official.user_id is None or enrollment.official.user_id != by.pk:
        raise FeedbackError(_("Only the participant can give feedback on this enrollment."))
    allowed, why = feedback_window(enrollment, today)
    if not allowed:
        raise FeedbackError(why)
    ratings = {"content": content, "trainer": trainer, "organisation": organisation, "usefulness": usefulness}
    for value in ratings.values():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise FeedbackError(_("Each rating is a whole number from 1 to 5."))
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        feedback, _created = Feedback.objects.select_for_update().update_or_create(
            enrollment=enrollment, defaults={**ratings, "comment": comment})
    return feedback
