"""Wagtail admin for HR: the enrollments list, the yearly training rule, plans, roles and the audit log.

Enrollments change only through services (approve, reject, cancel on the class roster), so their
list is read-only. Roles and the audit log belong to the city's HR alone.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup

from training_site.admin_lists import ExportIndexView

from .admin_views import CityHRViewSet, ScopedModelViewSet, _city_only
from .filters import EnrollmentFilterSet, search_officials
from .models import (
    AuditAction,
    AuditEntry,
    Enrollment,
    Official,
    RoleAssignment,
    TrainingPlan,
    TrainingRequirement,
)
from .scoping import enrollments_in_scope
from .services.audit import audit_record


class EnrollmentIndexView(ExportIndexView):
    def search_queryset(self, queryset):
        # The officials' folded search, through the enrollment: "nguyen thi" finds "Nguyễn Thị".
        if not self.is_searching:
            return queryset
        return queryset.filter(official__in=search_officials(Official.objects.all(), self.search_query))


class ReadOnlyViewSetMixin:
    """A list, its results and inspect pages only: no add, edit, copy or delete views or links."""

    copy_view_enabled = False
    inspect_view_enabled = True

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, "edit_url_name": None,
                                                 "delete_url_name": None, "copy_url_name": None, **kwargs})

    def get_urlpatterns(self):
        from django.urls import path

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class EnrollmentViewSet(ReadOnlyViewSetMixin, ScopedModelViewSet):
    """Read-only: seats and statuses change through the services (class roster), never a model form."""

    model = Enrollment
    name = "enrollments"
    icon = "list-ul"
    menu_label = _("Enrollments")
    filterset_class = EnrollmentFilterSet
    base_index_view_class = EnrollmentIndexView
    search_fields = ["official__search_name"]
    search_backend_name = None
    list_display = ["official", "session", "unit", "status", "periods_earned", "created_at"]
    list_export = ["official.employee_code", "official.full_name", "session.course.title", "session.code",
                   "session.start_date", "session.end_date", "unit.code", "unit.name", "get_status_display",
                   "periods_earned", "completed_on"]
    export_headings = {"official.employee_code": _("Employee code"), "official.full_name": _("Full name"),
                       "session.course.title": _("Course"), "session.code": _("Class code"),
                       "session.start_date": _("Start date"), "session.end_date": _("End date"),
                       "unit.code": _("Unit code"), "unit.name": _("Unit at enrollment"),
                       "get_status_display": _("Status")}
    export_filename = "ghi-danh"
    copy_view_enabled = False
    ordering = ("-created_at", "-pk")
    inspect_view_enabled = True
    inspect_view_fields = ["official", "session", "unit", "status", "priority", "reservation", "nominated_by",
                           "offer_expires_at", "result", "periods_earned", "completed_on", "created_at"]

    def scope(self, user):
        return enrollments_in_scope(user).select_related("official", "session__course", "unit")



class TrainingRequirementViewSet(CityHRViewSet):
    model = TrainingRequirement
    name = "training-requirements"
    icon = "time"
    menu_label = _("Yearly requirement")
    list_display = ["year", "category", "required_periods", "legal_basis"]
    list_filter = ["year", "category"]
    form_fields = ["year", "category", "required_periods", "counted_programme_types", "legal_basis"]
    ordering = ("-year", "category")

    def get_form_class(self, for_update=False):
        from .forms import TrainingRequirementForm

        return TrainingRequirementForm


class TrainingPlanViewSet(CityHRViewSet):
    model = TrainingPlan
    name = "training-plans"
    icon = "calendar-alt"
    menu_label = _("Training plans")
    list_display = ["year", "unit", "content_group", "programme_type", "classes", "participants"]
    list_filter = ["year", "programme_type"]
    form_fields = ["year", "unit", "content_group", "programme_type", "classes", "participants"]
    list_export = ["year", "unit.code", "unit.name", "content_group.name", "get_programme_type_display", "classes",
                   "participants"]
    export_filename = "ke-hoach-boi-duong"


class AuditedRoleCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=instance,
                     summary=f"+ {instance}", role=instance.role, unit=instance.unit.code,
                     account=instance.user.get_username())
        return instance


class AuditedRoleEditView(generic.EditView):
    def save_instance(self):
        before = RoleAssignment.objects.select_related("unit").get(pk=self.object.pk)
        instance = super().save_instance()
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=instance,
                     summary=f"{before} → {instance}", role=instance.role, unit=instance.unit.code,
                     before={"role": before.role, "unit": before.unit.code}, account=instance.user.get_username())
        return instance


class AuditedRoleDeleteView(generic.DeleteView):
    def delete_action(self):
        audit_record(user=self.request.user, action=AuditAction.ROLE_CHANGE, obj=self.object,
                     summary=f"− {self.object}", role=self.object.role, unit=self.object.unit.code,
                     account=self.object.user.get_username(), removed=True)
        super().delete_action()


class RoleAssignmentViewSet(CityHRViewSet):
    model = RoleAssignment
    name = "roles"
    icon = "key"
    menu_label = _("Roles and scope")
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    form_fields = ["user", "role", "unit"]

    @cached_property
    def add_view_class(self):
        return _city_only(AuditedRoleCreateView)

    @cached_property
    def edit_view_class(self):
        return _city_only(AuditedRoleEditView)

    @cached_property
    def delete_view_class(self):
        return _city_only(AuditedRoleDeleteView)


class AuditEntryViewSet(ReadOnlyViewSetMixin, CityHRViewSet):
    """Written by the system only: nobody adds, edits or deletes a line."""

    model = AuditEntry
    name = "audit-log"
    icon = "history"
    menu_label = _("Audit log")
    list_display = ["at", "user", "action", "summary", "object_type", "object_id"]
    list_filter = ["action", "at"]
    search_fields = ["summary", "object_id"]
    search_backend_name = None
    list_export = ["at", "user.username", "get_action_display", "summary", "object_type", "object_id", "detail"]
    export_headings = {"user.username": _("User"), "get_action_display": _("Action")}
    export_filename = "nhat-ky-truy-cap"
    copy_view_enabled = False
    inspect_view_enabled = True



class TrainingRulesGroup(ViewSetGroup):
    menu_label = _("Training rules")
    menu_icon = "cogs"
    menu_order = 260
    items = (TrainingRequirementViewSet, TrainingPlanViewSet, RoleAssignmentViewSet, AuditEntryViewSet)


@hooks.register("register_admin_viewset")
def register_enrollments():
    return EnrollmentViewSet()


@hooks.register("register_admin_viewset")
def register_training_rules():
    return TrainingRulesGroup()

