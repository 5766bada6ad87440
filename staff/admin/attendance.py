"""Admin for attendance: a class day's marks, sign-in sheet, results and completion."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CourseSession
from staff.access import AuthenticatedHttpRequest, organized_session_or_404
from staff.models import EnrollmentStatus
from staff.pdf.render import render_pdf
from staff.selectors.enrollment import class_participants_of
from staff.services.attendance import attendance_mark, checkin_code, enrollment_set_result, session_complete
from staff.services.certificates import CertificateError
from staff.services.enrollment import (
    EnrollmentError,
)

# Long sign-in sheets are split into pages of this many rows: xhtml2pdf tables grow quadratically.
SIGN_IN_ROWS_PER_PAGE = 18


def _day(session: CourseSession, value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc
    if day not in session.day_list:
        raise Http404
    return day


def class_attendance(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    """Tick who is present on one day; shows the day's self check-in code and QR when enabled."""
    session = organized_session_or_404(request.user, pk)
    the_day = _day(session, day)
    people = list(class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED))
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        try:
            seen_at = dt.datetime.fromisoformat(request.POST.get("seen_at", ""))
        except ValueError:
            seen_at = None
        count = attendance_mark(session=session, day=the_day, present_ids=present, by=request.user,
                                seen_at=seen_at if seen_at and timezone.is_aware(seen_at) else None)
        messages.success(request, _("Attendance saved: %(n)s present.") % {"n": count})
        return redirect("staff_class_attendance", pk=session.pk, day=day)
    marked = dict(
        session.enrollments.filter(attendance__day=the_day).values_list("pk", "attendance__present")
    )
    context = {"page_title": _("Attendance"), "session": session, "day": the_day, "people": people,
               "marked": marked, "days": session.day_list, "seen_at": timezone.now().isoformat()}
    if session.self_checkin:
        code = checkin_code(session, the_day)
        url = request.build_absolute_uri(reverse("checkin", args=[session.pk])) + "?ma=" + code
        context.update(code=code, checkin_url=url,
                       qr_svg=segno.make(url, error="m").svg_inline(scale=6))
    return render(request, "staff/admin/attendance/class_attendance.html", context)


def class_sign_in_sheet(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    session = organized_session_or_404(request.user, pk)
    the_day = _day(session, day)
    people = list(enumerate(class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED), start=1))
    pages = [people[i:i + SIGN_IN_ROWS_PER_PAGE] for i in range(0, len(people), SIGN_IN_ROWS_PER_PAGE)] or [[]]
    pdf = render_pdf("pdf/sign_in_sheet.html", {
        "session": session, "course": session.course, "day": the_day, "pages": pages,
        "rows_per_page": SIGN_IN_ROWS_PER_PAGE,
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ky-ten-{session.pk}-{the_day:%Y%m%d}.pdf"'
    return response


@require_POST
def class_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = organized_session_or_404(request.user, pk)
    refused = 0
    for enrollment in session.enrollments.filter(status=EnrollmentStatus.CONFIRMED).select_related("official"):
        value = request.POST.get(f"result-{enrollment.pk}")
        if value is not None and value != enrollment.result:
            try:
                enrollment_set_result(enrollment=enrollment, result=value, by=request.user)
            except EnrollmentError as exc:
                messages.error(request, f"{enrollment.official.full_name}: {exc}")
                refused += 1
    if not refused:
        messages.success(request, _("Results saved."))
    return redirect("staff_class_participants", pk=session.pk)


@require_POST
def class_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = organized_session_or_404(request.user, pk)
    try:
        done, not_done = session_complete(session=session, by=request.user)
    except (EnrollmentError, CertificateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Class closed: %(done)s completed, %(not_done)s did not complete.")
                         % {"done": done, "not_done": not_done})
    return redirect("staff_class_participants", pk=session.pk)
