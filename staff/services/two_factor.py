"""Writes about second factors (django-otp): a staff account's authenticator app from setup to confirmation,
the ten single-use recovery codes, signing in with either, and the reset by the city's HR.

An authenticator app is a ``TOTPDevice``. It starts unconfirmed and only counts once its owner has typed a
right code from it, which proves the app holds the secret. Recovery codes are one ``StaticDevice`` holding
``StaticToken`` rows; a token is deleted when it is used. Wrong codes are counted on the device that refused
them, and django-otp's throttling makes each further try wait 1, 2, 4, 8… seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import AuditAction
from staff.services.audit import audit_record, audit_summary

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code gave: the device that accepted it, or why none did.

    ``retry_at`` is set when too many wrong codes came before: nothing was checked, and nothing is
    until then. ``recovery_codes`` holds a new set when the check made one (setup, renewal);
    ``recovery_codes_left`` is set when a recovery code was used.
    """

    device: Any = None
    retry_at: dt.datetime | None = None
    recovery_codes: list[str] = field(default_factory=list)
    recovery_codes_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalise_code(code: str) -> str:
    """What people type: "123 456", "abcd-efgh", "ABCD EFGH" are the codes 123456 and abcdefgh."""
    return "".join(code.split()).replace("-", "").lower()


def format_recovery_code(token: str) -> str:
    """Two groups of four, easier to copy by hand: "abcd-efgh"."""
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def _check(device: Any, token: str) -> CodeCheck:
    """Check ``token`` against ``device`` (locked by the caller), respecting its throttling."""
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(retry_at=(detail or {}).get("locked_until"))
    if device.verify_token(token):  # counts a wrong code itself (throttle_increment) and saves the device
        return CodeCheck(device=device)
    return CodeCheck()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set; the old ones stop working at once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                          defaults={"confirmed": True})
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in tokens])
    return [format_recovery_code(token) for token in tokens]


def totp_device_start(*, user: User) -> Any:
    """The authenticator app being set up: an unconfirmed device, the same one (and secret) each time the
    setup page is opened again, until it is confirmed. The caller makes sure the user has no app yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: Any, token: str) -> CodeCheck:
    """Confirm the app with a code from it; on success the user also gets a new set of recovery codes."""
    with transaction.atomic():
        # The row lock makes two submissions of one code count once (SQLite: the IMMEDIATE transaction).
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if locked is None:
            return CodeCheck()
        check = _check(locked, normalise_code(token))
        if not check.ok:
            return check
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        user = locked.user
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        audit_record(user=user, action=AuditAction.TWO_FACTOR, obj=user,
                     summary=audit_summary(gettext_noop("%(username)s: authenticator app set up"),
                                           username=user.username),
                     event="setup",
                     recovery_codes=len(codes))
    return CodeCheck(device=locked, recovery_codes=codes)


def second_factor_verify(*, user: User, token: str) -> CodeCheck:
    """Sign-in's second step: a code from the user's app, or one of their recovery codes (used up)."""
    code = normalise_code(token)
    with transaction.atomic():
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        # Six digits are the app's code; a recovery code has eight letters and digits. Asking only the
        # device the code is meant for keeps a mistyped code from counting against the other one.
        if app is not None and code.isdigit() and len(code) == app.digits:
            return _check(app, code)
        recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if recovery is None:
            return CodeCheck()
        check = _check(recovery, code)
        if not check.ok:
            return check
        left = recovery.token_set.count()
        audit_record(user=user, action=AuditAction.TWO_FACTOR, obj=user,
                     summary=audit_summary(gettext_noop("%(username)s: recovery code used, %(left)s left"),
                                           username=user.username, left=left),
                     event="recovery_code_used",
                     recovery_codes_left=left)
    return CodeCheck(device=recovery, recovery_codes_left=left)


def recovery_codes_renew(*, user: User, token: str) -> CodeCheck:
    """A new set of recovery codes for someone who proves again, with a code from their app, that it is them."""
    with transaction.atomic():
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if app is None:
            return CodeCheck()
        check = _check(app, normalise_code(token))
        if not check.ok:
            return check
        codes = _new_recovery_codes(user)
        audit_record(user=user, action=AuditAction.TWO_FACTOR, obj=user,
                     summary=audit_summary(gettext_noop("%(username)s: new recovery codes"),
                                           username=user.username),
                     event="recovery_codes_renewed",
                     recovery_codes=len(codes))
    return CodeCheck(device=app, recovery_codes=codes)


def second_factors_reset(*, user: User, by: User, reason: str = "") -> int:
    """Remove every second factor of ``user`` (a lost phone): their next visit to the admin asks them to set up
    a new app, and a session verified with the old one stops counting as verified. Returns how many devices
    were removed."""
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).count()
        recovery = StaticDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()  # their tokens go with them (CASCADE)
        audit_record(user=by, action=AuditAction.TWO_FACTOR, obj=user,
                     summary=audit_summary(gettext_noop("%(username)s: second factor reset by %(by)s"),
                                           username=user.username, by=by.username),
                     event="reset",
                     username=user.username, apps_removed=apps, recovery_devices_removed=recovery,
                     reason=reason[:300])
    return apps + recovery
