"""Every scope decision and role gate, in one module.

Every list, detail, export, PDF, filter choice list, menu item and admin view asks here. The city's HR
(and a superuser) sees the whole city; a unit's HR officer or an organizer sees their unit and everything
under it; anyone else sees no unit at all (an official sees only their own records, through their
profile). Out-of-scope objects are answered with 404, never 403, so that ids cannot be probed.

The ``require_*`` gates raise ``Http404`` for a user without the role: a page of the city's HR is as
invisible to a ward's HR officer as an official of another ward.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import BooleanField, Case, Exists, F, Lookup, Model, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from courses.models import CourseSession, TrainingPage
from staff.models import (
    Adoption,
    Certificate,
    Enrollment,
    EnrollmentStatus,
    Official,
    Role,
    RoleAssignment,
    Unit,
)

# Whoever makes a request: signed in or not. Services take the signed-in ``User`` only.
AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: the request of a view that only a signed-in user reaches (every Wagtail admin
    view, every ``@login_required`` view), whose ``user`` is therefore a ``User``.

    Annotate such a view's ``request`` with it; nothing ever creates one, and nothing checks it at run time
    (the login requirement is the decorator's or Wagtail's).
    """

    user: User


M = TypeVar("M", bound=Model)


# Set on a query (``query.<this> = True``, kept by its clones) to have its ``AnyOf`` conditions written as IN:
# "which sessions have an enrollment in scope" is answered newest session first that way (15 ms, against
# 37 ms through the ward's 6,000 enrollments), see staff.selectors.enrollment._sessions_seen.
JOIN_OFFICIALS = "any_of_as_in"


class AnyOf(Lookup):
    """``column = ANY(ARRAY(subquery))`` on PostgreSQL, ``column IN (subquery)`` elsewhere.

    For a ward's enrollments: with ``IN`` PostgreSQL joins the officials and walks the whole city's list in
    order, looking each official up (a ward is 0.6 % of the city: 5,800 rows read for a page of 20, 36 ms);
    an array computed once makes it read the ward's 600 officials' enrollments from the index on
    (official, list order) alone (4 ms). Used as an expression: ``filter(AnyOf(F("official_id"), ids))``."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)", parenthesised
        as_array = connection.vendor == "postgresql" and not getattr(compiler.query, JOIN_OFFICIALS, False)
        return (f"{lhs} = ANY(ARRAY{rhs})" if as_array else f"{lhs} IN {rhs}"), [*lhs_params, *rhs_params]


def of_officials(officials: QuerySet[Official]) -> AnyOf:
    """The condition "the row's official is one of ``officials``" for enrollments or certificates, as one
    array (``AnyOf``): a ward's scope, or the lists' "unit (and below)" filter."""
    return AnyOf(F("official_id"), officials.order_by().values("pk"))

SCOPE_ROLES = (Role.CITY_HR, Role.UNIT_HR, Role.ORGANIZER)
HR_ROLES = (Role.CITY_HR, Role.UNIT_HR)
ORGANIZER_ROLES = (Role.CITY_HR, Role.ORGANIZER)


def acting_user(user: AnyUser | None) -> User | None:
    """Who to record as having acted: the signed-in user, or None for the system (a command, a task) or
    an anonymous request."""
    return user if isinstance(user, User) and user.is_authenticated else None


def roles_of(request: HttpRequest) -> frozenset[str]:
    """The roles the request's user holds, read once per request (menus ask for them item by item)."""
    cached: frozenset[str] | None = getattr(request, "_staff_roles", None)
    if cached is None:
        user = request.user
        cached = frozenset(
            RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
        ) if user.is_authenticated else frozenset()
        request._staff_roles = cached  # type: ignore[attr-defined]  # a per-request cache on the request
    return cached


def holds_role(request: HttpRequest, roles: Iterable[str]) -> bool:
    """Whether the request's user holds one of ``roles`` (a superuser holds them all)."""
    return bool(request.user.is_superuser or roles_of(request) & set(roles))


def is_city_hr(user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role=Role.CITY_HR).exists()


def units_in_scope(user: AnyUser, *, roles: tuple[str, ...] = SCOPE_ROLES) -> QuerySet[Unit]:
    """Units the user may see, as one queryset (no ids pulled into Python).

    A scope that is the whole city (the city's HR holds the root) comes back as ``Unit.objects.all()``, with
    no condition at all, and only when every official has a unit: then "an official of a unit in scope" is
    every official, and the lists built on it (``_whole_city``) drop the scope condition instead of making
    PostgreSQL test a million enrollments against it. Decided in the same query as the role paths."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    # The root is the only unit without a parent, and no official is outside every unit.
    whole = Case(When(Q(unit__parent__isnull=True)
                      & ~Q(Exists(Unit.objects.filter(parent__isnull=True).exclude(pk=OuterRef("unit_id"))))
                      & ~Q(Exists(Official.objects.filter(unit__isnull=True))), then=Value(True)),
                 default=Value(False), output_field=BooleanField())
    rows = list(RoleAssignment.objects.filter(user=user, role__in=roles).annotate(whole=whole)
                .values_list("unit__path", "whole"))
    if not rows:
        return Unit.objects.none()
    if any(covers for _path, covers in rows):
        return Unit.objects.all()
    condition = Q()
    for path, _covers in rows:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def _whole_city(queryset: QuerySet[Unit]) -> bool:
    """Whether ``queryset`` is ``units_in_scope``'s whole city (no condition at all), without a query."""
    return unrestricted(queryset)


def unrestricted(queryset: QuerySet[Any]) -> bool:
    """Whether a scope queryset (``officials_managed_by``, ``sessions_organized_by``…) is every row, so that a
    caller can leave the condition out instead of making PostgreSQL test each row against all of them."""
    return not queryset.query.is_empty() and not queryset.query.where


def officials_in_scope(user: AnyUser) -> QuerySet[Official]:
    """Officials whose current unit lies in the user's scope; an official alone sees themself."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Official.objects.none()
    if user.is_superuser:
        return Official.objects.all()
    ids = _official_ids_in_scope(user)
    return Official.objects.all() if ids is None else Official.objects.filter(pk__in=ids)


def _official_ids_in_scope(user: User) -> QuerySet[Official, Any] | None:
    """The ids behind ``officials_in_scope`` as one subquery, or None for the whole city (every official).

    A UNION of the two, not an OR: "unit in scope OR the user's own" can use neither index, so PostgreSQL
    read every official (and then every certificate of the city to count a ward's)."""
    units = units_in_scope(user)
    if _whole_city(units):
        return None
    own = Official.objects.filter(user=user).order_by().values("pk")
    return Official.objects.filter(unit__in=units).order_by().values("pk").union(own)


def get_in_scope_or_404(queryset: QuerySet[M], **lookup: object) -> M:
    """Fetch one object from an already-scoped queryset, or 404 (never 403) when out of scope."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist as exc:  # get() raises the model's subclass of it (a generic M has no DoesNotExist)
        raise Http404 from exc


def officials_managed_by(user: AnyUser) -> QuerySet[Official]:
    """Officials an HR officer may nominate and approve for: their units (not the organizer's reach)."""
    if user.is_authenticated and user.is_superuser:
        return Official.objects.all()
    units = units_in_scope(user, roles=HR_ROLES)
    if _whole_city(units):
        return Official.objects.all()
    return Official.objects.filter(unit__in=units)


def sessions_organized_by(user: AnyUser) -> QuerySet[CourseSession]:
    """Sessions whose course is organized by a unit in the user's organizer (or city HR) scope."""
    if user.is_authenticated and user.is_superuser:
        return CourseSession.objects.all()
    return CourseSession.objects.filter(course__organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))


def enrollments_in_scope(user: AnyUser) -> QuerySet[Enrollment]:
    """Enrollments of officials the user manages, plus every enrollment of the classes they organize.

    A ward's officials are one array (``of_officials``): the lists read a page of enrollments through it
    from an index."""
    if not user.is_authenticated:
        return Enrollment.objects.none()
    if user.is_superuser:
        return Enrollment.objects.all()
    # An arm whose units are none cannot match: leaving it out spares PostgreSQL the OR across two joins,
    # which forces a sequential scan of every enrollment (a unit HR officer has no organizer reach).
    managed = units_in_scope(user, roles=HR_ROLES)
    if _whole_city(managed):  # the city's HR: every enrollment, read in the list's index order
        return Enrollment.objects.all()
    organized = units_in_scope(user, roles=ORGANIZER_ROLES)
    if _empty(organized):
        return Enrollment.objects.filter(of_officials(Official.objects.filter(unit__in=managed)))
    if _empty(managed):
        return Enrollment.objects.filter(session__course__organizer__in=organized)
    return Enrollment.objects.filter(Q(official__unit__in=managed) | Q(session__course__organizer__in=organized))


def _empty(queryset: QuerySet[Unit]) -> bool:
    """Whether ``queryset`` is known to be empty without a query (``units_in_scope`` gave ``none()``)."""
    return queryset.query.is_empty()


def approval_step_allowed(user: AnyUser, enrollment: Enrollment) -> bool:
    """Whether ``user`` may take the enrollment's current approval step: the official's unit HR
    first, then the organizer."""
    if enrollment.official.user_id is not None and enrollment.official.user_id == user.pk:
        return False  # nobody approves their own training
    if enrollment.status == EnrollmentStatus.PENDING:
        return officials_managed_by(user).filter(pk=enrollment.official_id).exists()
    if enrollment.status == EnrollmentStatus.PENDING_ORGANIZER:
        return sessions_organized_by(user).filter(pk=enrollment.session_id).exists()
    return False


def certificates_in_scope(user: AnyUser) -> QuerySet[Certificate]:
    """Certificates the user may see: their own, those of officials in their scope, and, for an organizer
    or the city's HR, those their units issued (the official may since have moved out of the scope)."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    officials = _official_ids_in_scope(user)
    if officials is None:  # the whole city (see units_in_scope): every certificate
        return Certificate.objects.all()
    issuers = units_in_scope(user, roles=(Role.ORGANIZER, Role.CITY_HR))
    if _empty(issuers):  # no issuing reach: the OR arm would only cost a sequential scan
        return Certificate.objects.filter(official_id__in=officials)
    return Certificate.objects.filter(Q(official_id__in=officials) | Q(organizer__in=issuers))


def certificates_issued_by(user: AnyUser) -> QuerySet[Certificate]:
    """Certificates issued by the units the user organizes for (or, for the city's HR, any)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    return Certificate.objects.filter(organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))


def adoptions_in_scope(user: AnyUser) -> QuerySet[Adoption]:
    """Adoptions of the units the user is HR for (the city's HR: all of them)."""
    return Adoption.objects.filter(unit__in=units_in_scope(user, roles=HR_ROLES))


def courses_organized_by(user: AnyUser) -> QuerySet[TrainingPage]:
    """Offerings (every kind of course page) organized by a unit in the user's organizer scope."""
    if user.is_authenticated and user.is_superuser:
        return TrainingPage.objects.all()
    return TrainingPage.objects.filter(organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))


def organized_session_or_404(user: AnyUser, pk: int) -> CourseSession:
    """One session of the user's organizer scope (with course and organizer), or 404."""
    return get_in_scope_or_404(sessions_organized_by(user).select_related("course__organizer"), pk=pk)


def unit_choices(user: AnyUser) -> QuerySet[Unit]:
    """The units a filter or form may offer the user: their scope, in tree order."""
    return units_in_scope(user).order_by("path")


def hr_units(user: AnyUser) -> QuerySet[Unit]:
    """The units the user is HR for (the city's HR: all of them); organizers' reach is not included."""
    return units_in_scope(user, roles=HR_ROLES)


def may_report(user: AnyUser) -> bool:
    """Reports and records exports are for HR: the city's, or a unit's for its own units."""
    return user.is_authenticated and (user.is_superuser or hr_units(user).exists())


def require_hr(user: AnyUser) -> QuerySet[Unit]:
    """The user's HR units, or 404 for anyone who is HR nowhere."""
    units = hr_units(user)
    if not units.exists():
        raise Http404
    return units


def require_reporter(user: AnyUser) -> None:
    if not may_report(user):
        raise Http404


def require_organizer(request: HttpRequest) -> None:
    """Organizers and the city's HR (the replication dashboard, feedback pages)."""
    if not holds_role(request, ORGANIZER_ROLES):
        raise Http404


def require_city_hr(user: AnyUser) -> None:
    if not is_city_hr(user):
        raise Http404


def own_official_or_404(request: AuthenticatedHttpRequest, *related: str) -> Official:
    """The signed-in person's own official record; an account without one (an HR account) has none."""
    official = Official.objects.select_related(*related).filter(user=request.user).first()
    if official is None:
        raise Http404(gettext("This account is not linked to an official."))
    request.user.official = official  # base.html asks for it again: the cache
    return official
