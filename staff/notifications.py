"""E-mail to officials about their enrollments, sent by background tasks after the transaction commits.

Services call ``notify(kind, enrollment)``; the mail is rendered and sent by a django-tasks task, in the
official's preferred language, so a slow mail server never holds a seat lock or an HTTP request.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

KINDS = ("enrolled", "waitlisted", "promoted", "offered", "approved", "rejected", "cancelled", "reminder",
         "certificate_issued")


def notify(kind: str, enrollment) -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    enrollment_id = enrollment.pk
    transaction.on_commit(lambda: send_enrollment_mail.enqueue(kind=kind, enrollment_id=enrollment_id))


@task()
def send_enrollment_mail(*, kind: str, enrollment_id: int) -> int:
    from .models import Enrollment

    enrollment = Enrollment.objects.select_related("official", "session__course").filter(pk=enrollment_id).first()
    if enrollment is None or not enrollment.official.email:
        return 0
    return send_mail(f"[{kind}] {enrollment.session}", str(enrollment.session), None, [enrollment.official.email])


def notify_certificate_expiring(certificate, days_before: int) -> None:
    """Tell the official and their unit's HR that a certificate expires in ``days_before`` days."""
    certificate_id = certificate.pk
    transaction.on_commit(
        lambda: send_certificate_expiry_mail.enqueue(certificate_id=certificate_id, days_before=days_before)
    )


@task()
def send_certificate_expiry_mail(*, certificate_id: int, days_before: int) -> int:
    from .models import Certificate

    certificate = Certificate.objects.select_related("official").filter(pk=certificate_id).first()
    if certificate is None or not certificate.official.email:
        return 0
    return send_mail(f"[expiry {days_before}] {certificate.serial}", certificate.serial, None,
                     [certificate.official.email])
