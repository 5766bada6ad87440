"""Admin for the yearly reform report: its filter form (shared by the records export) and its download."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.http import Http404, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from staff.access import AuthenticatedHttpRequest, hr_units, is_city_hr, require_reporter
from staff.admin.base import download_response
from staff.exports.base import EXPORT_LANGUAGE, content_type
from staff.exports.reporting import report_filename, write_reform_xlsx
from staff.models import AuditAction, Unit
from staff.pdf.reporting import reform_report_context, reform_report_pdf
from staff.selectors.reporting import build_reform_report
from staff.services.audit import audit_record, audit_summary
from training_site.ops.routers import replica_reads

FIRST_YEAR = 2015
MODE_AS_IT_WAS, MODE_MAPPED = "as_it_was", "mapped"


class ReportFilterForm(forms.Form):
    """Year, unit (within the scope; empty = whole city, for the city's HR only), as-it-was or mapped, format."""

    formats: tuple[tuple[str, str | Promise], ...] = (
        ("xlsx", "XLSX"), ("pdf", "PDF"), ("html", gettext_lazy("Show on screen")))

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR)
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code",
                                  required=False, empty_label=gettext_lazy("Whole city"))
    mode = forms.ChoiceField(label=gettext_lazy("Units counted as"), initial=MODE_AS_IT_WAS, choices=(
        (MODE_AS_IT_WAS, gettext_lazy("As it was (unit at enrollment)")),
        (MODE_MAPPED, gettext_lazy("Mapped onto today's units"))))
    format = forms.ChoiceField(label=gettext_lazy("Format"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.city_wide = is_city_hr(user)
        units = hr_units(user).order_by("path")
        unit, format_field = self.fields["unit"], self.fields["format"]
        # The fields declared above (``fields`` holds Field).
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(format_field, forms.ChoiceField)
        unit.queryset = units
        unit.required = not self.city_wide
        self.fields["year"].initial = timezone.localdate().year
        format_field.choices = self.formats
        # A unit outside the scope is not a form error but a 404: its existence is not disclosed.
        code = self.data.get("unit") if self.is_bound else None
        if code and not units.filter(code=code).exists():
            raise Http404

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(gettext_lazy("The year has not begun yet."))
        return year

    @property
    def mapped(self) -> bool:
        return self.cleaned_data["mode"] == MODE_MAPPED

    def filters(self) -> dict:
        unit = self.cleaned_data["unit"]
        return {"year": self.cleaned_data["year"], "unit": unit.code if unit else None, "mapped": self.mapped,
                "format": self.cleaned_data["format"]}


def reform_report(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require_reporter(request.user)
    form = ReportFilterForm(request.GET if "year" in request.GET else None, user=request.user)
    if not form.is_bound or not form.is_valid():
        return render(request, "staff/admin/reporting/report_form.html", {
            "form": form, "page_title": _("Yearly training report"), "header_icon": "table"})
    filters = form.filters()
    if filters["format"] == "html":
        # The same figures as the PDF, in the reader's own language; aggregates only, so no audit entry
        # (the audit log records what leaves the platform).
        with replica_reads() as alias:
            report = build_reform_report(year=filters["year"], unit=form.cleaned_data["unit"], mapped=form.mapped,
                                         using=alias)
        return render(request, "staff/admin/reporting/report_screen.html", {
            **reform_report_context(report), "form": form, "page_title": _("Yearly training report"),
            "header_icon": "table"})
    # The report's reads go to the replica when there is one (training_site/ops/routers.py); the audit entry
    # below is written on the primary.
    with translation.override(EXPORT_LANGUAGE), replica_reads() as alias:
        report = build_reform_report(year=filters["year"], unit=form.cleaned_data["unit"], mapped=form.mapped,
                                     using=alias)
        if filters["format"] == "pdf":
            data, mime = reform_report_pdf(report), "application/pdf"
        else:
            buffer = io.BytesIO()
            write_reform_xlsx(report, buffer)
            data, mime = buffer.getvalue(), content_type("xlsx")
    audit_record(user=request.user, action=AuditAction.EXPORT,
                 summary=audit_summary(gettext_noop("Administrative-reform report %(year)s exported"),
                                       year=filters["year"]),
                 kind="reform_report", filters=filters, rows=len(report.lines),
                 participants=report.total.participants)
    return download_response(data, report_filename(report, filters["format"]), mime)
