"""Lifting a sign-in lock before its cool-off ends (django-axes' counters, shared by every app server).

An unlock deletes axes' failure rows for the username (or the address) through axes' own reset, so the next
right password signs in on whichever server receives it. The failures those rows held also stop counting
against the addresses they came from. Each unlock that cleared something is written to the audit log.
"""

from __future__ import annotations

from axes.utils import reset
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from staff.models import AuditAction
from staff.services.audit import audit_record, audit_summary


def lockout_clear(*, username: str, by: User) -> int:
    """Forget the failed sign-ins of one account (``username`` as axes counts it: the account's username).

    Returns how many of axes' rows were deleted; 0 when nothing was recorded, and then nothing is audited.
    """
    if not username:
        raise ValueError("an account's username is needed: axes resets every counter without one")
    with transaction.atomic():
        cleared = int(reset(username=username))
        if cleared:
            account = User.objects.filter(username=username).first()
            audit_record(user=by, action=AuditAction.LOCKOUT, obj=account,
                         summary=audit_summary(gettext_noop("Sign-in unlocked: account %(username)s"),
                                               username=username),
                         event="unlocked", username=username, rows=cleared)
    return cleared


def lockout_clear_address(*, ip_address: str, by: User) -> int:
    """Forget the failed sign-ins from one address, whatever usernames were tried from it."""
    if not ip_address:
        raise ValueError("an address is needed: axes resets every counter without one")
    with transaction.atomic():
        cleared = int(reset(ip=ip_address))
        if cleared:
            audit_record(user=by, action=AuditAction.LOCKOUT,
                         summary=audit_summary(gettext_noop("Sign-in unlocked: address %(address)s"),
                                               address=ip_address),
                         event="unlocked", ip_address=ip_address, rows=cleared)
    return cleared
