"""Wagtail admin for people and the organisation: units, their lineage, officials, reference data."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from training_site.admin_lists import ExportIndexView, SnippetExportIndexView

from . import (  # noqa: F401  (their hooks register on import)
    admin_certificates,
    admin_exchange,
    admin_exports,
    admin_hr,
    admin_imports,
    admin_sessions,
    hooks_exchange,
)
from .admin_views import CityHRViewSet, ScopedModelViewSet
from .filters import OfficialFilterSet, UnitFilterSet, search_officials
from .forms import OfficialAdminForm
from .models import AuditAction, Official, Rank, Unit, UnitSuccession
from .scoping import officials_in_scope, units_in_scope
from .selectors import officials_with_compliance
from .services.audit import audit_record


class UnitViewSet(ScopedModelViewSet):
    model = Unit
    name = "units"
    icon = "site"
    menu_label = _("Units")
    filterset_class = UnitFilterSet
    search_fields = ["name", "code"]
    search_backend_name = None
    list_display = ["name", "code", "kind", "parent", "valid_from", "valid_to"]
    form_fields = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_export = ["code", "name", "get_kind_display", "parent_code", "valid_from", "valid_to"]
    export_headings = {"get_kind_display": _("Kind"), "parent_code": _("Parent unit code")}
    export_filename = "don-vi"
    ordering = "path"

    def scope(self, user):
        return units_in_scope(user).select_related("parent")


class UnitSuccessionViewSet(CityHRViewSet):
    """The lineage of units is the city's record: its HR alone edits it."""

    model = UnitSuccession
    name = "unit-successions"
    icon = "arrow-right"
    menu_label = _("Unit successions")
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis", "share"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["predecessor__name", "successor__name", "legal_basis"]
    search_backend_name = None
    form_fields = ["predecessor", "successor", "kind", "effective_date", "legal_basis", "share"]
    list_export = ["predecessor.code", "predecessor.name", "successor.code", "successor.name", "get_kind_display",
                   "effective_date", "legal_basis", "share"]
    export_headings = {"predecessor.code": _("Former unit code"), "successor.code": _("Successor unit code"),
                       "get_kind_display": _("Kind")}
    export_filename = "ke-thua-don-vi"


class OfficialIndexView(ExportIndexView):
    def search_queryset(self, queryset):
        # Folded search (courses/text.py): "nguyen thi" finds "Nguyễn Thị".
        return search_officials(queryset, self.search_query) if self.is_searching else queryset


class OfficialViewSet(ScopedModelViewSet):
    model = Official
    name = "officials"
    inspect_view_enabled = True
    icon = "user"
    menu_label = _("Officials")
    filterset_class = OfficialFilterSet
    search_fields = ["search_name", "employee_code"]
    search_backend_name = None
    list_display = ["full_name", "employee_code", "unit", "category", "rank", "status",
                    Column("periods_done", label=_("Periods this year"), accessor="periods_done",
                           sort_key="periods_done"),
                    Column("periods_required", label=_("Required"), accessor="periods_required")]
    list_export = ["employee_code", "full_name", "date_of_birth", "get_gender_display", "ethnicity",
                   "get_category_display", "rank_code", "rank_name", "job_position", "leadership_position",
                   "unit_code", "unit_name", "get_status_display", "email", "phone"]
    export_headings = {
        "get_gender_display": _("Gender"),
        "get_category_display": _("Category"),
        "rank_code": _("Rank code"),
        "rank_name": _("Rank"),
        "unit_code": _("Unit code"),
        "unit_name": _("Unit"),
        "get_status_display": _("Status"),
    }
    export_filename = "can-bo"
    ordering = ("search_name", "employee_code")
    base_index_view_class = OfficialIndexView

    def scope(self, user):
        # This year's periods and requirement ride along as subqueries: no query per row.
        return officials_with_compliance(officials_in_scope(user).select_related("unit", "rank"),
                                         year=timezone.localdate().year)

    def object_opened(self, request, obj) -> None:
        # Law 91/2025 on personal data: who looked at an official's record is logged (GET only, not saves).
        if request.method == "GET":
            audit_record(user=request.user, action=AuditAction.RECORD_VIEW, obj=obj,
                         summary=f"{obj.full_name} ({obj.employee_code})")

    def get_form_class(self, for_update=False):
        return OfficialAdminForm


class PeopleGroup(ViewSetGroup):
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 200
    items = (OfficialViewSet, UnitViewSet, UnitSuccessionViewSet)


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleGroup()


class RankViewSet(SnippetViewSet):
    model = Rank
    index_view_class = SnippetExportIndexView
    icon = "tag"
    list_display = ["code", "name", "tier", "category"]
    search_fields = ["code", "name"]
    search_backend_name = None


register_snippet(RankViewSet)
