"""Lockout after repeated failures (django-axes): see the settings' AXES_* block.

Axes counts failed sign-ins in its own table (``AccessAttempt``: one row per username, address and browser,
holding a count and the time of the last failure), in the database every app server shares. A username is
locked while its rows of the last cool-off period hold ``AXES_FAILURE_LIMIT`` failures or more; an address
likewise, whatever usernames were tried from it. This module names the account an attempt counts against,
narrows what a successful sign-in resets (``AccountResetHandler``), reads which usernames and addresses are
locked now (for the HR page), and writes the audit entry when a lock begins. Lifting a lock is a write:
``staff.services.lockout``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, Sum
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from staff.auth.backends import resolve_user
from staff.models import AuditAction, AuditEntry
from staff.services.audit import audit_record, audit_summary

# The two sign-in forms, by URL name, as the audit log names them.
SIGN_IN_FORMS = {"login": "site", "wagtailadmin_login": "admin"}


def client_address(request: HttpRequest) -> str:
    """The sign-in's address: behind AXES_PROXY_COUNT proxies, the one the outermost of them saw.

    Each proxy (HAProxy's ``option forwardfor``) appends the address it received the request from to
    X-Forwarded-For, so with N proxies of ours the client is the N-th entry from the right; anything further
    left was written by the client and proves nothing. Without proxies (or without the header) it is
    REMOTE_ADDR. (Axes would ask django-ipware, which is not installed, and fall back to REMOTE_ADDR: behind
    a load balancer every official would then share the balancer's address, and one lock would lock all.)
    """
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    peer = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies and _trusted_proxy(peer):
        return forwarded[-proxies]
    return peer


def _trusted_proxy(peer: str) -> bool:
    """The peer is one of TRUSTED_PROXIES (addresses or networks); any peer when none are listed (then only
    the balancers may reach the app servers' port: docs/deploy.md)."""
    networks = settings.TRUSTED_PROXY_NETWORKS
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in networks)


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """One account, one counter: "CB-001", "cb-001", its e-mail and its phone lock the same account."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = resolve_user(identifier)
    return user.username if user is not None else (identifier or "").strip().casefold()


class AccountResetHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful sign-in forgets only the account's own failures.

    Axes' own reset deletes every row matching a lockout parameter, so with ["username", "ip_address"] it
    also deletes the failures of other usernames tried from the same address: anyone with a working account
    could guess 19 passwords of a colleague's, sign in as themself, and start again, never locking the
    colleague. Here the rows of the account that signed in go (its failures stop counting against the
    addresses they came from too), and everyone else's stay.
    """

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)


# --- What is locked now -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """A username or an address that sign-in refuses now, and until when (None: until someone unlocks it)."""

    key: str
    failures: int
    last_failure: dt.datetime
    until: dt.datetime | None


def failure_limit(request: HttpRequest | None = None) -> int:
    return int(get_failure_limit(request or HttpRequest(), getattr(request, "axes_credentials", None)))


def cool_off() -> dt.timedelta | None:
    """How long a lock lasts after the last failure that makes it (None: no cool-off, locks stay)."""
    period = get_cool_off()
    return period if isinstance(period, dt.timedelta) else None


def current_locks(by: Literal["username", "ip_address"], *, keys: Iterable[str] | None = None,
                  now: dt.datetime | None = None) -> list[Lock]:
    """Every username (or address) locked at ``now``, most recent failure first, in one query.

    The same count as axes' own check: the failures of the rows whose last failure lies within the cool-off
    period. The oldest rows drop out first, so a lock lasts until the row that brings the newest rows'
    count to the limit is a cool-off period old.
    """
    period, limit = cool_off(), failure_limit()
    attempts = AccessAttempt.objects.exclude(**{by: None}).order_by()
    if period is not None:
        attempts = attempts.filter(attempt_time__gte=(now or timezone.now()) - period)
    if keys is not None:
        attempts = attempts.filter(**{f"{by}__in": list(keys)})
    # Only the rows of locked keys come back (a subquery), however many names an attacker tried.
    over_limit = attempts.values(by).annotate(total=Sum("failures_since_start")).filter(total__gte=limit)
    rows: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for key, failures, at in attempts.filter(**{f"{by}__in": over_limit.values(by)}).values_list(
            by, "failures_since_start", "attempt_time"):
        rows[key].append((at, failures))
    locks = []
    for key, attempts_of_key in rows.items():
        attempts_of_key.sort(reverse=True)
        counted = 0
        for at, failures in attempts_of_key:
            counted += failures
            if counted >= limit:
                locks.append(Lock(key=key, failures=sum(n for _, n in attempts_of_key),
                                  last_failure=attempts_of_key[0][0],
                                  until=at + period if period is not None else None))
                break
    return sorted(locks, key=lambda lock: lock.last_failure, reverse=True)


def sign_in_form(request: HttpRequest) -> str:
    """Which form an attempt came through: "site" (/dang-nhap/), "admin" (/admin/login/) or its path."""
    match = getattr(request, "resolver_match", None)
    return SIGN_IN_FORMS.get(match.url_name if match is not None else "", request.path)


# --- The audit entry when a lock begins -------------------------------------------------------------------


def _lock_begins(request: HttpRequest, username: str, ip_address: str | None) -> bool:
    """Whether this attempt started the lock (axes signals every attempt it refuses during the lock too)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return False  # refused without being counted: the lock began before
    if failures == failure_limit(request):
        return True
    # Beyond the limit the lock began earlier; the exception is two app servers counting the last two
    # failures at the same moment, each reading the other's: then neither saw the limit itself.
    period = cool_off() or dt.timedelta(days=365)
    same = Q(detail__username=username)
    if ip_address:
        same |= Q(detail__ip_address=ip_address)
    return not AuditEntry.objects.filter(same, action=AuditAction.LOCKOUT, detail__event="locked",
                                         at__gte=timezone.now() - period).exists()


@receiver(user_locked_out, dispatch_uid="staff_audit_lockout")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    """One audit entry per lock: the account, the address, the form, and which of them is now locked."""
    username = username or ""
    if not _lock_begins(request, username, ip_address):
        return
    locked = []
    if username and current_locks("username", keys=[username]):
        locked.append("account")
    if ip_address and current_locks("ip_address", keys=[ip_address]):
        locked.append("address")
    account = User.objects.filter(username=username).first() if username else None
    form = sign_in_form(request)
    failures = getattr(request, "axes_failures_since_start", None)
    audit_record(
        user=None, action=AuditAction.LOCKOUT, obj=account,
        summary=audit_summary(LOCK_SUMMARIES[tuple(locked)], failures=failures, username=username or "–",
                              address=ip_address or "–", form=FORM_LABELS.get(form, form)),
        event="locked", username=username, ip_address=ip_address or "", form=form, path=request.path,
        failures=failures, locked=locked,
    )


FORM_LABELS = {"site": gettext_lazy("public sign-in"), "admin": gettext_lazy("admin sign-in")}

# What a lock's audit line says, by what got locked (the account, the address, both; or neither any more).
LOCK_SUMMARIES = {
    ("account", "address"): gettext_noop(
        "Sign-in locked after %(failures)s failed attempts: account %(username)s and address %(address)s "
        "(%(form)s form)"),
    ("account",): gettext_noop(
        "Sign-in locked after %(failures)s failed attempts: account %(username)s (from address %(address)s, "
        "%(form)s form)"),
    ("address",): gettext_noop(
        "Sign-in locked after %(failures)s failed attempts: address %(address)s (last account tried "
        "%(username)s, %(form)s form)"),
    (): gettext_noop(
        "Sign-in refused after %(failures)s failed attempts (account %(username)s, address %(address)s, "
        "%(form)s form)"),
}


def is_single_sign_on(request: HttpRequest, credentials: dict | None) -> bool:
    """The city's sign-on service authenticated this person: a refusal at the callback is the roster's answer,
    not a guessed password, and must not count towards anyone's lockout (nor lock SSO for the whole city)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "oidc_authentication_callback"
