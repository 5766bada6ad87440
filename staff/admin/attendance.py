"""Admin for attendance: a class day's marks, sign-in sheet, results and completion."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CourseSession
from staff.access import AuthenticatedHttpRequest, organized_session_or_404
from staff.models import Attendance, AttendanceMethod, Enrollment, EnrollmentStatus
from staff.pdf.render import render_pdf
from staff.selectors.enrollment import class_participants_of
from staff.services.attendance import (
    ON_ROSTER,
    ROTATION_SECONDS,
    Reevaluation,
    attendance_correct,
    attendance_day_refusal,
    attendance_days,
    attendance_mark,
    checkin_code,
    checkin_period,
    class_closed_on,
    enrollment_set_result,
    rotating_checkin_code,
    session_complete,
)
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


def _grid(session: CourseSession, people: list[Enrollment]) -> list[dict[str, Any]]:
    """Who was present on each day, for a closed class's record: one query for every mark of the class."""
    marks: dict[int, set[dt.date]] = defaultdict(set)
    for enrollment_id, marked_day in Attendance.objects.filter(
        enrollment__session=session, present=True, day__in=session.day_list
    ).values_list("enrollment_id", "day"):
        marks[enrollment_id].add(marked_day)
    return [{"enrollment": person, "days": [d in marks[person.pk] for d in session.day_list],
             "present": len(marks[person.pk])} for person in people]


def class_attendance(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    """Tick who is present on one day; shows the day's self check-in code and QR when enabled.

    A day that has not begun shows why it cannot be marked yet, without a form. A closed class shows
    every day's presence and the results, and its day is corrected only with a reason."""
    session = organized_session_or_404(request.user, pk)
    the_day = _day(session, day)
    closed_on = class_closed_on(session)
    statuses = ON_ROSTER if closed_on else (EnrollmentStatus.CONFIRMED,)
    people = list(class_participants_of(session).filter(status__in=statuses))
    refusal = attendance_day_refusal(session, the_day)
    marked = dict(
        session.enrollments.filter(attendance__day=the_day).values_list("pk", "attendance__present")
    )
    reason, reason_error = "", ""
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        reason = request.POST.get("reason", "").strip()
        try:
            seen_at: dt.datetime | None = dt.datetime.fromisoformat(request.POST.get("seen_at", ""))
        except ValueError:
            seen_at = None
        try:
            if closed_on:
                count, outcome = attendance_correct(session=session, day=the_day, present_ids=present,
                                                    by=request.user, reason=reason)
            else:
                count = attendance_mark(session=session, day=the_day, present_ids=present, by=request.user,
                                        seen_at=seen_at if seen_at and timezone.is_aware(seen_at) else None)
        except EnrollmentError as exc:
            # Drawn again with what was ticked: a missing reason must not cost the organizer their ticks.
            reason_error = str(exc)
            marked = dict.fromkeys(present, True)
        else:
            messages.success(request, _("Attendance saved: %(n)s present.") % {"n": count})
            if closed_on:
                _report_outcome(request, outcome)
            return redirect("staff_class_attendance", pk=session.pk, day=day)
    elif request.GET.get("all") == "1" and not refusal:
        marked = {person.pk: True for person in people}  # ticked on screen only; saved by "Save attendance"
    context = {"page_title": _("Attendance"), "session": session, "day": the_day, "people": people,
               "marked": marked, "days": attendance_days(session), "all_days": session.day_list,
               "seen_at": timezone.now().isoformat(), "refusal": refusal, "closed_on": closed_on,
               "reason": reason, "reason_error": reason_error, "all_present": request.GET.get("all") == "1",
               "grid": _grid(session, people) if closed_on else None,
               "requires_result": session.course.requires_result}
    if session.self_checkin and not refusal and not closed_on:
        code = checkin_code(session, the_day)
        url = request.build_absolute_uri(reverse("checkin", args=[session.pk])) + "?ma=" + code
        context.update(code=code, checkin_url=url,
                       qr_svg=segno.make(url, error="m").svg_inline(scale=6),
                       rotating_url=reverse("staff_class_checkin_screen", args=[session.pk, day])
                       if the_day == timezone.localdate() else "")
    return render(request, "staff/admin/attendance/class_attendance.html", context, status=400 if reason_error else 200)


def _report_outcome(request: AuthenticatedHttpRequest, outcome: Reevaluation) -> None:
    if outcome.completed:
        messages.success(request, _("Now completed, certificate issued: %(names)s.")
                         % {"names": ", ".join(e.official.full_name for e in outcome.completed)})
    if outcome.no_longer:
        messages.warning(request, _("No longer completed, certificate revoked and the official told: %(names)s.")
                         % {"names": ", ".join(e.official.full_name for e in outcome.no_longer)})


def class_sign_in_sheet(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    """The day's sheet to sign; for a closed class, the record of who was there (and the results)."""
    session = organized_session_or_404(request.user, pk)
    the_day = _day(session, day)
    closed_on = class_closed_on(session)
    statuses = ON_ROSTER if closed_on else (EnrollmentStatus.CONFIRMED,)
    people = list(enumerate(class_participants_of(session).filter(status__in=statuses), start=1))
    present: set[int] = set()
    if closed_on:
        present = set(Attendance.objects.filter(enrollment__session=session, day=the_day, present=True)
                      .values_list("enrollment_id", flat=True))
    pages = [people[i:i + SIGN_IN_ROWS_PER_PAGE] for i in range(0, len(people), SIGN_IN_ROWS_PER_PAGE)] or [[]]
    pdf = render_pdf("pdf/sign_in_sheet.html", {
        "session": session, "course": session.course, "day": the_day, "pages": pages,
        "rows_per_page": SIGN_IN_ROWS_PER_PAGE, "closed_on": closed_on, "present": present,
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


def _checkin_state(request: AuthenticatedHttpRequest, session: CourseSession, day: dt.date) -> dict[str, Any]:
    """The rotating code, its check-in address and QR, and who is present so far (one query)."""
    now = timezone.now()
    period = checkin_period(now)
    code = rotating_checkin_code(session, day, period)
    url = request.build_absolute_uri(reverse("checkin", args=[session.pk])) + "?ma=" + code
    rows = (
        Attendance.objects.filter(enrollment__session=session, day=day, present=True)
        .select_related("enrollment__official__unit").order_by("-marked_at", "-pk")
    )
    return {
        "code": code, "url": url, "period": period,
        "seconds_left": ROTATION_SECONDS - int(now.timestamp()) % ROTATION_SECONDS,
        # No width/height, only the viewBox: the screen's CSS sizes the QR to the room's screen or the phone.
        "svg": segno.make(url, error="m").svg_inline(scale=6, omitsize=True),
        "present": [{"name": row.enrollment.official.full_name, "unit": row.enrollment.official.unit_name,
                     "at": f"{timezone.localtime(row.marked_at):%H:%M}",
                     "self": row.method == AttendanceMethod.SELF_CHECKIN}
                    for row in rows],
    }


def _checkin_day(request: AuthenticatedHttpRequest, pk: int, day: str) -> tuple[CourseSession, dt.date]:
    session = organized_session_or_404(request.user, pk)
    the_day = _day(session, day)
    if not session.self_checkin or the_day != timezone.localdate():
        raise Http404  # the screen exists only for a self check-in class, on the day itself
    return session, the_day


def class_checkin_screen(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    """The organizer's screen in the room: a QR whose code changes every 30 seconds and who has checked in.

    A small script (static/js/checkin-screen.js) polls the live view and swaps the QR and the list without a
    reload; without JavaScript the page reloads itself every period."""
    session, the_day = _checkin_day(request, pk, day)
    return render(request, "staff/admin/attendance/checkin_screen.html", {
        "page_title": _("Check-in screen"), "session": session, "day": the_day,
        "live_url": reverse("staff_class_checkin_live", args=[session.pk, day]),
        "rotation": ROTATION_SECONDS, "confirmed": class_participants_of(session)
        .filter(status=EnrollmentStatus.CONFIRMED).count(),
        **_checkin_state(request, session, the_day),
    })


def class_checkin_live(request: AuthenticatedHttpRequest, pk: int, day: str) -> JsonResponse:
    session, the_day = _checkin_day(request, pk, day)
    response = JsonResponse(_checkin_state(request, session, the_day))
    response["Cache-Control"] = "no-store"
    return response
