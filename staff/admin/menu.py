"""Every menu entry of ours, in one place: the viewsets (with their groups) and the role-gated pages,
ordered as they appear in the admin's sidebar. Who sees an entry is decided by ``staff.access``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from staff.access import HR_ROLES, ORGANIZER_ROLES
from staff.admin.audit import AuditEntryViewSet
from staff.admin.base import RoleMenuItem
from staff.admin.certificates import CertificateViewSet
from staff.admin.compliance import TrainingPlanViewSet, TrainingRequirementViewSet
from staff.admin.enrollment import EnrollmentViewSet
from staff.admin.organisation import RoleAssignmentViewSet, UnitSuccessionViewSet, UnitViewSet
from staff.admin.people import OfficialViewSet
from staff.admin.sessions import SessionViewSet
from staff.models import Role


class PeopleGroup(ViewSetGroup):
    menu_label = gettext_lazy("People")
    menu_icon = "group"
    menu_order = 200
    items = (OfficialViewSet, UnitViewSet, UnitSuccessionViewSet)


class TrainingRulesGroup(ViewSetGroup):
    menu_label = gettext_lazy("Training rules")
    menu_icon = "cogs"
    menu_order = 260
    items = (TrainingRequirementViewSet, TrainingPlanViewSet, RoleAssignmentViewSet, AuditEntryViewSet)


@hooks.register("register_admin_viewset")
def register_people() -> PeopleGroup:
    return PeopleGroup()


@hooks.register("register_admin_viewset")
def register_sessions() -> SessionViewSet:
    return SessionViewSet("sessions")


@hooks.register("register_admin_viewset")
def register_enrollments() -> EnrollmentViewSet:
    return EnrollmentViewSet()


@hooks.register("register_admin_viewset")
def register_certificates() -> CertificateViewSet:
    return CertificateViewSet()


@hooks.register("register_admin_viewset")
def register_training_rules() -> TrainingRulesGroup:
    return TrainingRulesGroup()


# Pages that are not viewsets: (label, URL name, icon, order, roles that see it).
ROLE_PAGES = (
    (gettext_lazy("Classes"), "staff_class_list", "date", 210, ORGANIZER_ROLES),
    (gettext_lazy("Approvals"), "staff_approvals", "tick-inverse", 211, (*HR_ROLES, *ORGANIZER_ROLES)),
    (gettext_lazy("Nominate officials"), "staff_nominate_sessions", "group", 212, HR_ROLES),
    (gettext_lazy("Import officials"), "staff_officials_import", "upload", 213, HR_ROLES),
    (gettext_lazy("Invitations"), "staff_invitation_batches", "mail", 214, HR_ROLES),
    (gettext_lazy("Locked sign-ins"), "staff_lockouts", "lock", 215, HR_ROLES),
    (gettext_lazy("Second factors"), "staff_two_factor_list", "key", 216, (Role.CITY_HR,)),
    (gettext_lazy("Adoptions"), "staff_adoption_list", "doc-full", 220, HR_ROLES),
    (gettext_lazy("Yearly training report"), "staff_reform_report", "table", 220, HR_ROLES),
    (gettext_lazy("Replication"), "staff_replication", "view", 221, ORGANIZER_ROLES),
    (gettext_lazy("Export training records"), "staff_export_training_records", "download", 221, HR_ROLES),
    (gettext_lazy("My exports"), "staff_export_jobs", "download", 222, HR_ROLES),
)


def _register(label, url_name: str, icon: str, order: int, roles: tuple[str, ...]) -> None:
    @hooks.register("register_admin_menu_item")
    def menu_item() -> RoleMenuItem:
        return RoleMenuItem(label, reverse(url_name), icon_name=icon, order=order, roles=roles)


for _page in ROLE_PAGES:
    _register(*_page)
