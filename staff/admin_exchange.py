"""Wagtail admin for replication and feedback: units' adoptions of best practices (their HR records them),
the city's replication dashboard, and the organizer's and trainer's views of participants' feedback.

Every view starts from a scoped queryset (staff/scoping.py) and answers 404 outside it. Feedback pages
read only aggregates and bare comment texts (staff/selectors_exchange.py), never who wrote them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from courses.models import BestPracticePage, ExchangePage, Trainer

from .admin_sessions import RoleMenuItem
from .models import AdoptionStatus, Feedback, RoleAssignment
from .scoping import HR_ROLES, ORGANIZER_ROLES, get_in_scope_or_404, sessions_organized_by, units_in_scope
from .selectors_exchange import (
    MIN_RESPONSES_FOR_COMMENTS,
    adoptions_by_month,
    adoptions_in_scope,
    feedback_by_course,
    feedback_by_session,
    feedback_by_trainer,
    feedback_comments,
    feedback_summary,
    replication_dashboard,
    units_not_reached,
)
from .services.exchange import ExchangeError, adoption_record, adoption_result_record

# --- Adoptions (unit HR) -----------------------------------------------------------------------------


class AdoptionForm(forms.Form):
    practice = forms.ModelChoiceField(label=gettext_lazy("Practice"), queryset=BestPracticePage.objects.none())
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=AdoptionStatus.choices)
    since = forms.DateField(label=gettext_lazy("Since"), widget=forms.DateInput(attrs={"type": "date"}))
    changes = forms.CharField(label=gettext_lazy("What the unit changed"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    via_exchange = forms.ModelChoiceField(label=gettext_lazy("After the exchange"), required=False,
                                          queryset=ExchangePage.objects.none())

    def __init__(self, *args, units, fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = BestPracticePage.objects.live().order_by("title")
        self.fields["via_exchange"].queryset = ExchangePage.objects.live().order_by("-first_published_at")
        # Only the user's own units: a unit outside the scope is "not one of the available choices".
        self.fields["unit"].queryset = units.order_by("path")
        if fixed:  # editing: the practice and unit identify the record
            self.fields["practice"].disabled = self.fields["unit"].disabled = True


class ResultForm(forms.Form):
    indicator = forms.CharField(label=gettext_lazy("Indicator"), max_length=200, required=False)
    before = forms.DecimalField(label=gettext_lazy("Before"), max_digits=12, decimal_places=2, required=False)
    after = forms.DecimalField(label=gettext_lazy("After"), max_digits=12, decimal_places=2, required=False)
    measured_on = forms.DateField(label=gettext_lazy("Measured on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


ResultFormSet = forms.formset_factory(ResultForm, extra=2, max_num=30)


def _hr_units(request: HttpRequest):
    units = units_in_scope(request.user, roles=HR_ROLES)
    if not units.exists():
        raise Http404
    return units


def adoption_list(request: HttpRequest) -> HttpResponse:
    _hr_units(request)
    adoptions = (adoptions_in_scope(request.user).select_related("practice", "unit", "via_exchange")
                 .order_by("practice__title", "unit__path")[:500])
    return render(request, "staff/admin/adoption_list.html",
                  {"page_title": _("Adoptions of best practices"), "adoptions": adoptions})


def adoption_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Record or update where one of the user's units stands with a practice, and its own results."""
    units = _hr_units(request)
    adoption = None
    initial: dict = {"since": timezone.localdate(), "status": AdoptionStatus.PLANNED}
    results_initial: list[dict] = []
    if pk is not None:
        adoption = get_in_scope_or_404(adoptions_in_scope(request.user).select_related("practice", "unit"), pk=pk)
        initial = {"practice": adoption.practice, "unit": adoption.unit, "status": adoption.status,
                   "since": adoption.since, "changes": adoption.changes, "via_exchange": adoption.via_exchange_id}
        results_initial = list(adoption.results.values("indicator", "before", "after", "measured_on"))
    form = AdoptionForm(request.POST or None, initial=initial, units=units, fixed=adoption is not None)
    results = ResultFormSet(request.POST or None, initial=results_initial, prefix="results")
    if request.method == "POST" and form.is_valid() and results.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                saved = adoption_record(practice=data["practice"], unit=data["unit"], status=data["status"],
                                        since=data["since"], changes=data["changes"],
                                        via_exchange=data["via_exchange"], by=request.user)
                for row in results.cleaned_data:
                    if row.get("indicator", "").strip():
                        adoption_result_record(adoption=saved, indicator=row["indicator"], before=row["before"],
                                               after=row["after"], measured_on=row["measured_on"],
                                               by=request.user)
        except ExchangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Adoption saved."))
            return redirect("staff_adoption_list")
    return render(request, "staff/admin/adoption_form.html", {
        "page_title": _("Edit adoption") if adoption else _("Record an adoption"), "form": form,
        "results": results, "adoption": adoption,
    })


# --- City dashboard ----------------------------------------------------------------------------------


def _dashboard_allowed(request: HttpRequest) -> None:
    user = request.user
    if not user.is_superuser and not RoleAssignment.objects.filter(user=user, role__in=ORGANIZER_ROLES).exists():
        raise Http404


def chart(points, *, width: int = 720, height: int = 220) -> dict:
    """Geometry of a server-drawn SVG chart: a bar per month (adoptions that month) and a line for the
    running total, both on the scale of the running total so that the line stays inside."""
    top = max((point.cumulative for point in points), default=0) or 1
    left, bottom, plot_h = 36, 24, height - 40
    step = (width - left - 8) / max(len(points), 1)
    bars, line = [], []
    for index, point in enumerate(points):
        x = left + index * step
        bar_h = point.adopted * plot_h / top
        bars.append({"x": round(x + step * 0.15, 1), "y": round(height - bottom - bar_h, 1),
                     "w": round(step * 0.7, 1), "h": round(bar_h, 1), "point": point,
                     "label": point.month.strftime("%m/%y"), "label_x": round(x + step / 2, 1),
                     "show_label": index % 3 == 0})
        line.append(f"{x + step / 2:.1f},{height - bottom - point.cumulative * plot_h / top:.1f}")
    return {"width": width, "height": height, "bars": bars, "line": " ".join(line), "top": top,
            "base_y": height - bottom, "top_y": height - bottom - plot_h, "left": left}


def replication_dashboard_view(request: HttpRequest) -> HttpResponse:
    _dashboard_allowed(request)
    data = replication_dashboard()
    return render(request, "staff/admin/replication_dashboard.html", {
        "page_title": _("Replication of best practices"), **data, "chart": chart(data["months"]),
    })


def replication_practice(request: HttpRequest, pk: int) -> HttpResponse:
    """One practice: its adoption over time and the wards and communes it has not reached yet."""
    _dashboard_allowed(request)
    practice = get_in_scope_or_404(BestPracticePage.objects.live(), pk=pk)
    months = adoptions_by_month(practice=practice)
    return render(request, "staff/admin/replication_practice.html", {
        "page_title": practice.title, "practice": practice, "months": months, "chart": chart(months),
        "not_reached": units_not_reached(practice),
        "adoptions": practice.adoptions.select_related("unit", "via_exchange").order_by("status", "unit__path"),
    })


# --- Feedback (organizer, trainer) -------------------------------------------------------------------


def session_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Aggregates for one class, its course and its trainers, and the class's comments without names."""
    organized = sessions_organized_by(request.user)
    session = get_in_scope_or_404(organized.select_related("course"), pk=pk)
    in_scope = Feedback.objects.filter(enrollment__session__in=organized)
    own = in_scope.filter(enrollment__session=session)
    course = in_scope.filter(enrollment__session__course_id=session.course_id)
    trainers = list(session.trainers.all())
    trainer_ids = {trainer.pk for trainer in trainers}
    return render(request, "staff/admin/feedback_session.html", {
        "page_title": _("Feedback: %(session)s") % {"session": session}, "session": session,
        "summary": feedback_summary(own), "course_summary": feedback_summary(course),
        "sessions": feedback_by_session(course),
        "trainers": [row for row in feedback_by_trainer(in_scope) if row.key in trainer_ids],
        "comments": feedback_comments(own),
    })


def trainer_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """What a trainer may be shown: aggregates across their sessions, comments only from three responses."""
    sessions = sessions_organized_by(request.user).filter(trainers=pk)
    trainer = get_in_scope_or_404(Trainer.objects.filter(sessions__in=sessions).distinct(), pk=pk)
    feedback = Feedback.objects.filter(enrollment__session__in=sessions)
    summary = feedback_summary(feedback)
    return render(request, "staff/admin/feedback_trainer.html", {
        "page_title": _("Feedback for trainer %(name)s") % {"name": trainer.name}, "trainer": trainer,
        "summary": summary, "courses": feedback_by_course(feedback),
        "comments": feedback_comments(feedback, minimum=MIN_RESPONSES_FOR_COMMENTS),
        "minimum": MIN_RESPONSES_FOR_COMMENTS,
    })


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("adoptions/", adoption_list, name="staff_adoption_list"),
        path("adoptions/new/", adoption_edit, name="staff_adoption_new"),
        path("adoptions/<int:pk>/", adoption_edit, name="staff_adoption_edit"),
        path("replication/", replication_dashboard_view, name="staff_replication"),
        path("replication/<int:pk>/", replication_practice, name="staff_replication_practice"),
        path("classes/<int:pk>/feedback/", session_feedback, name="staff_class_feedback"),
        path("trainers/<int:pk>/feedback/", trainer_feedback, name="staff_trainer_feedback"),
    ]


@hooks.register("register_admin_menu_item")
def adoptions_menu_item():
    return RoleMenuItem(gettext_lazy("Adoptions"), reverse("staff_adoption_list"), icon_name="doc-full",
                        order=220, roles=HR_ROLES)


@hooks.register("register_admin_menu_item")
def replication_menu_item():
    return RoleMenuItem(gettext_lazy("Replication"), reverse("staff_replication"), icon_name="view", order=221,
                        roles=ORGANIZER_ROLES)

