"""Everything the platform holds about one official, for "My data" (Law 91/2025 on personal data protection).

One read in a fixed number of queries (ten, whatever the number of enrollments, certificates or audit lines):

1. the official with their unit, rank, sign-in account and calendar feed;
2. their unit assignments with each unit;
3. their enrollments with session, course, unit at enrollment, nominating user (and that user's official
   record, for the name) and feedback;
4. the status history of those enrollments with who made each change;
5. their attendance;
6. their certificates with the issuing unit and the certificate each one replaced;
7. their invitations;
8. whether their account has an authenticator app (a second factor);
9. the audit lines about them: their record opened or exported, their account, their certificates, their roles;
10. the roles of their own account and of everyone named in those audit lines, with the unit.

The result is plain data: dicts and lists of ``str``, ``int``, ``bool``, ``None``, ``datetime.date`` and aware
``datetime.datetime`` in local time (``json.dumps(..., cls=DjangoJSONEncoder)`` writes them as ISO 8601).
Labels are translated once, in the active language, when the read runs.

What is left out on purpose: the password hash (only whether a password is set), the calendar feed's secret
token (only that a private link exists), certificates' verification codes (printed on the certificate PDFs),
invitation links, and anything about another person beyond the name of whoever acted on the record and the
unit of their role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from staff.auth.two_factor import has_authenticator_app
from staff.exports.records import PersonnelRecordExporter
from staff.models import (
    AuditAction,
    AuditEntry,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentEvent,
    Invitation,
    Official,
    RoleAssignment,
    UnitAssignment,
)
from staff.services.feedback import RATING_LABELS, RATING_NAMES

# The audit actions that mean "someone looked at or took out the official's record".
RECORD_OPENING_ACTIONS = (AuditAction.RECORD_VIEW, AuditAction.EXPORT)

# What a second-factor audit line's ``event`` means. The line's summary names the accounts involved (the HR
# officer's username for a reset): the official is told what happened and who did it by name, not that username.
TWO_FACTOR_EVENTS = {
    "setup": gettext_noop("Authenticator app set up"),
    "recovery_code_used": gettext_noop("Recovery code used"),
    "recovery_codes_renewed": gettext_noop("New recovery codes made"),
    "reset": gettext_noop("Second factor reset"),
}

Data = dict[str, Any]


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _person(user: User | None, *, own_user_id: int | None, units: dict[int, list[str]] | None = None) -> Data:
    """Who acted: the name only (their official record's name, else the account's), and the units of the roles
    they hold when ``units`` is given. Never their e-mail, username or anything else about them."""
    if user is None:
        return {"name": _("The system"), "you": False, "system": True, "units": []}
    if own_user_id is not None and user.pk == own_user_id:
        return {"name": _("You"), "you": True, "system": False, "units": []}
    try:
        name = user.official.full_name
    except ObjectDoesNotExist:  # a staff account that is on nobody's roster
        name = user.get_full_name() or user.get_username()
    return {"name": name, "you": False, "system": False, "units": (units or {}).get(user.pk, [])}


def _official(official: Official) -> Data:
    return {
        "employee_code": official.employee_code,
        "personal_id": official.personal_id or "",  # their own number: in full
        "full_name": official.full_name,
        "date_of_birth": official.date_of_birth,
        "gender": official.gender,
        "gender_label": official.get_gender_display(),
        "ethnicity": official.ethnicity,
        "category": official.category,
        "category_label": official.get_category_display(),
        "rank_code": official.rank_code,
        "rank_name": official.rank_name,
        "job_position": official.job_position,
        "leadership_position": official.leadership_position,
        "unit_code": official.unit_code,
        "unit_name": official.unit_name,
        "status": official.status,
        "status_label": official.get_status_display(),
        "email": official.email,
        "phone": official.phone,
        "preferred_language": official.preferred_language,
        "preferred_language_label": official.get_preferred_language_display(),
        "created_at": _local(official.created_at),
        "updated_at": _local(official.updated_at),
    }


def _account(user: User | None, *, roles: list[Data]) -> Data | None:
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "email": user.email,
        "is_active": user.is_active,
        # Whether a password is set, never the password's hash.
        "password_set": user.has_usable_password(),
        "two_factor": has_authenticator_app(user),
        "last_login": _local(user.last_login),
        "date_joined": _local(user.date_joined),
        "roles": roles,
    }


def _enrollment(enrollment: Enrollment, *, own_user_id: int | None) -> Data:
    session = enrollment.session
    try:
        feedback = enrollment.feedback
    except ObjectDoesNotExist:
        feedback = None
    return {
        "id": enrollment.pk,
        "course": session.course.title,
        "session_code": session.code,
        "start_date": session.start_date,
        "end_date": session.end_date,
        "venue": session.venue,
        "mode_label": session.get_mode_display(),
        "unit_at_enrollment": enrollment.unit.name,
        "status": enrollment.status,
        "status_label": enrollment.get_status_display(),
        "priority": enrollment.priority,
        "nominated_by": (_person(enrollment.nominated_by, own_user_id=own_user_id)
                         if enrollment.nominated_by_id is not None else None),
        "offer_expires_at": _local(enrollment.offer_expires_at),
        "result": enrollment.result,
        "result_label": enrollment.get_result_display() if enrollment.result else "",
        "periods_earned": enrollment.periods_earned,
        "completed_on": enrollment.completed_on,
        "created_at": _local(enrollment.created_at),
        "history": [
            {"at": _local(event.at),
             "from_status_label": event.get_from_status_display() if event.from_status else "",
             "to_status": event.to_status, "to_status_label": event.get_to_status_display(),
             "by": _person(event.by, own_user_id=own_user_id), "reason": event.reason}
            for event in enrollment.events.all()
        ],
        "attendance": [
            {"day": row.day, "present": row.present, "method": row.method, "method_label": row.get_method_display()}
            for row in enrollment.attendance.all()
        ],
        "feedback": None if feedback is None else {
            **{name: getattr(feedback, name) for name in RATING_NAMES},
            "comment": feedback.comment,
            "created_at": _local(feedback.created_at),
        },
    }


def _certificate(certificate: Certificate, *, today: dt.date) -> Data:
    state = certificate.state(today)
    return {
        "serial": certificate.serial,
        "course": certificate.course_title,
        "credential_type_label": certificate.get_credential_type_display(),
        "periods": certificate.periods,
        "start_date": certificate.start_date,
        "end_date": certificate.end_date,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "organizer": certificate.organizer.name,
        "state": state,
        "state_label": _("Expired") if state == "expired" else certificate.get_status_display(),
        "replaces": certificate.replaces.serial if certificate.replaces is not None else "",
        "revoked_at": _local(certificate.revoked_at),
        "revoked_reason": certificate.revoked_reason,
        # Only a valid certificate (expired or not) may be printed again: its id, for the download link.
        "download_id": certificate.pk if certificate.status == CertificateStatus.VALID else None,
    }


def _audit_what(entry: AuditEntry) -> str:
    if entry.action == AuditAction.TWO_FACTOR:
        event = entry.detail.get("event") if isinstance(entry.detail, dict) else None
        return _(TWO_FACTOR_EVENTS[event]) if event in TWO_FACTOR_EVENTS else ""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    what = entry.summary
    if entry.action == AuditAction.EXPORT and detail.get("kind") == PersonnelRecordExporter.name:
        what = _("Personnel training record")  # the summary names the exporter by its file name
    if entry.action == AuditAction.EXPORT and detail.get("format"):
        what = f"{what} ({str(detail['format']).upper()})"
    return what


def _audit_line(entry: AuditEntry, *, own_user_id: int | None, units: dict[int, list[str]]) -> Data:
    return {
        "at": _local(entry.at),
        "who": _person(entry.user, own_user_id=own_user_id, units=units),
        "action": entry.action,
        "action_label": entry.get_action_display(),
        "what": _audit_what(entry),
    }


def _about_official(official: Official, certificate_ids: list[int]) -> Q:
    """The audit lines about the official: their record, their account, their certificates, their roles."""
    about = Q(object_type=Official._meta.label, object_id=str(official.pk))
    if certificate_ids:
        about |= Q(object_type=Certificate._meta.label, object_id__in=[str(pk) for pk in certificate_ids])
    if official.user_id is not None:
        about |= Q(object_type=User._meta.label, object_id=str(official.user_id))
        # A role line names the account it changed; the role itself may since have been removed.
        assert official.user is not None  # loaded with the official
        about |= Q(action=AuditAction.ROLE_CHANGE, detail__account=official.user.get_username())
    return about


def my_data(official: Official) -> Data:
    """What the platform holds about ``official``, for them to read and take away (see the module's docstring)."""
    today = timezone.localdate()
    # 1. The official, their unit, rank, account and calendar feed.
    official = Official.objects.select_related("unit", "rank", "user", "calendar_feed").get(pk=official.pk)
    user = official.user
    own_user_id = official.user_id
    # 2. Where they worked, from when to when.
    assignments = [
        {"unit_code": row.unit.code, "unit_name": row.unit.name, "start": row.start, "end": row.end}
        for row in UnitAssignment.objects.filter(official=official).select_related("unit").order_by("start", "pk")
    ]
    # 3–5. Enrollments (with feedback joined), their history and their attendance: one query each.
    enrollments = list(
        Enrollment.objects.filter(official=official)
        .select_related("session__course", "unit", "nominated_by__official", "feedback")
        .prefetch_related(Prefetch("events", queryset=EnrollmentEvent.objects.select_related("by__official")
                                   .order_by("at", "pk")),
                          "attendance")
        .order_by("session__start_date", "pk")
    )
    # 6. Certificates, with who issued them and what each replaced.
    certificates = list(Certificate.objects.filter(official=official).select_related("organizer", "replaces")
                        .order_by("-issued_on", "-pk"))
    # 7. Invitations (never the link: it is signed, and an unused one would still open the account).
    invitations = [
        {"channel_label": row.get_channel_display(), "status_label": row.get_status_display(),
         "created_at": _local(row.created_at), "sent_at": _local(row.sent_at), "used_at": _local(row.used_at)}
        for row in Invitation.objects.filter(official=official).order_by("-created_at", "-pk")
    ]
    # 9. The audit lines about them, with the acting user and that user's official record (for the name).
    about = AuditEntry.objects.filter(_about_official(official, [c.pk for c in certificates]))
    audit = list(about.select_related("user__official").order_by("-at", "-pk"))
    # 10. Roles of the official's own account and of everyone in those lines: one query, also when there is no
    # line (the lines come in as a subquery, not as a list of ids that could be empty).
    role_users = Q(user__in=about.values("user_id"))
    if own_user_id is not None:
        role_users |= Q(user_id=own_user_id)
    units: dict[int, list[str]] = {}
    own_roles: list[Data] = []
    for role in RoleAssignment.objects.filter(role_users).select_related("unit").order_by("unit__path", "pk"):
        if role.user_id == own_user_id:
            own_roles.append({"role_label": role.get_role_display(), "unit_name": role.unit.name})
        names = units.setdefault(role.user_id, [])
        if role.unit.name not in names:
            names.append(role.unit.name)
    lines = [_audit_line(entry, own_user_id=own_user_id, units=units) for entry in audit]
    try:
        feed = official.calendar_feed
    except ObjectDoesNotExist:
        feed = None
    return {
        "generated_at": _local(timezone.now()),
        "official": _official(official),
        # 8. asks whether the account has an authenticator app.
        "account": _account(user, roles=own_roles),
        "assignments": assignments,
        "enrollments": [_enrollment(enrollment, own_user_id=own_user_id) for enrollment in enrollments],
        "certificates": [_certificate(certificate, today=today) for certificate in certificates],
        "invitations": invitations,
        "calendar_feed": {"exists": feed is not None, "created_at": _local(feed.created_at) if feed else None},
        "record_openings": [line for line, entry in zip(lines, audit, strict=True)
                            if entry.action in RECORD_OPENING_ACTIONS
                            and entry.object_type == Official._meta.label],
        "account_events": [line for line, entry in zip(lines, audit, strict=True)
                           if not (entry.action in RECORD_OPENING_ACTIONS
                                   and entry.object_type == Official._meta.label)],
        "rating_labels": {name: str(RATING_LABELS[name]) for name in RATING_NAMES},
    }


def rows_by_course(data: Data) -> dict[str, list[Data]]:
    """The enrollments' history, attendance and feedback as flat lists, each row naming its course: one table
    each on the page and in the PDF."""
    enrollments = data["enrollments"]
    return {
        "history": [{"course": e["course"], **event} for e in enrollments for event in e["history"]],
        "attendance": [{"course": e["course"], **row} for e in enrollments for row in e["attendance"]],
        "feedback": [{"course": e["course"], **e["feedback"]} for e in enrollments if e["feedback"] is not None],
    }
