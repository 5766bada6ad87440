"""Writes for replication: adoptions and their results, exchange seats for invited units."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import BestPracticePage, CourseSession, ExchangePage
from staff.access import hr_units
from staff.models import (
    Adoption,
    AdoptionEvent,
    AdoptionResult,
    AdoptionStatus,
    Unit,
)
from staff.services.enrollment import EnrollmentError, reservation_set


class ReplicationError(ValueError):
    """A replication write that the rules refuse; the message is shown to the user."""


def _check_unit(unit: Unit, by: User) -> None:
    # The form already offers only units in scope; the service refuses too, so no other caller can bypass it.
    if not hr_units(by).filter(pk=unit.pk).exists():
        raise ReplicationError(_("You cannot record adoptions for this unit."))


def adoption_record(*, practice: BestPracticePage, unit: Unit, status: str, since: dt.date, changes: str = "",
                    via_exchange: ExchangePage | None = None, by: User,
                    results: Iterable[Mapping[str, Any]] = ()) -> Adoption:
    """Create or update where ``unit`` stands with ``practice``; a change of status (or the first record)
    writes an AdoptionEvent dated ``since``. Recording the same status again writes no event.

    ``results`` (indicator, before, after, measured_on) are recorded with it, all or nothing."""
    if status not in AdoptionStatus.values:
        raise ReplicationError(_("Unknown status."))
    _check_unit(unit, by)
    with transaction.atomic():
        adoption = _adoption_upsert(practice=practice, unit=unit, status=status, since=since, changes=changes,
                                    via_exchange=via_exchange, by=by)
        for row in results:
            adoption_result_record(adoption=adoption, indicator=row["indicator"], before=row.get("before"),
                                   after=row.get("after"), measured_on=row.get("measured_on"), by=by)
    return adoption


def _adoption_upsert(*, practice: BestPracticePage, unit: Unit, status: str, since: dt.date, changes: str,
                     via_exchange: ExchangePage | None, by: User) -> Adoption:
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
        raise ReplicationError(_("Name the indicator."))
    result, _created = AdoptionResult.objects.update_or_create(
        adoption=adoption, indicator=indicator,
        defaults={"before": before, "after": after, "measured_on": measured_on},
    )
    return result


logger = logging.getLogger(__name__)


def exchange_reserve_seats(*, page: ExchangePage) -> int:
    """Reserve ``page.seats_per_invited_unit`` seats for every invited unit in every upcoming session.

    Idempotent: ``reservation_set`` sets the number rather than adding to it. Returns how many
    (session, unit) reservations now hold that number. A session too full for a unit's seats is skipped
    and logged rather than raised: publishing the page must not fail because one class filled up.
    """
    units = list(page.invited_units.all())
    sessions = CourseSession.objects.filter(course_id=page.pk, cancelled=False,
                                            start_date__gte=timezone.localdate()).order_by("start_date", "pk")
    done = 0
    for session in sessions:
        # A unit no longer invited keeps only the seats its officials already hold; the rest go back.
        for reservation in session.reservations.exclude(unit__in=units).select_related("unit"):
            reservation_set(session=session, unit=reservation.unit, seats=reservation.taken)
        for unit in units:
            try:
                reservation_set(session=session, unit=unit, seats=page.seats_per_invited_unit)
            except EnrollmentError as exc:
                logger.warning("Exchange %s, session %s: no reservation for %s: %s", page.pk, session.pk,
                               unit.code, exc)
                continue
            done += 1
    return done
