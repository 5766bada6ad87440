"""Admin for officials (scoped, audited when opened) and ranks."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from staff.access import HR_ROLES, AnyUser, holds_role, is_city_hr, officials_in_scope, units_in_scope
from staff.admin.base import ScopedModelViewSet
from staff.filters import OfficialFilterSet, search_officials
from staff.models import AuditAction, Official, Rank, Unit
from staff.personal_id import check_against, normalise_personal_id
from staff.selectors.compliance import officials_with_compliance
from staff.sensitive import HR_ONLY_FIELDS, hr_only_fields_hidden_from, may_see_sensitive, without_hr_only
from staff.services.audit import audit_record, audit_summary
from staff.services.people import official_assign_unit
from training_site.admin_lists import CompactListMixin, ExportIndexView, SnippetExportIndexView
from training_site.formats.numbers import number


class OfficialAdminForm(WagtailAdminModelForm):
    """Edits an official; a change of unit goes through official_assign_unit, which keeps the history.

    The personal identification number is shown in full to the city's HR only: a unit's HR officer sees
    its last four digits, and may type a new number (an empty field keeps the one on record)."""

    new_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(valid_to__isnull=True))
    assigned_from = forms.DateField(label=_("In this unit from"), required=False,
                                    help_text=_("dd/mm/yyyy; today if empty"))

    class Meta:
        model = Official
        fields = [
            "employee_code", "full_name", "personal_id", "date_of_birth", "gender", "ethnicity", "category", "rank",
            "job_position", "leadership_position", "status", "email", "phone", "preferred_language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail passes the requesting user; the unit list is narrowed to their scope.
        if self.for_user is not None:
            self.fields["new_unit"].queryset = units_in_scope(self.for_user).filter(valid_to__isnull=True)
        if self.instance.pk and self.instance.unit_id:
            self.fields["new_unit"].initial = self.instance.unit_id
        # Date of birth, gender and ethnicity are HR's (staff/sensitive.py): others do not get the fields.
        if self.for_user is not None and not may_see_sensitive(self.for_user, self.instance if self.instance.pk
                                                                else None):
            for name in HR_ONLY_FIELDS:
                self.fields.pop(name, None)
        self.sees_personal_id = self.for_user is not None and is_city_hr(self.for_user)
        if not self.sees_personal_id and self.instance.personal_id:
            self.initial["personal_id"] = ""
            self.fields["personal_id"].help_text = _("On record: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.masked_personal_id}

    def clean_personal_id(self) -> str | None:
        value = normalise_personal_id(self.cleaned_data.get("personal_id") or "")
        if not value and not self.sees_personal_id:
            return self.instance.personal_id  # masked: empty means "keep"
        return value or None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("personal_id"):
            problem = check_against(cleaned["personal_id"], gender=cleaned.get("gender"),
                                    date_of_birth=cleaned.get("date_of_birth"))
            if problem:
                self.add_error("personal_id", problem)
        return cleaned

    def save(self, commit: bool = True) -> Official:
        official = super().save(commit=commit)
        if commit:
            official_assign_unit(
                official=official,
                unit=self.cleaned_data["new_unit"],
                start=self.cleaned_data.get("assigned_from") or timezone.localdate(),
            )
        return official


class NominateCheckboxColumn(BaseColumn):
    """A checkbox per official, inside the list's plain form to "Nominate to a class" (no JavaScript needed;
    with it, Wagtail's ``w-bulk`` controller ticks the whole page from the header box)."""

    header_template_name = "staff/admin/people/pick_header.html"
    cell_template_name = "staff/admin/people/pick_cell.html"  # the markup below, for a reader of templates

    def render_cell_html(self, instance, parent_context) -> SafeString:
        # Built here, not by the template: a template per row was a good part of the list's time.
        return format_html('<td class="staff-pick"><input type="checkbox" name="official" value="{}" id="pick-{}" '
                           'aria-label="{}" data-w-bulk-target="item" data-action="w-bulk#toggle"></td>',
                           instance.pk, instance.pk, gettext("Choose %(name)s") % {"name": instance.full_name})


class OfficialIndexView(CompactListMixin, ExportIndexView):
    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # The export's HR-only columns (date of birth, gender, ethnicity) go to HR only.
        self.list_export = without_hr_only(self.list_export, request)

    @cached_property
    def header_buttons(self) -> list:
        # Invite the officials of the list as filtered (HR only: organizers see officials but manage none).
        buttons = list(super().header_buttons)
        if self.may_nominate:
            query = self.request.GET.urlencode()
            buttons.append(HeaderButton(_("Send invitations"), url=f"{reverse('staff_invitations_new')}?{query}",
                                        icon_name="mail"))
        return buttons

    @cached_property
    def may_nominate(self) -> bool:
        return holds_role(self.request, HR_ROLES)  # the roles the menu read already: no query

    @cached_property
    def columns(self) -> list:
        # HR ticks officials to nominate them; organizers see officials but manage none.
        columns = super().columns
        if self.may_nominate:
            columns = [NominateCheckboxColumn("pick", label=_("Choose")), *columns]
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nominate_url"] = reverse("staff_nominate_chosen") if self.may_nominate else ""
        return context

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
    # Few columns, so that a name stays on one line at 1280 px (the category is in the filters and the export).
    list_display = ["full_name", "employee_code", "unit", "rank", "status",
                    Column("account", label=_("Sign-in account"), accessor="account_state_label"),
                    Column("periods_done", label=_("Periods this year / required"), sort_key="periods_done",
                           accessor=lambda official: (f"{number(official.periods_done)} / "
                                                      f"{number(official.periods_required)}"))]
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

    def scope(self, user: AnyUser) -> QuerySet[Official]:
        # This year's periods and requirement ride along as subqueries: no query per row.
        return officials_with_compliance(officials_in_scope(user).select_related("unit", "rank", "user"),
                                         year=timezone.localdate().year)

    def object_opened(self, request, obj) -> None:
        # Law 91/2025 on personal data: who looked at an official's record is logged (GET only, not saves).
        if request.method == "GET":
            audit_record(user=request.user, action=AuditAction.RECORD_VIEW, obj=obj,
                         summary=audit_summary(gettext_noop("Record opened: %(name)s (%(code)s)"),
                                               name=obj.full_name, code=obj.employee_code))

    # The personal identification number is never in ordinary exports nor on the inspect page; the
    # edit form masks it for everyone but the city's HR.
    inspect_view_fields_exclude = ["personal_id", "search_name", "phone_key", "user"]

    @cached_property
    def inspect_view_class(self) -> type:
        base = super().inspect_view_class

        class OfficialInspectView(base):  # type: ignore[valid-type,misc]  # a class built by the viewset
            def get_fields(self):
                hidden = hr_only_fields_hidden_from(self.request, getattr(self, "object", None))
                return [name for name in super().get_fields() if name not in hidden]

        return OfficialInspectView

    def get_form_class(self, for_update=False):
        return OfficialAdminForm


class RankViewSet(SnippetViewSet):
    model = Rank
    index_view_class = SnippetExportIndexView
    icon = "tag"
    list_display = ["code", "name", "tier", "category"]
    search_fields = ["code", "name"]
    search_backend_name = None


register_snippet(RankViewSet)
