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

from .models import Enrollment, EnrollmentStatus, Official, Role, RoleAssignment, Unit

SCOPE_ROLES = (Role.CITY_HR, Role.UNIT_HR, Role.ORGANIZER)
HR_ROLES = (Role.CITY_HR, Role.UNIT_HR)
ORGANIZER_ROLES = (Role.CITY_HR, Role.ORGANIZER)


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


def officials_managed_by(user) -> QuerySet[Official]:
    """Officials an HR officer may nominate and approve for: their units (not the organizer's reach)."""
    if user.is_authenticated and user.is_superuser:
        return Official.objects.all()
    return Official.objects.filter(unit__in=units_in_scope(user, roles=HR_ROLES))


def sessions_organized_by(user):
    """Sessions whose course is organized by a unit in the user's organizer (or city HR) scope."""
    from courses.models import CourseSession

    if user.is_authenticated and user.is_superuser:
        return CourseSession.objects.all()
    return CourseSession.objects.filter(course__organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))


def enrollments_in_scope(user) -> QuerySet[Enrollment]:
    """Enrollments of officials the user manages, plus every enrollment of the classes they organize."""
    if not user.is_authenticated:
        return Enrollment.objects.none()
    if user.is_superuser:
        return Enrollment.objects.all()
    return Enrollment.objects.filter(
        Q(official__unit__in=units_in_scope(user, roles=HR_ROLES))
        | Q(session__course__organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))
    )


def approval_step_allowed(user, enrollment: Enrollment) -> bool:
    """Whether ``user`` may take the enrollment's current approval step: the official's unit HR
    first, then the organizer."""
    if enrollment.official.user_id is not None and enrollment.official.user_id == user.pk:
        return False  # nobody approves their own training
    if enrollment.status == EnrollmentStatus.PENDING:
        return officials_managed_by(user).filter(pk=enrollment.official_id).exists()
    if enrollment.status == EnrollmentStatus.PENDING_ORGANIZER:
        return sessions_organized_by(user).filter(pk=enrollment.session_id).exists()
    return False


def certificates_in_scope(user) -> QuerySet:
    """Certificates the user may see: their own, those of officials in their scope, and, for an organizer
    or the city's HR, those their units issued (the official may since have moved out of the scope)."""
    from .models import Certificate

    if not user.is_authenticated:
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    issuers = units_in_scope(user, roles=(Role.ORGANIZER, Role.CITY_HR))
    return Certificate.objects.filter(Q(official__in=officials_in_scope(user)) | Q(organizer__in=issuers))


def certificates_issued_by(user) -> QuerySet:
    """Certificates issued by the units the user organizes for (or, for the city's HR, any)."""
    from .models import Certificate

    if not user.is_authenticated:
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    return Certificate.objects.filter(organizer__in=units_in_scope(user, roles=ORGANIZER_ROLES))
