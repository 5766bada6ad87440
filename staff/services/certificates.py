"""Certificate writes: issue, revoke, reissue, and the reminders before a certificate expires.

Serial numbers run per organizer and year with no gap and no duplicate. The number is taken inside the
issuing transaction: ``UPDATE certificate_serial SET last_number = last_number + 1 WHERE id = …`` and a
read of the row in the same transaction. On PostgreSQL the UPDATE's row lock makes a second issuer wait
until the first commits (and then see its number); on SQLite the IMMEDIATE transaction holds the write
lock from BEGIN. A rolled-back issue rolls the counter back with it, so no number is ever lost.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.models import CredentialType
from staff.access import acting_user
from staff.models import (
    AuditAction,
    Certificate,
    CertificateReminder,
    CertificateSerial,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Unit,
)
from staff.notifications import notify, notify_certificate_expiring, notify_certificate_revoked
from staff.services.audit import audit_record, audit_summary

# Days before expiry at which the official is reminded, loosest first.
REMINDER_DAYS = (90, 30, 7)


class CertificateError(Exception):
    """A request the rules refuse; the message is for the person who asked."""



def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def serial_text(organizer: Unit, year: int, number: int) -> str:
    return f"{organizer.code}-{year}-{number:05d}"


def _next_number(organizer: Unit, year: int) -> int:
    """The organizer's next number for ``year``. Call inside the issuing transaction (see the module doc)."""
    counter_id = CertificateSerial.objects.filter(organizer=organizer, year=year).values_list("pk", flat=True).first()
    if counter_id is None:
        try:
            # A savepoint: when two issuers create the year's counter at once, the loser rolls back only this.
            with transaction.atomic():
                counter_id = CertificateSerial.objects.create(organizer=organizer, year=year).pk
        except IntegrityError:
            counter_id = CertificateSerial.objects.values_list("pk", flat=True).get(organizer=organizer, year=year)
    # The row lock taken here is held until our transaction ends: issuers queue, each reads its own number.
    CertificateSerial.objects.filter(pk=counter_id).update(last_number=F("last_number") + 1)
    return CertificateSerial.objects.values_list("last_number", flat=True).get(pk=counter_id)


def _create(enrollment: Enrollment, *, organizer: Unit, by: User | None, issued_on: dt.date,
            expires_on: dt.date | None, replaces: Certificate | None = None) -> Certificate:
    """Number and save a certificate for ``enrollment`` in the name of its course's ``organizer``; the caller
    holds the transaction."""
    course = enrollment.session.course
    number = _next_number(organizer, issued_on.year)
    return Certificate.objects.create(
        enrollment=enrollment, official=enrollment.official, organizer=organizer, year=issued_on.year,
        number=number, serial=serial_text(organizer, issued_on.year, number),
        # 18 random bytes: the code in the QR must not be guessable from the serial or another code.
        verification_code=secrets.token_urlsafe(18), credential_type=course.credential_type,
        course_title=course.title, periods=enrollment.periods_earned or course.periods,
        start_date=enrollment.session.start_date, end_date=enrollment.session.end_date,
        issued_on=issued_on, expires_on=expires_on, issued_by=acting_user(by), replaces=replaces,
    )


def _valid_certificate(enrollment_id: int) -> Certificate | None:
    return Certificate.objects.filter(enrollment_id=enrollment_id, status=CertificateStatus.VALID).first()


def certificate_issue(*, enrollment: Enrollment, by: User | None, issued_on: dt.date | None = None,
                      send_notification: bool = True) -> Certificate:
    """Issue the certificate a completed enrollment earns; if it already has a valid one, return that.

    ``issued_on`` defaults to today; pass the session's end date when issuing for a class after the fact.
    ``send_notification=False`` is for back-filling history (demo data, imports): nobody is mailed.
    """
    existing = _valid_certificate(enrollment.pk)
    if existing is not None:
        return existing
    # Read the enrollment again: a stale object must not earn a certificate for a cancelled place.
    enrollment = Enrollment.objects.select_related("official", "session__course__organizer").get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise CertificateError(_("Only a completed enrollment earns a certificate."))
    course = enrollment.session.course
    if course.credential_type == CredentialType.ATTENDANCE:
        raise CertificateError(_("This course records attendance only and gives no certificate."))
    organizer = course.organizer
    if organizer is None:
        raise CertificateError(_("The course has no organizer unit to issue the certificate."))
    issued_on = issued_on or timezone.localdate()
    months = course.certificate_validity_months
    try:
        with transaction.atomic():
            certificate = _create(enrollment, organizer=organizer, by=by, issued_on=issued_on,
                                  expires_on=add_months(issued_on, months) if months else None)
            audit_record(user=by, action=AuditAction.CERTIFICATE_ISSUE, obj=certificate,
                         summary=audit_summary(gettext_noop("Certificate %(serial)s issued to %(name)s"),
                                               serial=certificate.serial, name=enrollment.official.full_name))
            if send_notification:
                notify("certificate_issued", enrollment)
    except IntegrityError:
        # Two issuers for the same enrollment: the partial unique constraint let one win; our number
        # went back with our rollback, and the winner's certificate is the answer.
        existing = _valid_certificate(enrollment.pk)
        if existing is None:
            raise
        return existing
    return certificate


def certificate_revoke(*, certificate: Certificate, by: User | None, reason: str,
                       send_notification: bool = False) -> Certificate:
    """Withdraw a valid certificate; a reason is required. The verification page then says "revoked".

    ``send_notification`` mails the official (after commit) that it was withdrawn, and why."""
    reason = reason.strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."))
    # Conditional UPDATE: two clicks, or a reissue at the same moment, change the row once.
    if not Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=CertificateStatus.REVOKED,
        revoked_at=timezone.now(),
        revoked_by=acting_user(by),
        revoked_reason=reason[:500],
    ):
        raise CertificateError(_("Only a valid certificate can be revoked; reload the page."))
    certificate.refresh_from_db()
    audit_record(
        user=by,
        action=AuditAction.CERTIFICATE_REVOKE,
        obj=certificate,
        summary=audit_summary(gettext_noop("Certificate %(serial)s revoked: %(reason)s"), serial=certificate.serial,
                              reason=reason[:200]),
        reason=reason[:500],
    )
    if send_notification:
        notify_certificate_revoked(certificate)
    return certificate


def certificate_reissue(*, certificate: Certificate, by: User | None, reason: str = "") -> Certificate:
    """Replace a valid certificate by a new one (new serial and code, issued today) for the same enrollment.

    Course data is copied again (a reissue usually corrects something); the expiry date stays that of
    the original, because validity comes from the training, not from the reprint. Reminders already
    sent for the original count for the new one, so nobody is reminded twice.
    """
    with transaction.atomic():
        # The old one leaves VALID first: one valid certificate per enrollment is a database constraint.
        if not Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
            status=CertificateStatus.REPLACED,
            revoked_at=timezone.now(),
            revoked_by=acting_user(by),
            revoked_reason=reason.strip()[:500],
        ):
            raise CertificateError(_("Only a valid certificate can be reissued; reload the page."))
        enrollment = Enrollment.objects.select_related("official", "session__course__organizer").get(
            pk=certificate.enrollment_id
        )
        organizer = enrollment.session.course.organizer
        if organizer is None:
            raise CertificateError(_("The course has no organizer unit to issue the certificate."))
        new = _create(
            enrollment, organizer=organizer, by=by, issued_on=timezone.localdate(), expires_on=certificate.expires_on,
            replaces=certificate,
        )
        audit_record(
            user=by,
            action=AuditAction.CERTIFICATE_ISSUE,
            obj=new,
            summary=audit_summary(gettext_noop("Certificate %(serial)s reissued as %(new)s"), serial=certificate.serial,
                                  new=new.serial),
            replaces=certificate.serial,
        )
        CertificateReminder.objects.bulk_create(
            [
                CertificateReminder(certificate=new, days_before=days)
                for days in certificate.reminders.values_list("days_before", flat=True)
            ]
        )
        notify("certificate_issued", enrollment)
    certificate.refresh_from_db()
    return new


def certificates_remind_expiring(*, today: dt.date | None = None) -> int:
    """Remind officials of valid certificates expiring within 90, 30 or 7 days; return how many were sent.

    Each certificate gets only the tightest threshold it has reached: one expiring in 5 days that was
    never reminded gets the 7-day reminder, and the 30- and 90-day ones are simply never sent (a late
    "90 days left" would be wrong). A reminder is claimed by inserting its ``CertificateReminder`` row;
    the unique constraint makes a second run, or a second host, skip it.
    """
    today = today or timezone.localdate()
    candidates = (
        Certificate.objects.filter(
            status=CertificateStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=max(REMINDER_DAYS)),
        )
        .prefetch_related("reminders")
        .order_by("expires_on", "pk")
    )
    sent = 0
    for certificate in candidates:
        if certificate.expires_on is None:  # never: the filter above requires a date; the column allows none
            continue
        days_left = (certificate.expires_on - today).days
        threshold = min(days for days in REMINDER_DAYS if days_left <= days)
        if any(reminder.days_before == threshold for reminder in certificate.reminders.all()):
            continue
        try:
            # A savepoint per claim: losing a race for one certificate must not undo the others.
            with transaction.atomic():
                CertificateReminder.objects.create(certificate=certificate, days_before=threshold)
                notify_certificate_expiring(certificate, threshold)
        except IntegrityError:
            continue  # another run claimed it first
        sent += 1
    return sent
