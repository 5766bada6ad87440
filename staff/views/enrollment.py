"""An official's own side of enrolling: enroll from a course page, cancel, answer an offered seat,
check in, and the "My training" page. Every object is looked up through the signed-in official,
so another person's enrollment answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CourseSession

from ..models import Official
from ..selectors import my_training
from ..services import EnrollmentError, enrollment_cancel, enrollment_create, offer_accept, offer_decline
from ..services.attendance import attendance_self_checkin
from ..services.enrollment import overlapping_enrollments


def _official(request: HttpRequest) -> Official:
    """The signed-in person's official record; a login without one (an HR account) has no training."""
    official = Official.objects.select_related("unit").filter(user=request.user).first()
    if official is None:
        raise Http404(_("This account is not linked to an official."))
    request.user.official = official  # base.html asks for it again: answer from the cache
    return official


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def enroll(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET shows what enrolling means (and any overlap); POST enrolls. The form works without JavaScript."""
    official = _official(request)
    session = get_object_or_404(CourseSession.objects.select_related("course"), pk=session_id,
                                course__live=True)
    overlaps = overlapping_enrollments(official=official, session=session)
    if request.method == "POST":
        if overlaps and not request.POST.get("confirm_overlap"):
            messages.warning(request, _("This session overlaps another of your sessions. Confirm to enroll anyway."))
        else:
            try:
                enrollment = enrollment_create(official=official, session=session, by=request.user)
            except EnrollmentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Enrollment recorded: %(status)s.")
                                 % {"status": enrollment.get_status_display()})
                return redirect("my_training")
    return render(request, "staff/enroll.html", {
        "session": session, "course": session.course, "overlaps": overlaps, "official": official,
        "open": session.enrollment_is_open(),
    })


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    official = _official(request)
    enrollment = get_object_or_404(official.enrollments.select_related("session__course"), pk=pk)
    try:
        enrollment_cancel(enrollment=enrollment, by=request.user, reason=request.POST.get("reason", "")[:500],
                          check_deadline=True)
    except EnrollmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your enrollment is cancelled."))
    return redirect(_back(request, "/khoa-hoc-cua-toi/"))


@login_required
@require_POST
def answer_offer(request: HttpRequest, pk: int) -> HttpResponse:
    official = _official(request)
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
    return redirect("my_training")


@login_required
def checkin(request: HttpRequest, session_id: int) -> HttpResponse:
    """Self check-in: the QR in the room opens this page with the day's code filled in."""
    official = _official(request)
    session = get_object_or_404(CourseSession.objects.select_related("course"), pk=session_id)
    enrollment = official.enrollments.filter(session=session).order_by("-created_at").first()
    if enrollment is None:
        raise Http404
    code = request.POST.get("code") or request.GET.get("ma", "")
    if request.method == "POST":
        try:
            attendance_self_checkin(enrollment=enrollment, code=code, by=request.user)
        except EnrollmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You are checked in for %(day)s.")
                             % {"day": timezone.localdate().strftime("%d/%m/%Y")})
            return redirect("my_training")
    return render(request, "staff/checkin.html", {"session": session, "code": code})


@login_required
def my_training_page(request: HttpRequest) -> HttpResponse:
    official = _official(request)
    year = timezone.localdate().year
    context = my_training(official, year=year)
    context.update({"official": official, "year": year})
    try:
        from ..calendars import calendar_feed_for
    except ImportError:  # pragma: no cover - calendars arrive with their own module
        context["feed"] = None
    else:
        context["feed"] = calendar_feed_for(official)
    return render(request, "staff/my_training.html", context)


urlpatterns = [
    path("khoa-hoc-cua-toi/", my_training_page, name="my_training"),
    path("dang-ky/<int:session_id>/", enroll, name="enroll"),
    path("ghi-danh/<int:pk>/huy/", cancel, name="enrollment_cancel"),
    path("ghi-danh/<int:pk>/tra-loi/", answer_offer, name="offer_answer"),
    path("diem-danh/<int:session_id>/", checkin, name="checkin"),
]
