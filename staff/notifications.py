"""E-mail to officials about their enrollments, sent by background tasks after the transaction commits.

Services call ``notify(kind, enrollment)``; the mail is rendered and sent by a django-tasks task, in the
official's preferred language, so a slow mail server never holds a seat lock or an HTTP request, and a
rolled-back change never mails anyone. Texts live in ``templates/emails/<kind>_subject.txt`` and
``<kind>.txt`` with English msgids; a mail that confirms a seat carries an .ics invitation.
"""

from __future__ import annotations

import datetime as dt
import re
from email.mime.text import MIMEText

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from courses.models import CourseSession
from staff import calendars
from staff.models import Certificate, CertificateStatus, Enrollment, EnrollmentStatus, Official, Role

KINDS = ("enrolled", "waitlisted", "promoted", "offered", "approved", "rejected", "cancelled", "reminder",
         "certificate_issued", "session_changed", "session_cancelled")
# Kinds whose mail, for a confirmed seat, carries an invitation (METHOD:REQUEST) for the calendar.
INVITING_KINDS = ("enrolled", "promoted", "approved", "session_changed")
# Who hears about a changed or cancelled session: everyone holding or about to hold a seat. Completed
# classes are history; the waiting list has no seat to lose.
SESSION_AUDIENCE = (EnrollmentStatus.PENDING, EnrollmentStatus.PENDING_ORGANIZER, EnrollmentStatus.OFFERED,
                    EnrollmentStatus.CONFIRMED)
# Enrollments mailed per batch: one query and one SMTP connection per batch, never a whole class in memory.
CHUNK = 200


# --- Entry points ---------------------------------------------------------------------------------


def notify(kind: str, enrollment: Enrollment) -> None:
    """Mail the official about ``enrollment`` once the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(kind)
    # The status travels with the task: the mail tells what happened now, even if the enrollment has
    # moved on by the time a worker sends it (its own mail follows).
    enqueue_enrollment_mail(kind, enrollment.pk, enrollment.status)


def enqueue_enrollment_mail(kind: str, enrollment_id: int, status: str = "") -> None:
    transaction.on_commit(
        lambda: send_enrollment_mail.enqueue(kind=kind, enrollment_id=enrollment_id, status=status)
    )


def notify_certificate_expiring(certificate: Certificate, days_before: int) -> None:
    """Tell the official and their unit's HR that a certificate expires in ``days_before`` days."""
    certificate_id = certificate.pk
    transaction.on_commit(
        lambda: send_certificate_expiry_mail.enqueue(certificate_id=certificate_id, days_before=days_before)
    )


def session_audience_ids(session: CourseSession) -> list[int]:
    """The enrollments an update of the session is mailed to (read before a cancellation ends them)."""
    return list(Enrollment.objects.filter(session_id=session.pk, status__in=SESSION_AUDIENCE)
                .values_list("pk", flat=True))


def session_changed(session: CourseSession, *, enrollment_ids: list[int] | None = None) -> None:
    """Send every participant of ``session`` the updated invitation, or the cancellation, after commit.

    ``enrollment_ids`` names the audience when the change itself ends their enrollments (a cancelled
    session); otherwise the task reads who holds a seat when it runs."""
    session_id = session.pk
    transaction.on_commit(lambda: send_session_update.enqueue(session_id=session_id, enrollment_ids=enrollment_ids))


# --- Tasks ----------------------------------------------------------------------------------------


@task()
def send_enrollment_mail(*, kind: str, enrollment_id: int, status: str = "") -> int:
    enrollment = (
        Enrollment.objects.select_related("official", "session__course__organizer")
        .filter(pk=enrollment_id).first()
    )
    if enrollment is None or not enrollment.official.email:
        return 0
    if status:
        enrollment.status = status  # for rendering only; never saved
    return enrollment_message(kind, enrollment).send()


@task()
def send_session_update(*, session_id: int, enrollment_ids: list[int] | None = None) -> int:
    session = CourseSession.objects.select_related("course__organizer").filter(pk=session_id).first()
    if session is None:
        return 0
    kind = "session_cancelled" if session.cancelled else "session_changed"
    audience = (
        Enrollment.objects.filter(pk__in=enrollment_ids) if enrollment_ids is not None
        else Enrollment.objects.filter(session_id=session_id, status__in=SESSION_AUDIENCE)
    ).exclude(official__email="").select_related("official").order_by("pk")
    sent, last = 0, 0
    with get_connection() as connection:
        while chunk := list(audience.filter(pk__gt=last)[:CHUNK]):
            for enrollment in chunk:
                enrollment.session = session  # one session object for the whole class, not a query each
            sent += connection.send_messages([enrollment_message(kind, e) for e in chunk]) or 0
            last = chunk[-1].pk
    return sent


def notify_certificate_revoked(certificate: Certificate) -> None:
    """Tell the official their certificate was revoked, and why (after the revoking transaction commits)."""
    certificate_id = certificate.pk
    transaction.on_commit(lambda: send_certificate_revoked_mail.enqueue(certificate_id=certificate_id))


@task()
def send_certificate_revoked_mail(*, certificate_id: int) -> int:
    certificate = Certificate.objects.select_related("official").filter(pk=certificate_id).first()
    if certificate is None or not certificate.official.email:
        return 0
    return certificate_revoked_message(certificate).send()


@task()
def send_certificate_expiry_mail(*, certificate_id: int, days_before: int) -> int:
    certificate = Certificate.objects.select_related("official__unit").filter(pk=certificate_id).first()
    if certificate is None:
        return 0
    official = certificate.official
    messages = []
    if official.email:
        messages.append(certificate_expiry_message(certificate, days_before, [official.email],
                                                   language=_language(official), for_hr=False))
    hr_emails = unit_hr_emails(official)
    if hr_emails:
        messages.append(certificate_expiry_message(certificate, days_before, hr_emails,
                                                   language=settings.LANGUAGE_CODE, for_hr=True))
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


# --- Recipients -----------------------------------------------------------------------------------


def unit_hr_emails(official: Official) -> list[str]:
    """E-mail addresses of the HR officers of the official's unit or any unit above it, in one query."""
    unit = official.unit
    if unit is None:
        return []
    parts = unit.path.strip("/").split("/")
    # The materialised path's prefixes are exactly the ancestors' paths (and the unit's own).
    ancestor_paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return list(
        get_user_model().objects.filter(staff_roles__role=Role.UNIT_HR, staff_roles__unit__path__in=ancestor_paths,
                                        is_active=True)
        .exclude(email="").order_by("email").values_list("email", flat=True).distinct()
    )


# --- Rendering ------------------------------------------------------------------------------------


def _language(official: Official) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return official.preferred_language if official.preferred_language in codes else settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _url(name: str, fallback: str, **kwargs) -> str:
    # Some views are written alongside this module; a missing one must not stop the mail.
    try:
        return _absolute(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return _absolute(fallback)


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail: no HTML escaping ("&" in a course title stays "&").
    template = get_template(name)
    # Turning autoescape off needs the Django engine's own template, under the backend's wrapper.
    if not isinstance(template, DjangoTemplate):
        raise TypeError(f"{name} must be rendered by the Django template engine")
    text: str = template.template.render(Context(context, autoescape=False))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def _render(kind: str, context: dict) -> tuple[str, str]:
    subject = " ".join(_render_text(f"emails/{kind}_subject.txt", context).split())
    return subject, _render_text(f"emails/{kind}.txt", context)


def _session_context(session: CourseSession) -> dict:
    return {
        "session": session,
        "course_title": session.course.title,
        "session_code": session.code,
        "start_date": _date(session.start_date),
        "end_date": _date(session.end_date),
        "single_day": session.start_date == session.end_date,
        "daily_start": session.daily_start.strftime("%H:%M"),
        "daily_end": session.daily_end.strftime("%H:%M"),
        "mode": str(session.get_mode_display()),
        "venue": session.venue,
        "online_url": session.online_url,
        "schedule_note": session.schedule_note,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.WAGTAILADMIN_BASE_URL,
        "my_training_url": _url("my_training", "/khoa-hoc-cua-toi/"),
    }


def _last_event(enrollment: Enrollment) -> tuple[str, str]:
    """(reason, from_status) of the enrollment's latest status change."""
    found = enrollment.events.order_by("-at", "-pk").values_list("reason", "from_status").first()
    # Reasons written by the system are English msgids when no language was active: translate them;
    # a reason typed by a person is not in the catalog and comes back unchanged.
    return (gettext(found[0]) if found[0] else "", found[1]) if found else ("", "")


def _enrollment_context(kind: str, enrollment: Enrollment) -> dict:
    official = enrollment.official
    context = {
        **_session_context(enrollment.session),
        "name": official.full_name,
        "enrollment": enrollment,
        "status": str(enrollment.get_status_display()),
        "confirmed": enrollment.status == EnrollmentStatus.CONFIRMED,
        "awaiting_approval": enrollment.status in (EnrollmentStatus.PENDING, EnrollmentStatus.PENDING_ORGANIZER),
        "nominated": enrollment.nominated_by_id is not None,
    }
    if kind in ("rejected", "cancelled"):
        context["reason"], context["previous_status"] = _last_event(enrollment)
    if kind == "offered" and enrollment.offer_expires_at:
        context["offer_deadline"] = timezone.localtime(enrollment.offer_expires_at).strftime("%H:%M %d/%m/%Y")
    if kind == "certificate_issued":
        certificate = enrollment.certificates.filter(status=CertificateStatus.VALID).order_by("-pk").first()
        if certificate is not None:
            context.update(serial=certificate.serial, credential=str(certificate.get_credential_type_display()),
                           expires_on=_date(certificate.expires_on),
                           verify_url=_url("certificate_verify", f"/xac-minh/{certificate.verification_code}/",
                                           code=certificate.verification_code))
    return context


def _ics_part(content: bytes, method: str) -> MIMEText:
    # text/calendar with its METHOD as a MIME parameter: how mail clients recognise an invitation.
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="lop-hoc.ics")
    return part


def _calendar_attachment(kind: str, enrollment: Enrollment, context: dict) -> MIMEText | None:
    # A cancelled session has already ended its enrollments: they still get the CANCEL (a client that
    # never had the event ignores it).
    if enrollment.status != EnrollmentStatus.CONFIRMED and kind not in ("cancelled", "session_cancelled"):
        return None
    if kind in INVITING_KINDS:
        return _ics_part(calendars.invitation_ics(enrollment), "REQUEST")
    if kind == "session_cancelled" or (kind == "cancelled" and context.get("previous_status")
                                       == EnrollmentStatus.CONFIRMED):
        # Only someone who was sent an invitation has an event to remove.
        return _ics_part(calendars.cancellation_ics(enrollment), "CANCEL")
    return None


def enrollment_message(kind: str, enrollment: Enrollment) -> EmailMultiAlternatives:
    """The mail of ``kind`` about ``enrollment``, in the official's language, ready to send."""
    language = _language(enrollment.official)
    with translation.override(language):
        context = _enrollment_context(kind, enrollment)
        subject, body = _render(kind, context)
        message = EmailMultiAlternatives(subject, body, to=[enrollment.official.email],
                                         headers={"Content-Language": language})
        attachment = _calendar_attachment(kind, enrollment, context)
    if attachment is not None:
        message.attach(attachment)
    return message


def certificate_expiry_message(certificate: Certificate, days_before: int, recipients: list[str], *,
                               language: str, for_hr: bool) -> EmailMultiAlternatives:
    official = certificate.official
    with translation.override(language):
        context = {
            "name": official.full_name,
            "for_hr": for_hr,
            "employee_code": official.employee_code,
            "unit_name": official.unit_name,
            "course_title": certificate.course_title,
            "serial": certificate.serial,
            "expires_on": _date(certificate.expires_on),
            "days": days_before,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            "verify_url": _url("certificate_verify", f"/xac-minh/{certificate.verification_code}/",
                               code=certificate.verification_code),
        }
        subject, body = _render("certificate_expiring", context)
    return EmailMultiAlternatives(subject, body, to=recipients, headers={"Content-Language": language})


def certificate_revoked_message(certificate: Certificate) -> EmailMultiAlternatives:
    official = certificate.official
    language = _language(official)
    with translation.override(language):
        subject, body = _render("certificate_revoked", {
            "name": official.full_name, "course_title": certificate.course_title, "serial": certificate.serial,
            "reason": certificate.revoked_reason, "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            "verify_url": _url("certificate_verify", f"/xac-minh/{certificate.verification_code}/",
                               code=certificate.verification_code),
        })
    return EmailMultiAlternatives(subject, body, to=[official.email], headers={"Content-Language": language})
