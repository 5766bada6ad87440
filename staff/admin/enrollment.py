"""Admin for enrollments: a class's participants and reserved seats, approvals, nomination, the HR list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
from staff.selectors.enrollment import awaiting_decision_page, enrollments_awaiting_decision
from staff.services.enrollment import (
    EnrollmentError,
    enrollment_approve,
    enrollment_cancel,
    enrollment_reject,
    enrollments_decide,
    enrollments_nominate,
    overlapping_enrollments,
    reservation_set,
)
from training_site.admin_lists import CompactListMixin, ExportIndexView
from training_site.fast_widgets import fast_selects


class ReservationForm(forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    seats = forms.IntegerField(label=gettext_lazy("Reserved seats"), min_value=0, max_value=10_000)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)  # the field declared above (``fields`` holds Field)
        unit.queryset = units


def decide_labels() -> dict[str, str]:
    """The row decision controls' words (staff/admin/enrollment/_decide.html), translated once per page: a
    ``{% translate %}`` per row cost a class of 250 some 10 ms."""
    return {"reason": _("Reason"), "approve": _("Approve"), "reject": _("Reject"), "cancel": _("Cancel enrollment")}


# Status changes shown on the class page, and at most with ?lich-su=tat-ca.
HISTORY_LATEST, HISTORY_ALL = 50, 2000


def class_participants(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The class as the organizer runs it: everyone enrolled in any state, the waiting list in its
    order, reserved seats, the days for attendance, and every status change with who and why."""
    session = organized_session_or_404(request.user, pk)
    # The reservation form offers every current unit: invitations go city-wide.
    reservation_form = fast_selects(ReservationForm(request.POST or None,
                                                    units=Unit.objects.filter(valid_to__isnull=True)))
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
    # The latest changes; a big class has thousands (a status change each), and the page is the organizer's
    # working screen, so the whole history is one click away instead of rendered every time.
    whole_history = request.GET.get("lich-su") == "tat-ca"
    shown = HISTORY_ALL if whole_history else HISTORY_LATEST
    events = list(
        EnrollmentEvent.objects.filter(enrollment__session=session)
        .select_related("enrollment__official", "by").order_by("-at", "-pk")[:shown + 1]
    )
    more_history = len(events) > shown
    events = events[:shown]
    return render(request, "staff/admin/enrollment/class_participants.html", {
        "page_title": str(session), "session": session, "course": session.course,
        "enrollments": enrollments,
        "waiting": [e for e in enrollments if e.status == EnrollmentStatus.WAITLISTED],
        "reservations": session.reservations.select_related("unit"),
        "reservation_form": reservation_form, "events": events, "results": Result.choices,
        "more_history": more_history and not whole_history, "whole_history": whole_history,
        "can_complete": session.end_date <= timezone.localdate(),
        "today": timezone.localdate(), "decide_labels": decide_labels(),
    })


@require_POST
def enrollment_decide_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Approve, reject or cancel one enrollment, from a page whose rows share one form (the class roster, the
    approvals): the pressed button says which enrollment and what (``decide=<id>:<action>``), the row's own
    text box its reason (``reason-<id>``); one form, where a class of 250 rendered 250. Out of scope is 404;
    the wrong step is refused."""
    pk, _sep, action = request.POST.get("decide", "").partition(":")
    if not pk.isdigit():
        raise Http404
    _decide(request, int(pk), action, request.POST.get(f"reason-{pk}", ""))
    return _back(request)


def _decide(request: AuthenticatedHttpRequest, pk: int, action: str | None, reason: str) -> None:
    enrollment = get_in_scope_or_404(enrollments_in_scope(request.user).select_related("session__course"), pk=pk)
    reason = reason.strip()[:500]
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


def _back(request: AuthenticatedHttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/admin/") else reverse("staff_approvals"))


APPROVALS_SHOWN = 500  # the most ids one bulk decision takes
APPROVALS_PAGE = 50  # rows per page of the approvals list: the city's HR may have thousands waiting


def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrollments waiting for this user's decision, to decide one by one or many at once, a page at a time.

    One row more than the page is read to know whether a next page exists: no count of everything waiting
    (the same one query for 1 row and for 100,000)."""
    page = int(request.GET["p"]) if request.GET.get("p", "").isdigit() and int(request.GET["p"]) > 0 else 1
    start = (page - 1) * APPROVALS_PAGE
    rows = awaiting_decision_page(request.user, start, start + APPROVALS_PAGE + 1)
    return render(request, "staff/admin/enrollment/approvals.html", {
        "page_title": _("Approvals"), "pending": rows[:APPROVALS_PAGE], "page": page, "decide_labels": decide_labels(),
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if len(rows) > APPROVALS_PAGE else None,
    })


def _posted_ids(request: AuthenticatedHttpRequest, name: str) -> list[int]:
    """The ids ticked in a list; with "all on this page" ticked, every id the page listed (no JavaScript needed)."""
    field = f"page_{name}" if request.POST.get("all_on_page") or request.GET.get("all_on_page") else name
    values = request.POST.getlist(field) if request.method == "POST" else request.GET.getlist(field)
    return [int(v) for v in values if v.isdigit()][:APPROVALS_SHOWN]


def _named(items: list[tuple[Any, str]], name: Any) -> str:
    return "; ".join(f"{name(item)}: {why.rstrip('.')}" for item, why in items)


@require_POST
def approvals_decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Approve or reject the ticked enrollments with one reason. Only ids awaiting this user's decision are
    looked up: another unit's id (forged or stale) is left alone and counted as not decided."""
    ids = _posted_ids(request, "enrollment")
    action = request.POST.get("bulk_action")
    if action not in ("approve", "reject"):
        raise Http404
    if not ids:
        messages.warning(request, _("No enrollment was ticked: tick the enrollments to decide first."))
        return redirect("staff_approvals")
    chosen = list(enrollments_awaiting_decision(request.user).filter(pk__in=ids))
    try:
        done, refused = enrollments_decide(enrollments=chosen, approve=action == "approve", by=request.user,
                                           reason=request.POST.get("reason", ""))
    except EnrollmentError as exc:
        messages.error(request, str(exc))
        return redirect("staff_approvals")
    if action == "approve":
        summary = ngettext("%(n)s approved", "%(n)s approved", len(done)) % {"n": len(done)}
    else:
        summary = ngettext("%(n)s rejected", "%(n)s rejected", len(done)) % {"n": len(done)}
    missing = len(set(ids) - {e.pk for e in chosen})
    problems = _named(refused, lambda e: e.official.full_name)
    if missing:
        gone = ngettext("%(n)s no longer awaits your decision", "%(n)s no longer await your decision",
                        missing) % {"n": missing}
        problems = f"{problems}; {gone}" if problems else gone
    if problems:
        count = len(refused) + missing
        messages.warning(request, ngettext("%(summary)s; %(n)s could not be: %(why)s.",
                                           "%(summary)s; %(n)s could not be: %(why)s.", count)
                         % {"summary": summary, "n": count, "why": problems})
    else:
        messages.success(request, f"{summary}.")
    return redirect("staff_approvals")


def open_sessions() -> QuerySet[CourseSession]:
    """Sessions HR may nominate to: not cancelled, not started, of a published course."""
    return (
        CourseSession.objects.filter(cancelled=False, start_date__gte=timezone.localdate(), course__live=True)
        .select_related("course").order_by("start_date", "pk")
    )


def nominate_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sessions open for enrollment, to choose one and nominate officials to it."""
    return render(request, "staff/admin/enrollment/nominate_sessions.html",
                  {"page_title": _("Nominate officials"), "sessions": open_sessions()[:200]})


def _nomination_results(request: AuthenticatedHttpRequest, done: list[Enrollment],
                        refused: list[tuple[Official, str]]) -> None:
    """One message for what happened: enrolled, waiting for a seat, and who was skipped and why."""
    waiting = sum(1 for e in done if e.status == EnrollmentStatus.WAITLISTED)
    if done:
        text = ngettext("%(n)s official enrolled", "%(n)s officials enrolled", len(done)) % {"n": len(done)}
        if waiting:
            text += "; " + ngettext("%(n)s of them is on the waiting list (no seat left)",
                                    "%(n)s of them are on the waiting list (no seat left)", waiting) % {"n": waiting}
        messages.success(request, f"{text}.")
    if refused:
        messages.error(request, ngettext("%(n)s skipped: %(why)s.", "%(n)s skipped: %(why)s.", len(refused))
                       % {"n": len(refused), "why": _named(refused, lambda o: o.full_name)})


NOBODY_TICKED = gettext_lazy("No official was ticked: tick the officials to nominate first.")


def nominate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Nominate one or many officials of the user's units to a session."""
    session = get_in_scope_or_404(CourseSession.objects.select_related("course"), pk=pk, cancelled=False,
                                  course__live=True)
    managed = officials_managed_by(request.user).select_related("unit", "rank")
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("official") if v.isdigit()]
        if not ids:
            messages.warning(request, NOBODY_TICKED)
            return redirect("staff_nominate", pk=session.pk)
        chosen = list(managed.filter(pk__in=ids))
        done, refused = enrollments_nominate(officials=chosen, session=session, by=request.user)
        _nomination_results(request, done, refused)
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


NOMINATE_AT_ONCE = 200


def nominate_chosen(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The officials ticked on the officials list, nominated to a class: choose the session (GET), see who
    is already enrolled or busy on those days and how many seats are free, then confirm (POST).

    Only officials the user manages are looked up: a forged id is left out."""
    officials_url = reverse("officials:index")
    ids = _posted_ids(request, "official")[:NOMINATE_AT_ONCE]
    chosen = list(officials_managed_by(request.user).filter(pk__in=ids).select_related("unit", "rank")
                  .order_by("search_name", "pk"))
    if not chosen:
        messages.warning(request, NOBODY_TICKED)
        return redirect(officials_url)
    sessions = open_sessions()
    session_id = request.POST.get("session") or request.GET.get("session") or ""
    session = sessions.filter(pk=session_id).first() if session_id.isdigit() else None
    if request.method == "POST" and session is not None:
        done, refused = enrollments_nominate(officials=chosen, session=session, by=request.user)
        _nomination_results(request, done, refused)
        return redirect(officials_url)
    plan: list[dict[str, Any]] = []
    if session is not None:
        enrolled = set(session.enrollments.filter(official__in=chosen, status__in=(
            *AWAITING_APPROVAL, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED,
        )).values_list("official_id", flat=True))
        # A warning per official, not a rule: at most NOMINATE_AT_ONCE small queries on a page shown once.
        plan = [{"official": o, "enrolled": o.pk in enrolled,
                 "overlaps": [] if o.pk in enrolled else overlapping_enrollments(official=o, session=session)}
                for o in chosen]
    to_enroll = sum(1 for row in plan if not row["enrolled"])
    free = max(session.capacity - session.seats_taken - session.reserved_free, 0) if session else 0
    return render(request, "staff/admin/enrollment/nominate_chosen.html", {
        "page_title": _("Nominate to a class"), "chosen": chosen, "sessions": sessions[:200], "session": session,
        "plan": plan, "to_enroll": to_enroll, "free": free, "waitlisted": max(to_enroll - free, 0),
        "officials_url": officials_url,
    })


class EnrollmentIndexView(CompactListMixin, ExportIndexView):
    # The model's fields carry no verbose names of their own: the list says them in the field's words.
    column_labels = {"official": gettext_lazy("Official"), "session": gettext_lazy("Class")}

    @cached_property
    def columns(self) -> list:
        columns = super().columns
        for column in columns:
            if column.name in self.column_labels:
                column.label = self.column_labels[column.name]
        return columns

    def filter_queryset(self, queryset):
        # ``queryset`` is the scoped list before any filter: the class and course suggestions are narrowed
        # with it, instead of reading the user's role paths again.
        if self.filters is not None:
            self.filters.scope = queryset
        return super().filter_queryset(queryset)

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
    # Few columns, so that each row stays on one line at 1280 px (the list is newest first; the export has dates).
    list_display = ["official", "session", "unit", "status", "periods_earned"]
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
