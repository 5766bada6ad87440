"""Admin for replication: adoptions by unit HR, the city's dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from courses.models import BestPracticePage, ExchangePage
from staff.access import (
    AuthenticatedHttpRequest,
    adoptions_in_scope,
    get_in_scope_or_404,
    require_hr,
    require_organizer,
)
from staff.models import AdoptionStatus, Unit
from staff.selectors.replication import adoptions_by_month, replication_dashboard, units_not_reached
from staff.services.replication import ReplicationError, adoption_record, exchange_reserve_seats
from training_site.ops.routers import replica_reads


class AdoptionForm(forms.Form):
    practice = forms.ModelChoiceField(label=gettext_lazy("Practice"), queryset=BestPracticePage.objects.none())
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=AdoptionStatus.choices)
    since = forms.DateField(label=gettext_lazy("Since"), widget=forms.DateInput(attrs={"type": "date"}))
    changes = forms.CharField(label=gettext_lazy("What the unit changed"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    via_exchange = forms.ModelChoiceField(label=gettext_lazy("After the exchange"), required=False,
                                          queryset=ExchangePage.objects.none())

    def __init__(self, *args: Any, units: QuerySet[Unit], fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        practice, unit, via_exchange = self.fields["practice"], self.fields["unit"], self.fields["via_exchange"]
        # The fields declared above (``fields`` holds Field).
        assert isinstance(practice, forms.ModelChoiceField) and isinstance(unit, forms.ModelChoiceField) \
            and isinstance(via_exchange, forms.ModelChoiceField)
        practice.queryset = BestPracticePage.objects.live().order_by("title")
        via_exchange.queryset = ExchangePage.objects.live().order_by("-first_published_at")
        # Only the user's own units: a unit outside the scope is "not one of the available choices".
        unit.queryset = units.order_by("path")
        if fixed:  # editing: the practice and unit identify the record
            practice.disabled = unit.disabled = True


class ResultForm(forms.Form):
    indicator = forms.CharField(label=gettext_lazy("Indicator"), max_length=200, required=False)
    before = forms.DecimalField(label=gettext_lazy("Before"), max_digits=12, decimal_places=2, required=False)
    after = forms.DecimalField(label=gettext_lazy("After"), max_digits=12, decimal_places=2, required=False)
    measured_on = forms.DateField(label=gettext_lazy("Measured on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


ResultFormSet = forms.formset_factory(ResultForm, extra=2, max_num=30)


def adoption_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_hr(request.user)
    adoptions = (adoptions_in_scope(request.user).select_related("practice", "unit", "via_exchange")
                 .order_by("practice__title", "unit__path")[:500])
    return render(request, "staff/admin/replication/adoption_list.html",
                  {"page_title": _("Adoptions of best practices"), "adoptions": adoptions})


def adoption_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Record or update where one of the user's units stands with a practice, and its own results."""
    units = require_hr(request.user)
    adoption = None
    initial: dict = {"since": timezone.localdate(), "status": AdoptionStatus.PLANNED}
    results_initial: list[Mapping[str, object]] = []
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
            adoption_record(practice=data["practice"], unit=data["unit"], status=data["status"],
                            since=data["since"], changes=data["changes"],
                            via_exchange=data["via_exchange"], by=request.user,
                            results=[row for row in results.cleaned_data if row.get("indicator", "").strip()])
        except ReplicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Adoption saved."))
            return redirect("staff_adoption_list")
    return render(request, "staff/admin/replication/adoption_form.html", {
        "page_title": _("Edit adoption") if adoption else _("Record an adoption"), "form": form,
        "results": results, "adoption": adoption,
    })


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


def replication_dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_organizer(request)
    with replica_reads():  # a dashboard's aggregates: the replica's, when there is one
        data = replication_dashboard()
    return render(request, "staff/admin/replication/replication_dashboard.html", {
        "page_title": _("Replication of best practices"), **data, "chart": chart(data["months"]),
    })


def replication_practice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One practice: its adoption over time and the wards and communes it has not reached yet."""
    require_organizer(request)
    practice = get_in_scope_or_404(BestPracticePage.objects.live(), pk=pk)
    months = adoptions_by_month(practice=practice)
    return render(request, "staff/admin/replication/replication_practice.html", {
        "page_title": practice.title, "practice": practice, "months": months, "chart": chart(months),
        "not_reached": units_not_reached(practice),
        "adoptions": practice.adoptions.select_related("unit", "via_exchange").order_by("status", "unit__path"),
    })


@hooks.register("after_publish_page")
def reserve_seats_of_published_exchange(request, page) -> None:
    # The invited units or the seats per unit may have changed with this revision: set them again.
    specific = page.specific
    if isinstance(specific, ExchangePage):
        exchange_reserve_seats(page=specific)
