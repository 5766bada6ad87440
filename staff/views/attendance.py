"""The official's self check-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CourseSession
from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.services.attendance import attendance_self_checkin
from staff.services.enrollment import (
    EnrollmentError,
)


@login_required
def checkin(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Self check-in: the QR in the room opens this page with the day's code filled in."""
    official = own_official_or_404(request, "unit")
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
    return render(request, "staff/attendance/checkin.html", {"session": session, "code": code})
