"""Admin for sign-in locks (HR): who cannot sign in now after too many failed attempts, and an unlock.

A unit's HR officer sees and unlocks the accounts of the officials of their units; the city's HR (and a
superuser) every locked username, including staff accounts without an official and names that match no
account, and the locked addresses. Anything else is 404. Each unlock goes to the audit log
(``staff.services.lockout``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.text import fold
from staff.access import AnyUser, AuthenticatedHttpRequest, is_city_hr, officials_managed_by, require_hr
from staff.auth.lockout import Lock, cool_off, current_locks, failure_limit
from staff.models import Official, Unit
from staff.services.lockout import lockout_clear, lockout_clear_address

PER_PAGE = 50
MAX_ADDRESSES = 200


@dataclass(frozen=True)
class LockedAccount:
    """One locked username with the account it names (None: no such account) and that account's official."""

    lock: Lock
    account: User | None
    official: Official | None

    @property
    def unit(self) -> Unit | None:
        return self.official.unit if self.official is not None else None

    @property
    def name(self) -> str:
        if self.official is not None:
            return self.official.full_name
        return self.account.get_full_name() if self.account is not None else ""


def accounts_in_scope(user: AnyUser, *, city: bool) -> QuerySet[User]:
    """The accounts whose lock the user may see and lift: their units' officials' (the city's HR: all)."""
    if city:
        return User.objects.all()
    return User.objects.filter(official__in=officials_managed_by(user))


def locked_accounts(user: AnyUser, *, city: bool, query: str = "") -> list[LockedAccount]:
    """Locked usernames in the user's scope, newest failure first: one query for axes' rows, one for the
    accounts with their officials and units."""
    locks = current_locks("username")
    accounts = {
        account.username: account
        for account in accounts_in_scope(user, city=city).filter(username__in=[lock.key for lock in locks])
        .select_related("official__unit")
    }
    rows = []
    for lock in locks:
        account = accounts.get(lock.key)
        if account is None and not city:
            continue
        official = _official_of(account) if account is not None else None
        rows.append(LockedAccount(lock=lock, account=account, official=official))
    if query:
        wanted = fold(query)
        rows = [row for row in rows if wanted in fold(row.lock.key) or wanted in fold(row.name)]
    return rows


def _official_of(account: User) -> Official | None:
    try:
        return account.official  # the reverse one-to-one, already joined
    except Official.DoesNotExist:
        return None


def lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_hr(request.user)
    city = is_city_hr(request.user)
    query = request.GET.get("q", "").strip()
    page = Paginator(locked_accounts(request.user, city=city, query=query), PER_PAGE).get_page(request.GET.get("p"))
    addresses = current_locks("ip_address") if city else []
    period = cool_off()
    return render(request, "staff/admin/lockout/list.html", {
        "page": page, "accounts": page.object_list, "query": query, "city": city,
        "addresses": addresses[:MAX_ADDRESSES], "more_addresses": max(len(addresses) - MAX_ADDRESSES, 0),
        "failure_limit": failure_limit(), "cool_off_minutes": _minutes(period),
        "page_title": _("Locked sign-ins"), "header_icon": "lock"})


def _minutes(period: dt.timedelta | None) -> int | None:
    return round(period.total_seconds() / 60) if period is not None else None


@require_POST
def lockout_unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_hr(request.user)
    city = is_city_hr(request.user)
    username = request.POST.get("username", "").strip()
    address = request.POST.get("ip_address", "").strip()
    if username:
        account = accounts_in_scope(request.user, city=city).filter(username=username).first()
        if account is None and not city:
            raise Http404  # not an account of the user's units: as invisible as an official of another ward
        cleared = lockout_clear(username=username, by=request.user)
        official = _official_of(account) if account is not None else None
        name = official.full_name if official is not None else username
        if cleared:
            messages.success(request, _("%(name)s can sign in again.") % {"name": name})
        else:
            messages.info(request, _("No failed sign-ins were recorded for %(name)s.") % {"name": name})
    elif address and city:
        if lockout_clear_address(ip_address=address, by=request.user):
            messages.success(request, _("Sign-in from the address %(address)s works again.") % {"address": address})
        else:
            messages.info(request, _("No failed sign-ins were recorded from %(address)s.") % {"address": address})
    else:
        raise Http404
    return redirect("staff_lockouts")
