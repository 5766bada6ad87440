"""The one place that decides what a user may see.

Every list, detail, export, PDF and filter choice list asks here. The city's HR (and a superuser)
sees the whole city; a unit's HR officer or an organizer sees their unit and everything under it;
anyone else sees no unit at all (an official sees only their own records, through their profile).
Out-of-scope objects are then answered with 404, never 403, so that ids cannot be probed.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Official, Role, RoleAssignment, Unit

SCOPE_ROLES = (Role.CITY_HR, Role.UNIT_HR, Role.ORGANIZER)


def is_city_hr(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role=Role.CITY_HR).exists()


def units_in_scope(user, *, roles: tuple[str, ...] = SCOPE_ROLES) -> QuerySet[Unit]:
    """Units the user may see, as one queryset (no ids pulled into Python)."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(
        RoleAssignment.objects.filter(user=user, role__in=roles).values_list("unit__path", flat=True)
    )
    if not roots:
        return Unit.objects.none()
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def officials_in_scope(user) -> QuerySet[Official]:
    """Officials whose current unit lies in the user's scope; an official alone sees themself."""
    if not user.is_authenticated:
        return Official.objects.none()
    if user.is_superuser:
        return Official.objects.all()
    return Official.objects.filter(unit__in=units_in_scope(user)) | Official.objects.filter(user=user)


def get_in_scope_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset, or 404 (never 403) when out of scope."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
