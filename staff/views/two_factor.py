"""A staff account's second factor: set up an authenticator app (QR code or the secret typed by hand),
keep the recovery codes, and verify a session with either before the admin opens.

Only staff accounts (staff/auth/two_factor.py) have these pages; anyone else gets 404. A new app can only
be set up by someone who has none (or whose session is verified already): a stolen password alone never
replaces the owner's app.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from staff.access import AuthenticatedHttpRequest
from staff.auth.two_factor import (
    has_authenticator_app,
    has_second_factor,
    is_staff_user,
    session_is_verified,
    with_next,
)
from staff.services.two_factor import (
    CodeCheck,
    recovery_codes_renew,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)

# The recovery codes just made, kept in the session only until the recovery page has shown them once.
NEW_CODES_SESSION_KEY = "staff_two_factor_new_codes"
APP_CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*",
                  "maxlength": "7", "size": "8", "autocapitalize": "none", "spellcheck": "false"}


class AppCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("6-digit code from the app"), max_length=7,
                           widget=forms.TextInput(attrs=APP_CODE_ATTRS))

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Type the 6 digits the app shows."))
        return code


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=gettext_lazy("Recovery code"), max_length=20,
        help_text=gettext_lazy("One of the ten codes you kept when you set up the app, such as abcd-efgh. "
                               "Each works once."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false", "aria-describedby": "id_recovery_code-help"}))


def _staff_or_404(request: AuthenticatedHttpRequest) -> None:
    if not is_staff_user(request):
        raise Http404


def _next_url(request: AuthenticatedHttpRequest) -> str:
    """Where to go afterwards: the address the admin was asked for, never another site's."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return reverse("wagtailadmin_home")


def _refusal(check: CodeCheck) -> str:
    if check.retry_at is not None:
        seconds = max(1, math.ceil((check.retry_at - timezone.now()) / dt.timedelta(seconds=1)))
        return _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": seconds}
    return _("That code is not right. Check that the time on your phone is correct and type the newest code.")


def _secret_groups(device: Any) -> list[str]:
    """The secret as an authenticator app takes it (base32), in groups of four for typing by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_or_404(request)
    next_url = _next_url(request)
    if has_authenticator_app(request.user):
        return redirect(next_url if session_is_verified(request) else with_next("two_factor_verify", next_url))
    if has_second_factor(request.user) and not session_is_verified(request):
        # Only recovery codes are left: prove it is you with one before a new app replaces them.
        return redirect(with_next("two_factor_verify", next_url))
    device = totp_device_start(user=request.user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        if check.ok:
            otp_login(request, check.device)
            request.session[NEW_CODES_SESSION_KEY] = check.recovery_codes
            messages.success(request, _("Two-step sign-in is on. Keep your recovery codes somewhere safe."))
            return redirect(with_next("two_factor_recovery", next_url))
        form.add_error("code", _refusal(check))
    url = device.config_url
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "next": next_url, "otpauth_url": url, "secret_groups": _secret_groups(device),
        "qr_data_uri": segno.make(url, error="m").svg_data_uri(scale=5, border=2),
        "account": request.user.get_username()})


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_or_404(request)
    next_url = _next_url(request)
    if session_is_verified(request):
        return redirect(next_url)
    if not has_second_factor(request.user):
        return redirect(with_next("two_factor_setup", next_url))
    posted = request.method == "POST"
    by_recovery = posted and "recovery_code" in request.POST
    app_form = AppCodeForm(request.POST if posted and not by_recovery else None)
    recovery_form = RecoveryCodeForm(request.POST if by_recovery else None)
    form: forms.Form = recovery_form if by_recovery else app_form
    if posted and form.is_valid():
        token = form.cleaned_data["recovery_code" if by_recovery else "code"]
        check = second_factor_verify(user=request.user, token=token)
        if check.ok:
            otp_login(request, check.device)
            if check.recovery_codes_left is not None:
                messages.warning(request, _("You signed in with a recovery code. Recovery codes left: %(left)s. "
                                            "Make a new set on the recovery codes page.")
                                 % {"left": check.recovery_codes_left})
            return redirect(next_url)
        form.add_error("recovery_code" if by_recovery else "code", _refusal(check))
    return render(request, "registration/two_factor_verify.html", {
        "form": app_form, "recovery_form": recovery_form, "recovery_open": by_recovery, "next": next_url,
        "has_app": has_authenticator_app(request.user)})


@login_required
def two_factor_recovery(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recovery codes just made (shown once), and a new set for someone who types a code from the app."""
    _staff_or_404(request)
    next_url = _next_url(request)
    if not session_is_verified(request):
        return redirect(with_next("two_factor_verify", request.get_full_path()))
    codes: list[str] = request.session.pop(NEW_CODES_SESSION_KEY, None) or []
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = recovery_codes_renew(user=request.user, token=form.cleaned_data["code"])
        if check.ok:
            request.session[NEW_CODES_SESSION_KEY] = check.recovery_codes
            messages.success(request, _("Here are your new recovery codes. The old ones no longer work."))
            return redirect(with_next("two_factor_recovery", next_url))
        form.add_error("code", _refusal(check))
    left = StaticToken.objects.filter(device__user=request.user, device__confirmed=True).count()
    return render(request, "registration/two_factor_recovery.html", {
        "codes": codes, "left": left, "form": form, "next": next_url,
        "has_app": has_authenticator_app(request.user)})
