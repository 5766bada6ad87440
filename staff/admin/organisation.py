"""Admin for units, their lineage and roles."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.admin.views import generic

from staff.access import AnyUser, units_in_scope
from staff.admin.base import CityHRViewSet, ScopedModelViewSet, city_only
from staff.filters import UnitFilterSet
from staff.models import (
    AuditAction,
    RoleAssignment,
    Unit,
    UnitSuccession,
)
from staff.services.audit import audit_record, audit_summary


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

    def scope(self, user: AnyUser) -> QuerySet[Unit]:
        return units_in_scope(user).select_related("parent")


class UnitSuccessionViewSet(CityHRViewSet):
    """The lineage of units is the city's record: its HR alone edits it."""

    model = UnitSuccession
    name = "unit-successions"
    icon = "arrow-right"
    menu_label = _("Unit successions")
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis", "share"]
    list_select_related = ("predecessor", "successor")
    list_filter = ["kind", "effective_date"]
    search_fields = ["predecessor__name", "successor__name", "legal_basis"]
    search_backend_name = None
    form_fields = ["predecessor", "successor", "kind", "effective_date", "legal_basis", "share"]
    list_export = ["predecessor.code", "predecessor.name", "successor.code", "successor.name", "get_kind_display",
                   "effective_date", "legal_basis", "share"]
    export_headings = {"predecessor.code": _("Former unit code"), "successor.code": _("Successor unit code"),
                       "get_kind_display": _("Kind")}
    export_filename = "ke-thua-don-vi"


class AuditedRoleCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=instance,
                     summary=audit_summary(gettext_noop("Role given: %(role)s"),
                                           role=instance),
                     role=instance.role, unit=instance.unit.code,
                     account=instance.user.get_username())
        return instance


class AuditedRoleEditView(generic.EditView):
    def save_instance(self):
        before = RoleAssignment.objects.select_related("unit").get(pk=self.object.pk)
        instance = super().save_instance()
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=instance,
                     summary=audit_summary(gettext_noop("Role changed: %(before)s → %(after)s"),
                                           before=before, after=instance),
                     role=instance.role, unit=instance.unit.code,
                     before={"role": before.role, "unit": before.unit.code}, account=instance.user.get_username())
        return instance


class AuditedRoleDeleteView(generic.DeleteView):
    def delete_action(self):
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=self.object,
                     summary=audit_summary(gettext_noop("Role removed: %(role)s"),
                                           role=self.object),
                     role=self.object.role, unit=self.object.unit.code,
                     account=self.object.user.get_username(), removed=True)
        super().delete_action()


class RoleAssignmentViewSet(CityHRViewSet):
    model = RoleAssignment
    name = "roles"
    icon = "key"
    menu_label = _("Roles and scope")
    list_display = ["user", "role", "unit"]
    list_select_related = ("user", "unit")
    list_filter = ["role"]
    form_fields = ["user", "role", "unit"]

    @cached_property
    def add_view_class(self):
        return city_only(AuditedRoleCreateView)

    @cached_property
    def edit_view_class(self):
        return city_only(AuditedRoleEditView)

    @cached_property
    def delete_view_class(self):
        return city_only(AuditedRoleDeleteView)
