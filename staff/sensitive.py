"""Which details of an official only HR may see, and who counts as HR for them.

"Ethnicity and similar sensitive fields are visible only to the roles that need them for reports." The roles
that need them are HR: the city's HR (the yearly administrative-reform report counts ethnic-minority and female
participants) and a unit's HR officer for the officials of their units (who keep the roster, check the personal
identification number against gender and date of birth, and export the unit's records). Organizers run classes:
a roster needs name, unit and rank, never these. The official always sees their own (My data, the profile).

- ``ethnicity`` is sensitive personal data in the legal sense (racial or ethnic origin: Decree 13/2023/NĐ-CP,
  art. 2(4), whose basic/sensitive split Law 91/2025 keeps).
- ``date_of_birth`` and ``gender`` are basic personal data, not sensitive in that sense; they are kept to HR all
  the same because HR alone has a use for them, and together with the name they identify a person (and give
  what the personal identification number encodes, which is already masked for everyone but the city's HR).

The personal identification number has its own, stricter rule (``staff.personal_id``, ``OfficialAdminForm``):
in full for the city's HR only.

This module decides; the admin forms, lists, inspect views, exports and PDFs ask it, as they ask
``staff.access`` for scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from staff.access import HR_ROLES, holds_role, officials_managed_by
from staff.models import Official, RoleAssignment

# Sensitive personal data proper.
SENSITIVE_FIELDS: tuple[str, ...] = ("ethnicity",)
# Basic personal data kept to HR, with the sensitive ones: every field this module guards.
HR_ONLY_FIELDS: tuple[str, ...] = (*SENSITIVE_FIELDS, "date_of_birth", "gender")
# What the model derives from them and lists or exports may name instead of the field.
_DERIVED = {"get_gender_display": "gender", "is_ethnic_minority": "ethnicity"}

T = TypeVar("T")


def field_of(name: str) -> str:
    """The official's field an accessor reads: ``official__ethnicity``, ``official.gender`` and
    ``get_gender_display`` name ``ethnicity``, ``gender`` and ``gender``."""
    last = name.replace("__", ".").rsplit(".", 1)[-1]
    return _DERIVED.get(last, last)


def is_hr_only(name: str) -> bool:
    """Whether a field name or accessor (a list column, an export column, a form field) shows an HR-only detail."""
    return field_of(name) in HR_ONLY_FIELDS


def may_see_sensitive(who: HttpRequest | User | AnonymousUser, official: Official | None = None) -> bool:
    """Whether ``who`` (a request, or a user) may see the HR-only details.

    Without ``official``: whether they hold an HR role anywhere (a superuser does), for lists and exports that
    are already scoped by ``staff.access``. With ``official``: whether that official is theirs as HR (their
    units, or the whole city), or is themself. An organizer never may, for anybody but themself.
    A request answers from the roles ``staff.access`` has read for it already (no query after the first).
    """
    request = who if isinstance(who, HttpRequest) else None
    user = request.user if request is not None else who
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if official is not None and official.user_id is not None and official.user_id == user.pk:
        return True  # their own details
    if official is not None:
        return user.is_superuser or officials_managed_by(user).filter(pk=official.pk).exists()
    if request is not None:
        return holds_role(request, HR_ROLES)
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role__in=HR_ROLES).exists()


def hr_only_fields_hidden_from(who: HttpRequest | User | AnonymousUser,
                               official: Official | None = None) -> tuple[str, ...]:
    """The fields to leave out for ``who``: none for HR, all of ``HR_ONLY_FIELDS`` for anyone else
    (e.g. ``inspect_view_fields_exclude`` or a form's ``exclude``)."""
    return () if may_see_sensitive(who, official) else HR_ONLY_FIELDS


def without_hr_only(columns: Iterable[T], who: HttpRequest | User | AnonymousUser,
                    official: Official | None = None) -> list[T]:
    """``columns`` (names, or objects with a ``name`` such as Wagtail's ``Column``) less the HR-only ones when
    ``who`` may not see them: for ``list_export``, ``list_display``, form fields and exporter headers."""
    columns = list(columns)
    if may_see_sensitive(who, official):
        return columns
    return [column for column in columns if not is_hr_only(str(getattr(column, "name", column)))]
