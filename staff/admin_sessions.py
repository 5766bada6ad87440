"""Wagtail admin for running a class: roster, approvals, nomination, reserved seats, attendance, completion.

Every view starts from a scoped queryset (staff/scoping.py) and answers 404 outside it: an organizer
reaches only the classes of the courses their unit organizes, an HR officer only their officials.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView

from courses.models import CourseSession, ExchangePage, TrainingPage
from courses.wagtail_hooks import CourseSessionEditView, CourseSessionViewSet

from .admin_views import ScopedModelViewSet
from .filters import search_officials
from .models import (
    AWAITING_APPROVAL,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Result,
    RoleAssignment,
)
from .pdf import render_pdf
from .scoping import (
    HR_ROLES,
    ORGANIZER_ROLES,
    approval_step_allowed,
    enrollments_in_scope,
    get_in_scope_or_404,
    officials_managed_by,
    sessions_organized_by,
    units_in_scope,
)
from .services import (
    EnrollmentError,
    enrollment_approve,
    enrollment_cancel,
    enrollment_reject,
    enrollments_nominate,
    reservation_set,
)
from .services.attendance import (
    attendance_mark,
    checkin_code,
    enrollment_set_result,
    roster,
    session_complete,
)
from .services.certificates import CertificateError

# Long sign-in sheets are split into pages of this many rows: xhtml2pdf tables grow quadratically.
SIGN_IN_ROWS_PER_PAGE = 18


def _session(request: HttpRequest, pk: int) -> CourseSession:
    return get_in_scope_or_404(sessions_organized_by(request.user).select_related("course__organizer"), pk=pk)


def _day(session: CourseSession, value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc
    if day not in session.day_list:
        raise Http404
    return day


def class_list(request: HttpRequest) -> HttpResponse:
    """The classes the user organizes, newest first, with seat counts from one aggregate."""
    sessions = (
        sessions_organized_by(request.user).select_related("course")
        .annotate(
            confirmed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.CONFIRMED)),
            waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
            awaiting=Count("enrollments", filter=Q(enrollments__status__in=AWAITING_APPROVAL)),
        )
        .order_by("-start_date", "pk")[:200]
    )
    return render(request, "staff/admin/class_list.html", {"page_title": _("Classes"), "sessions": sessions})


class ReservationForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    seats = forms.IntegerField(label=gettext_lazy("Reserved seats"), min_value=0, max_value=10_000)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


def class_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The class as the organizer runs it: everyone enrolled in any state, the waiting list in its
    order, reserved seats, the days for attendance, and every status change with who and why."""
    session = _session(request, pk)
    from .models import Unit  # the reservation form offers every current unit: invitations go city-wide

    reservation_form = ReservationForm(request.POST or None, units=Unit.objects.filter(valid_to__isnull=True))
    if request.method == "POST" and reservation_form.is_valid():
        try:
            reservation_set(session=session, unit=reservation_form.cleaned_data["unit"],
                            seats=reservation_form.cleaned_data["seats"])
        except EnrollmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Reserved seats saved."))
            return redirect("staff_class_roster", pk=session.pk)
    enrollments = list(
        session.enrollments.select_related("official__unit", "official__rank", "nominated_by", "reservation__unit")
    )
    events = (
        EnrollmentEvent.objects.filter(enrollment__session=session)
        .select_related("enrollment__official", "by").order_by("-at", "-pk")[:500]
    )
    return render(request, "staff/admin/class_roster.html", {
        "page_title": str(session), "session": session, "course": session.course,
        "enrollments": enrollments,
        "waiting": [e for e in enrollments if e.status == EnrollmentStatus.WAITLISTED],
        "reservations": session.reservations.select_related("unit"),
        "reservation_form": reservation_form, "events": events, "results": Result.choices,
        "can_complete": session.end_date <= timezone.localdate(),
        "today": timezone.localdate(),
    })


def class_attendance(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """Tick who is present on one day; shows the day's self check-in code and QR when enabled."""
    session = _session(request, pk)
    the_day = _day(session, day)
    people = list(roster(session).filter(status=EnrollmentStatus.CONFIRMED))
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
        import segno

        code = checkin_code(session, the_day)
        url = request.build_absolute_uri(reverse("checkin", args=[session.pk])) + "?ma=" + code
        context.update(code=code, checkin_url=url,
                       qr_svg=segno.make(url, error="m").svg_inline(scale=6))
    return render(request, "staff/admin/class_attendance.html", context)


def class_sign_in_sheet(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    session = _session(request, pk)
    the_day = _day(session, day)
    people = list(enumerate(roster(session).filter(status=EnrollmentStatus.CONFIRMED), start=1))
    pages = [people[i:i + SIGN_IN_ROWS_PER_PAGE] for i in range(0, len(people), SIGN_IN_ROWS_PER_PAGE)] or [[]]
    pdf = render_pdf("pdf/sign_in_sheet.html", {
        "session": session, "course": session.course, "day": the_day, "pages": pages,
        "rows_per_page": SIGN_IN_ROWS_PER_PAGE,
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ky-ten-{session.pk}-{the_day:%Y%m%d}.pdf"'
    return response


@require_POST
def class_results(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
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
    return redirect("staff_class_roster", pk=session.pk)


@require_POST
def class_complete(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        done, not_done = session_complete(session=session, by=request.user)
    except (EnrollmentError, CertificateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Class closed: %(done)s completed, %(not_done)s did not complete.")
                         % {"done": done, "not_done": not_done})
    return redirect("staff_class_roster", pk=session.pk)


@require_POST
def enrollment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, reject or cancel one enrollment. Out of scope is 404; the wrong step is refused."""
    enrollment = get_in_scope_or_404(enrollments_in_scope(request.user).select_related("session__course"), pk=pk)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        if action in ("approve", "reject"):
            if not approval_step_allowed(request.user, enrollment):
                raise EnrollmentError(_("This approval step is not yours to take."))
            if action == "approve":
                enrollment_approve(enrollment=enrollment, by=request.user, reason=reason)
                messages.success(request, _("Approved."))
            else:
                enrollment_reject(enrollment=enrollment, by=request.user, reason=reason)
                messages.success(request, _("Rejected."))
        elif action == "cancel":
            enrollment_cancel(enrollment=enrollment, by=request.user, reason=reason)
            messages.success(request, _("Enrollment cancelled."))
        else:
            raise Http404
    except EnrollmentError as exc:
        messages.error(request, str(exc))
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/admin/") else reverse("staff_approvals"))


def approvals(request: HttpRequest) -> HttpResponse:
    """Enrollments waiting for this user's decision: their officials' first step, their classes' second."""
    user = request.user
    pending = (
        Enrollment.objects.filter(
            Q(status=EnrollmentStatus.PENDING, official__in=officials_managed_by(user))
            | Q(status=EnrollmentStatus.PENDING_ORGANIZER, session__in=sessions_organized_by(user))
        )
        .select_related("official__unit", "session__course")
        .order_by("session__start_date", "created_at")[:500]
    )
    return render(request, "staff/admin/approvals.html", {"page_title": _("Approvals"), "pending": pending})


def nominate_sessions(request: HttpRequest) -> HttpResponse:
    """Sessions open for enrollment, to choose one and nominate officials to it."""
    sessions = (
        CourseSession.objects.filter(cancelled=False, start_date__gte=timezone.localdate(), course__live=True)
        .select_related("course").order_by("start_date", "pk")[:200]
    )
    return render(request, "staff/admin/nominate_sessions.html",
                  {"page_title": _("Nominate officials"), "sessions": sessions})


def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate one or many officials of the user's units to a session."""
    session = get_in_scope_or_404(CourseSession.objects.select_related("course"), pk=pk, cancelled=False,
                                  course__live=True)
    managed = officials_managed_by(request.user).select_related("unit", "rank")
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("official") if v.isdigit()]
        chosen = list(managed.filter(pk__in=ids))
        done, refused = enrollments_nominate(officials=chosen, session=session, by=request.user)
        if done:
            messages.success(request, _("%(n)s officials enrolled.") % {"n": len(done)})
        for official, why in refused:
            messages.error(request, f"{official.full_name}: {why}")
        return redirect("staff_nominate", pk=session.pk)
    query = request.GET.get("q", "").strip()
    candidates = search_officials(managed, query) if query else managed
    enrolled = set(session.enrollments.filter(status__in=(*AWAITING_APPROVAL, EnrollmentStatus.CONFIRMED,
                                                          EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED))
                   .values_list("official_id", flat=True))
    return render(request, "staff/admin/nominate.html", {
        "page_title": _("Nominate officials"), "session": session, "candidates": candidates[:300],
        "query": query, "enrolled": enrolled,
    })


class SessionAdminForm(WagtailAdminModelForm):
    """A session of one of the user's own courses only."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not for_user.is_superuser and "course" in self.fields:
            self.fields["course"].queryset = TrainingPage.objects.filter(
                organizer__in=units_in_scope(for_user, roles=ORGANIZER_ROLES))


class SessionCreateView(CreateView):
    """A new session of an exchange gets its seats reserved for every invited unit at once."""

    def save_instance(self):
        instance = super().save_instance()
        from .services.exchange_seats import exchange_reserve_seats

        course = instance.course.specific
        if isinstance(course, ExchangePage):
            exchange_reserve_seats(page=course)
        return instance


class SessionViewSet(ScopedModelViewSet, CourseSessionViewSet):
    """Sessions in the admin, each organizer's own only: the list, and 404 for every other object."""

    base_edit_view_class = CourseSessionEditView
    add_view_class = SessionCreateView

    def scope(self, user):
        return sessions_organized_by(user).select_related("course")

    def get_form_class(self, for_update=False):
        return type("CourseSessionForm", (SessionAdminForm,), {
            "Meta": type("Meta", (), {"model": CourseSession, "fields": self.form_fields}),
        })


@hooks.register("register_admin_viewset")
def register_sessions():
    return SessionViewSet("sessions")


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("classes/", class_list, name="staff_class_list"),
        path("classes/<int:pk>/", class_roster, name="staff_class_roster"),
        path("classes/<int:pk>/results/", class_results, name="staff_class_results"),
        path("classes/<int:pk>/complete/", class_complete, name="staff_class_complete"),
        path("classes/<int:pk>/attendance/<str:day>/", class_attendance, name="staff_class_attendance"),
        path("classes/<int:pk>/sign-in/<str:day>/", class_sign_in_sheet, name="staff_class_sign_in"),
        path("enrollments/<int:pk>/decide/", enrollment_decide, name="staff_enrollment_decide"),
        path("approvals/", approvals, name="staff_approvals"),
        path("nominate/", nominate_sessions, name="staff_nominate_sessions"),
        path("nominate/<int:pk>/", nominate, name="staff_nominate"),
    ]


class RoleMenuItem(MenuItem):
    """Shown only to users holding one of ``roles`` (or superusers)."""

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request):
        if request.user.is_superuser:
            return True
        # One query per request for the three menu items, not one each.
        if not hasattr(request, "_staff_roles"):
            request._staff_roles = set(RoleAssignment.objects.filter(user=request.user).values_list("role", flat=True))
        return bool(request._staff_roles & set(self.roles))


@hooks.register("register_admin_menu_item")
def classes_menu_item():
    return RoleMenuItem(gettext_lazy("Classes"), reverse("staff_class_list"), icon_name="date", order=210,
                        roles=ORGANIZER_ROLES)


@hooks.register("register_admin_menu_item")
def approvals_menu_item():
    return RoleMenuItem(gettext_lazy("Approvals"), reverse("staff_approvals"), icon_name="tick-inverse", order=211,
                        roles=(*HR_ROLES, *ORGANIZER_ROLES))


@hooks.register("register_admin_menu_item")
def nominate_menu_item():
    return RoleMenuItem(gettext_lazy("Nominate officials"), reverse("staff_nominate_sessions"), icon_name="group",
                        order=212, roles=HR_ROLES)

