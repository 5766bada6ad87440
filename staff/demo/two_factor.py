"""Second factors for the demo's staff logins, so that a demo runs one step away from the admin.

Every demo staff login (admin, hr.thanhpho, hr.khuongdinh, hr.ankhanh, tochuc) gets a confirmed
authenticator app holding one fixed secret: the RFC 6238 test key "12345678901234567890", in base32
``GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ``. It is synthetic and public (written here and in the README), like the
demo password: add it to any authenticator app, or print the current code with
``python manage.py demo_code hr.thanhpho``. Never load demo data where real people sign in.
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import base64
import time

from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.demo.organisation import LOGINS

DEMO_TOTP_KEY = b"12345678901234567890"
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode("ascii")  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
DEMO_DEVICE_NAME = "demo"
# The logins with a role or administrator rights: the ones the admin asks a second factor of.
DEMO_STAFF_LOGINS = [username for username, _first, _last, role, _unit, superuser in LOGINS
                     if superuser or role is not None]


def seed_two_factor() -> int:
    """Give each demo staff login its confirmed demo app; return how many logins have one."""
    for user in User.objects.filter(username__in=DEMO_STAFF_LOGINS):
        TOTPDevice.objects.get_or_create(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY.hex(),
                                         defaults={"confirmed": True})
    return TOTPDevice.objects.filter(user__username__in=DEMO_STAFF_LOGINS, name=DEMO_DEVICE_NAME,
                                     key=DEMO_TOTP_KEY.hex(), confirmed=True).count()


def demo_device(username: str) -> TOTPDevice | None:
    """The demo app of a demo login: only a device holding the public demo secret, never a real one."""
    return TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY.hex(),
                                     confirmed=True).first()


def current_code(device: TOTPDevice, *, now: float | None = None) -> tuple[str, int]:
    """The code the app shows now, and for how many more seconds."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if now is None else now
    seconds_left = device.step - int(totp.time - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", seconds_left
