"""An official's own side of enrolling: enroll from a course page, cancel, answer an offered seat,
and the "My training" page. Every object is looked up through the signed-in official,
so another person's enrollment answers 404.

A class opening at 8:00 puts many officials on one session's row lock. A request that cannot get it
within the database's lock_timeout (3 s, training_site/settings/base.py) is not a 500: the transaction of
enrollment_create (or the cancellation, or the answer to an offer) has rolled back whole, and the official
is told "the class is busy, please try again" on the page they came from (training_site/ops/busy.py tells
a busy error from a bug)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CourseSession
from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.models import Enrollment, Official
from staff.selectors.enrollment import my_training
from staff.services.calendars import calendar_feed_ensure
from staff.services.enrollment import (
    EnrollmentError,
    enrollment_cancel,
    enrollment_create,
    offer_accept,
    offer_decline,
    overlapping_enrollments,
)
from training_site.ops.busy import already_logged, busy_logged, is_busy_error


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _class_busy(request: HttpRequest, exc: DatabaseError, *, where: str) -> None:
    """Tell the official the class is busy, or re-raise: only a lock or statement timeout (or a deadlock) is
    "try again"; any other database error is a bug and goes on to the 500 page."""
    if not is_busy_error(exc):
        raise exc
    busy_logged(request, exc, where=where)
    messages.error(request, _("The class is busy, please try again in a moment."))


def _signed_in_official(request: AuthenticatedHttpRequest) -> Official:
    """The official the sign-in backend loaded with the user (staff/auth/backends.py): no second query.
    Another backend, or an account without an official, takes the usual way (and its 404)."""
    cached = Official._meta.get_field("user").remote_field.get_cached_value(request.user, default=None)
    return cached if isinstance(cached, Official) else own_official_or_404(request, "unit")


@login_required
def enroll(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """GET shows what enrolling means (and any overlap); POST enrolls. The form works without JavaScript.

    The POST is the seat race's path (a class opening at 8:00): it reads the session once, asks about
    overlaps only if the official has not already confirmed them, and answers with a redirect.
    """
    official = _signed_in_official(request)
    session = get_object_or_404(CourseSession.objects.select_related("course"), pk=session_id,
                                course__live=True)
    overlaps: list[Enrollment] | None = None
    status = 200
    if request.method == "POST":
        if not request.POST.get("confirm_overlap"):
            overlaps = overlapping_enrollments(official=official, session=session)
        if overlaps:
            messages.warning(request, _("This session overlaps another of your sessions. Confirm to enroll anyway."))
        else:
            try:
                enrollment = enrollment_create(official=official, session=session, by=request.user)
            except EnrollmentError as exc:
                messages.error(request, str(exc))
            except DatabaseError as exc:
                # The same form again, with the message: nothing was written, a second click may well pass.
                _class_busy(request, exc, where="enroll")
                status = 503
            else:
                messages.success(request, _("Enrollment recorded: %(status)s.")
                                 % {"status": enrollment.get_status_display()})
                return redirect("my_training")
    if overlaps is None:
        overlaps = overlapping_enrollments(official=official, session=session)
    response = render(request, "staff/enrollment/enroll.html", {
        "session": session, "course": session.course, "overlaps": overlaps, "official": official,
        "open": session.enrollment_is_open(),
    }, status=status)
    if status == 503:
        response["Retry-After"] = str(settings.BUSY_RETRY_AFTER_SECONDS)
        already_logged(response)
    return response


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    official = own_official_or_404(request, "unit")
    enrollment = get_object_or_404(official.enrollments.select_related("session__course"), pk=pk)
    try:
        enrollment_cancel(enrollment=enrollment, by=request.user, reason=request.POST.get("reason", "")[:500],
                          check_deadline=True)
    except EnrollmentError as exc:
        messages.error(request, str(exc))
    except DatabaseError as exc:
        _class_busy(request, exc, where="cancel")
    else:
        messages.success(request, _("Your enrollment is cancelled."))
    return redirect(_back(request, "/khoa-hoc-cua-toi/"))


@login_required
@require_POST
def answer_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    official = own_official_or_404(request, "unit")
    enrollment = get_object_or_404(official.enrollments.select_related("session__course"), pk=pk)
    try:
        answer = request.POST.get("answer")
        if answer == "accept":
            offer_accept(enrollment=enrollment, by=request.user)
            messages.success(request, _("You accepted the seat."))
        elif answer == "decline":  # declining cannot be undone: only an explicit answer declines
            offer_decline(enrollment=enrollment, by=request.user)
            messages.success(request, _("You declined the seat; it goes to the next in line."))
    except EnrollmentError as exc:
        messages.error(request, str(exc))
    except DatabaseError as exc:
        _class_busy(request, exc, where="answer_offer")
    return redirect("my_training")


@login_required
def my_training_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    official = own_official_or_404(request, "unit")
    year = timezone.localdate().year
    context = my_training(official, year=year)
    context.update({"official": official, "year": year})
    context["feed"] = calendar_feed_ensure(official=official)
    return render(request, "staff/enrollment/my_training.html", context)
