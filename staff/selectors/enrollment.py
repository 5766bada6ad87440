"""Reads about enrollments: an official's training, a user's places in sessions, a class's participants."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from courses.models import CourseSession, TrainingPage
from courses.text import fold
from staff.access import JOIN_OFFICIALS, AnyUser, officials_managed_by, sessions_organized_by, unrestricted
from staff.models import (
    ACTIVE_STATUSES,
    Certificate,
    Enrollment,
    EnrollmentStatus,
    Official,
)
from staff.selectors.compliance import requirement_for


def my_training(official: Official, *, year: int) -> dict:
    """What "My training" shows, in four queries: the official's enrollments with their sessions, their
    certificates, this year's rule for their category, and the periods that count (one aggregate)."""
    today = timezone.localdate()
    enrollments = list(
        Enrollment.objects.filter(official=official)
        .select_related("session__course")
        .order_by("session__start_date", "pk")
    )
    upcoming = [e for e in enrollments
                if e.status in ACTIVE_STATUSES and e.session.end_date >= today
                and e.status not in (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)]
    upcoming_ids = {e.pk for e in upcoming}
    history = [e for e in reversed(enrollments) if e.pk not in upcoming_ids]
    certificates = list(Certificate.objects.filter(official=official).order_by("-issued_on", "-pk"))
    required, counted_types = requirement_for(official, year=year)
    done = Enrollment.objects.filter(official=official, status=EnrollmentStatus.COMPLETED, completed_on__year=year)
    if counted_types is not None:
        done = done.filter(session__course__programme_type__in=counted_types)
    periods = done.aggregate(total=Sum("periods_earned"))["total"] or 0
    return {"upcoming": upcoming, "history": history, "certificates": certificates, "periods_done": periods,
            "required_periods": required}


def active_enrollments_by_session(user, session_ids: list[int]) -> dict:
    """The signed-in official's active enrollment per session of a course page, in one query."""
    rows = Enrollment.objects.filter(official__user=user, session_id__in=session_ids, status__in=ACTIVE_STATUSES)
    return {row.session_id: row for row in rows}


def class_participants_of(session: CourseSession):
    """Who attends the class: enrollments holding a confirmed seat (or already closed), by name."""
    return (
        Enrollment.objects.filter(
            session=session,
            status__in=(EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED),
        )
        .select_related("official__unit", "official__rank")
        .order_by("official__search_name", "pk")
    )


def enrollments_awaiting_decision(user: AnyUser) -> QuerySet[Enrollment]:
    """Enrollments waiting for this user's decision: their officials' first step, their classes' second.

    The approvals page lists them and the bulk decision looks the posted ids up here, so an id from
    another unit (or a step that is not the user's) is never decided."""
    managed, organized = officials_managed_by(user), sessions_organized_by(user)
    # The city's HR manages everyone and organizes everything: the steps alone, no IN over 100,000 officials.
    first = Q(status=EnrollmentStatus.PENDING) if unrestricted(managed) else Q(
        status=EnrollmentStatus.PENDING, official__in=managed)
    second = Q(status=EnrollmentStatus.PENDING_ORGANIZER) if unrestricted(organized) else Q(
        status=EnrollmentStatus.PENDING_ORGANIZER, session__in=organized)
    return (
        Enrollment.objects.filter(first | second)
        .select_related("official__unit", "session__course")
        .order_by(*AWAITING_ORDER)
    )


AWAITING_ORDER = ("session__start_date", "created_at", "pk")


def awaiting_decision_page(user: AnyUser, start: int, stop: int) -> list[Enrollment]:
    """Rows ``start:stop`` of what waits for the user's decision, in one query.

    The page's ids are chosen first, sorting only the narrow columns of the order, and the wide rows
    (official, unit, session, course) are read for those ids alone: sorting the city's 8,000 waiting rows
    with every joined column spilled to disk (53 ms at city scale, 17 ms this way)."""
    ids = enrollments_awaiting_decision(user).values("pk")[start:stop]
    return list(Enrollment.objects.filter(pk__in=ids).select_related("official__unit", "session__course")
                .order_by(*AWAITING_ORDER))


# --- The enrollments list's searchable class and course filters (staff/filters/enrollment.py) ----------

SUGGESTED = 20  # suggestions at once: a datalist to pick from, not a catalogue


def courses_matching(text: str) -> list[int]:
    """Ids of the courses with sessions whose title holds every word of ``text``, without diacritics.

    Folded in Python: titles are folded nowhere in the database, and the courses are a few hundred even at
    city scale (one query of ids and titles)."""
    terms = fold(text).split()
    if not terms:
        return []
    rows = (TrainingPage.objects.filter(Exists(CourseSession.objects.filter(course_id=OuterRef("pk"))))
            .values_list("pk", "title"))
    return [pk for pk, title in rows if all(term in fold(title) for term in terms)]


def sessions_matching(text: str) -> QuerySet[CourseSession]:
    """Sessions whose code contains ``text`` or whose course title holds its words (diacritics ignored)."""
    text = text.strip()
    return CourseSession.objects.filter(Q(code__icontains=text) | Q(course_id__in=courses_matching(text)))


def _sessions_seen(scope: QuerySet[Enrollment]) -> QuerySet[CourseSession]:
    """Sessions with an enrollment in ``scope`` (the user's scoped enrollments); every session for a scope
    without a condition (the whole city)."""
    if not scope.query.where:
        return CourseSession.objects.all()
    seen = scope.order_by().filter(session_id=OuterRef("pk"))
    setattr(seen.query, JOIN_OFFICIALS, True)  # a ward's officials as IN here, not as an array (access.AnyOf)
    return CourseSession.objects.filter(Exists(seen))


def session_suggestions(scope: QuerySet[Enrollment], text: str) -> list[tuple[str, str]]:
    """Up to ``SUGGESTED`` sessions of ``scope`` matching ``text`` (an id, a code or course words), newest
    first, as (id, "code · course · start date") for a datalist; in one query."""
    sessions = _sessions_seen(scope)
    text = text.strip()
    chosen = chosen_id(text)
    if text.isdigit():
        sessions = sessions.filter(Q(pk=int(text)) | Q(code__icontains=text))
    elif chosen is not None:  # the input holds a chosen suggestion (the script asks again as it changes)
        sessions = sessions.filter(pk=chosen)
    elif text:
        sessions = sessions.filter(pk__in=sessions_matching(text).values("pk"))
    rows = sessions.order_by("-start_date", "-pk").values_list("pk", "code", "course__title", "start_date")
    labels = [(pk, " · ".join(part for part in (code, title, f"{start:%d/%m/%Y}") if part))
              for pk, code, title, start in rows[:SUGGESTED]]
    return [(chosen_value(label, pk), label) for pk, label in labels]


def chosen_value(label: str, pk: int) -> str:
    """What a chosen suggestion puts in the input: its words and its id ("KNS-02 · Kỹ năng số · … · #158"), so
    the input reads as what was chosen (a datalist fills in the option's value) and submits one exact row."""
    return f"{label} · #{pk}"


def chosen_id(value: str) -> int | None:
    """The id a filter value names: a chosen suggestion's "… · #158", or a bare id (a link, an old bookmark)."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    head, mark, tail = value.rpartition("#")
    return int(tail) if mark and tail.isdigit() and (not head or head.endswith(" · ")) else None


def course_suggestions(scope: QuerySet[Enrollment], text: str) -> list[tuple[str, str]]:
    """Up to ``SUGGESTED`` courses with a session of ``scope``, matching ``text``, by title: (id, title)."""
    courses = TrainingPage.objects.filter(pk__in=_sessions_seen(scope).values("course_id"))
    text = text.strip()
    chosen = chosen_id(text)
    if chosen is not None:
        courses = courses.filter(pk=chosen)
    elif text:
        courses = courses.filter(pk__in=courses_matching(text))
    rows = courses.order_by("title", "pk").values_list("pk", "title")[:SUGGESTED]
    return [(chosen_value(title, pk), title) for pk, title in rows]
