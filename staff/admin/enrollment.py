"""Admin for enrollments: a class's participants and reserved seats, approvals, nomination, the HR list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses.models import CourseSession
from staff.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    approval_step_allowed,
    enrollments_in_scope,
    get_in_scope_or_404,
    officials_managed_by,
    organized_session_or_404,
    sessions_organized_by,
)
from staff.admin.base import ReadOnlyViewSetMixin, ScopedModelViewSet
from staff.filters import EnrollmentFilterSet, search_officials
from staff.models import (
    AWAITING_APPROVAL,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Official,
    Result,
    Unit,
)
from staff.services.enrollment import (
    EnrollmentError,
    enrollment_approve,
    enrollment_cancel,
    enrollment_reject,
    enrollments_nominate,
    reservation_set,
)
from training_site.admin_lists import ExportIndexView


class ReservationForm(forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    seats = forms.IntegerField(label=gettext_lazy("Reserved seats"), min_value=0, max_value=10_000)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)  # the field declared above (``fields`` holds Field)
        unit.queryset = units


def class_participants(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The class as the organizer runs it: everyone enrolled in any state, the waiting list in its
    order, reserved seats, the days for attendance, and every status change with who and why."""
    session = organized_session_or_404(request.user, pk)
    # The reservation form offers every current unit: invitations go city-wide.

    reservation_form = ReservationForm(request.POST or None, units=Unit.objects.filter(valid_to__isnull=True))
    if request.method == "POST" and reservation_form.is_valid():
        try:
            reservation_set(session=session, unit=reservation_form.cleaned_data["unit"],
                            seats=reservation_form.cleaned_data["seats"])
        except EnrollmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Reserved seats saved."))
            return redirect("staff_class_participants", pk=session.pk)
    enrollments = list(
        session.enrollments.select_related("official__unit", "official__rank", "nominated_by", "reservation__unit")
    )
    events = (
        EnrollmentEvent.objects.filter(enrollment__session=session)
        .select_related("enrollment__official", "by").order_by("-at", "-pk")[:500]
    )
    return render(request, "staff/admin/enrollment/class_participants.html", {
        "page_title": str(session), "session": session, "course": session.course,
        "enrollments": enrollments,
        "waiting": [e for e in enrollments if e.status == EnrollmentStatus.WAITLISTED],
        "reservations": session.reservations.select_related("unit"),
        "reservation_form": reservation_form, "events": events, "results": Result.choices,
        "can_complete": session.end_date <= timezone.localdate(),
        "today": timezone.localdate(),
    })


@require_POST
def enrollment_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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


def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    return render(request, "staff/admin/enrollment/approvals.html", {"page_title": _("Approvals"), "pending": pending})


def nominate_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sessions open for enrollment, to choose one and nominate officials to it."""
    sessions = (
        CourseSession.objects.filter(cancelled=False, start_date__gte=timezone.localdate(), course__live=True)
        .select_related("course").order_by("start_date", "pk")[:200]
    )
    return render(request, "staff/admin/enrollment/nominate_sessions.html",
                  {"page_title": _("Nominate officials"), "sessions": sessions})


def nominate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
    return render(request, "staff/admin/enrollment/nominate.html", {
        "page_title": _("Nominate officials"), "session": session, "candidates": candidates[:300],
        "query": query, "enrolled": enrolled,
    })


class EnrollmentIndexView(ExportIndexView):
    def search_queryset(self, queryset):
        # The officials' folded search, through the enrollment: "nguyen thi" finds "Nguyễn Thị".
        if not self.is_searching:
            return queryset
        return queryset.filter(official__in=search_officials(Official.objects.all(), self.search_query))


class EnrollmentViewSet(ReadOnlyViewSetMixin, ScopedModelViewSet):
    """Read-only: seats and statuses change through the services (class roster), never a model form."""

    model = Enrollment
    name = "enrollments"
    icon = "list-ul"
    menu_label = gettext_lazy("Enrollments")
    filterset_class = EnrollmentFilterSet
    base_index_view_class = EnrollmentIndexView
    search_fields = ["official__search_name"]
    search_backend_name = None
    list_display = ["official", "session", "unit", "status", "periods_earned", "created_at"]
    list_export = ["official.employee_code", "official.full_name", "session.course.title", "session.code",
                   "session.start_date", "session.end_date", "unit.code", "unit.name", "get_status_display",
                   "periods_earned", "completed_on"]
    export_headings = {
        "official.employee_code": gettext_lazy("Employee code"),
        "official.full_name": gettext_lazy("Full name"),
        "session.course.title": gettext_lazy("Course"),
        "session.code": gettext_lazy("Class code"),
        "session.start_date": gettext_lazy("Start date"),
        "session.end_date": gettext_lazy("End date"),
        "unit.code": gettext_lazy("Unit code"),
        "unit.name": gettext_lazy("Unit at enrollment"),
        "get_status_display": gettext_lazy("Status"),
    }
    export_filename = "ghi-danh"
    copy_view_enabled = False
    ordering = ("-created_at", "-pk")
    inspect_view_enabled = True
    inspect_view_fields = [
        "official",
        "session",
        "unit",
        "status",
        "priority",
        "reservation",
        "nominated_by",
        "offer_expires_at",
        "result",
        "periods_earned",
        "completed_on",
        "created_at",
    ]

    def scope(self, user: AnyUser) -> QuerySet[Enrollment]:
        return enrollments_in_scope(user).select_related("official", "session__course", "unit")
