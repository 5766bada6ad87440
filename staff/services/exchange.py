"""Writes for replicating best practices (a unit's adoption of a practice, its own results) and for
participants' feedback on a session.

Adoptions are recorded by the unit's HR (or the city's HR) for units in their scope; feedback only by the
participant themself, on their own enrollment, once the session is over.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Adoption,
    AdoptionEvent,
    AdoptionResult,
    AdoptionStatus,
    Enrollment,
    EnrollmentStatus,
    Feedback,
    Unit,
)
from ..scoping import HR_ROLES, units_in_scope

# Participants may give or change their feedback until this many days after the session's last day.
FEEDBACK_WINDOW_DAYS = 30
RATING_NAMES = ("content", "trainer", "organisation", "usefulness")
RATING_LABELS = {"content": gettext_lazy("Content"), "trainer": gettext_lazy("Trainer"),
                 "organisation": gettext_lazy("Organisation"), "usefulness": gettext_lazy("Usefulness")}


class ExchangeError(ValueError):
    """A replication or feedback write that the rules refuse; the message is shown to the user."""


def _check_unit(unit: Unit, by: User) -> None:
    # The form already offers only units in scope; the service refuses too, so no other caller can bypass it.
    if not units_in_scope(by, roles=HR_ROLES).filter(pk=unit.pk).exists():
        raise ExchangeError(_("You cannot record adoptions for this unit."))


def adoption_record(*, practice, unit: Unit, status: str, since: dt.date, changes: str = "",
                    via_exchange=None, by: User) -> Adoption:
    """Create or update where ``unit`` stands with ``practice``; a change of status (or the first record)
    writes an AdoptionEvent dated ``since``. Recording the same status again writes no event."""
    if status not in AdoptionStatus.values:
        raise ExchangeError(_("Unknown status."))
    _check_unit(unit, by)
    with transaction.atomic():
        # Lock the row so two HR officers saving at once cannot both decide "the status changed".
        adoption = Adoption.objects.select_for_update().filter(practice=practice, unit=unit).first()
        if adoption is None:
            try:
                with transaction.atomic():
                    adoption = Adoption.objects.create(practice=practice, unit=unit, status=status, since=since,
                                                       changes=changes, via_exchange=via_exchange, recorded_by=by)
            except IntegrityError:  # created concurrently: fall back to updating that row
                adoption = Adoption.objects.select_for_update().get(practice=practice, unit=unit)
            else:
                AdoptionEvent.objects.create(adoption=adoption, status=status, on=since, by=by)
                return adoption
        changed = adoption.status != status
        adoption.status, adoption.since, adoption.changes = status, since, changes
        adoption.via_exchange, adoption.recorded_by = via_exchange, by
        adoption.save(update_fields=["status", "since", "changes", "via_exchange", "recorded_by", "updated_at"])
        if changed:
            AdoptionEvent.objects.create(adoption=adoption, status=status, on=since, by=by)
    return adoption


def adoption_result_record(*, adoption: Adoption, indicator: str, before: Decimal | None, after: Decimal | None,
                           measured_on: dt.date | None = None, by: User) -> AdoptionResult:
    """Create or update the unit's own measurement of one indicator (one row per indicator name)."""
    _check_unit(adoption.unit, by)
    indicator = indicator.strip()
    if not indicator:
        raise ExchangeError(_("Name the indicator."))
    result, _created = AdoptionResult.objects.update_or_create(
        adoption=adoption, indicator=indicator,
        defaults={"before": before, "after": after, "measured_on": measured_on},
    )
    return result


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
        raise ExchangeError(_("Only the participant can give feedback on this enrollment."))
    allowed, why = feedback_window(enrollment, today)
    if not allowed:
        raise ExchangeError(why)
    ratings = {"content": content, "trainer": trainer, "organisation": organisation, "usefulness": usefulness}
    for value in ratings.values():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ExchangeError(_("Each rating is a whole number from 1 to 5."))
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        feedback, _created = Feedback.objects.select_for_update().update_or_create(
            enrollment=enrollment, defaults={**ratings, "comment": comment})
    return feedback
