"""Admin for the audit log (city HR, read-only)."""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from staff.admin.base import CityHRViewSet, ReadOnlyViewSetMixin, city_only, listing_related
from staff.models import (
    AuditEntry,
)
from training_site.admin_lists import CompactListMixin, ExportIndexView


class AuditIndexView(CompactListMixin, ExportIndexView):
    """Compact rows, and a count that stops at 10,000: the log grows by every record opened, every export."""


class AuditEntryViewSet(ReadOnlyViewSetMixin, CityHRViewSet):
    """Written by the system only: nobody adds, edits or deletes a line."""

    model = AuditEntry
    name = "audit-log"
    icon = "history"
    menu_label = _("Audit log")
    list_display = ["at", "user", "action", "summary", "object_type", "object_id"]
    list_select_related = ("user",)
    # A dozen actions and a date range: no filter lists users or objects (thousands of <option>s).
    list_filter = ["action", "at"]
    # Newest first, ties by id: the order of the index ``audit_list_order``, so a page is read from it.
    ordering = ("-at", "-pk")
    search_fields = ["summary", "object_id"]
    search_backend_name = None
    list_export = ["at", "user.username", "get_action_display", "summary", "object_type", "object_id", "detail"]
    export_headings = {"user.username": _("User"), "get_action_display": _("Action")}
    export_filename = "nhat-ky-truy-cap"
    copy_view_enabled = False
    inspect_view_enabled = True

    @cached_property
    def index_view_class(self):
        return city_only(listing_related(AuditIndexView, self.list_select_related))
