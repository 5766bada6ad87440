"""Admin for the audit log (city HR, read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from staff.admin.base import CityHRViewSet, ReadOnlyViewSetMixin
from staff.models import (
    AuditEntry,
)


class AuditEntryViewSet(ReadOnlyViewSetMixin, CityHRViewSet):
    """Written by the system only: nobody adds, edits or deletes a line."""

    model = AuditEntry
    name = "audit-log"
    icon = "history"
    menu_label = _("Audit log")
    list_display = ["at", "user", "action", "summary", "object_type", "object_id"]
    list_select_related = ("user",)
    list_filter = ["action", "at"]
    search_fields = ["summary", "object_id"]
    search_backend_name = None
    list_export = ["at", "user.username", "get_action_display", "summary", "object_type", "object_id", "detail"]
    export_headings = {"user.username": _("User"), "get_action_display": _("Action")}
    export_filename = "nhat-ky-truy-cap"
    copy_view_enabled = False
    inspect_view_enabled = True
