"""Wagtail admin for the catalog: sessions (classes) and the editable reference data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from training_site.admin_lists import ExportIndexView, SnippetExportIndexView

from .models import ContentGroup, CourseSession, FieldOfWork, LegalDocument, Skill, Trainer


class CourseSessionEditView(EditView):
    """Saving new dates, hours, place or a cancellation sends every participant the updated invitation."""

    def save_instance(self):
        # The form has written its values onto the instance but not saved it yet: compare with what was
        # loaded now, because save() bumps ``sequence`` and forgets the old values.
        changed = self.form.instance.calendar_changed
        instance = super().save_instance()
        # courses never imports staff at module level
        from staff.notifications import session_audience_ids, session_changed
        from staff.services.enrollment import session_cancel_enrollments, session_fill_from_waitlist

        if instance.cancelled:
            # Who held a seat is read before the cancellation ends their enrollments: they get the CANCEL.
            audience = session_audience_ids(instance)
            session_cancel_enrollments(session=instance, by=self.request.user)
            if changed:
                session_changed(instance, enrollment_ids=audience)
        else:
            if changed:
                session_changed(instance)  # queued on commit of form_valid's transaction
                # New dates or hours: the day-before reminder is due again for the new day.
                instance.enrollments.update(reminded_at=None)
            session_fill_from_waitlist(session=instance, by=self.request.user)  # more seats: the line moves up
        return instance


class CourseSessionViewSet(ModelViewSet):
    """The sessions' admin as configured here; staff registers it scoped to each organizer's courses."""

    model = CourseSession
    index_view_class = ExportIndexView
    edit_view_class = CourseSessionEditView
    icon = "date"
    menu_label = _("Sessions")
    list_display = ["__str__", "start_date", "end_date", "mode", "venue", "capacity"]
    list_filter = ["mode", "cancelled", "start_date"]
    search_fields = ["code", "course__title", "venue"]
    search_backend_name = None
    form_fields = ["course", "code", "start_date", "end_date", "weekends", "daily_start", "daily_end",
                   "schedule_note", "mode", "venue", "online_url", "capacity", "enrollment_opens", "enrollment_closes",
                   "cancellation_closes", "self_checkin", "trainers", "cancelled"]
    list_export = ["course.title", "code", "start_date", "end_date", "get_mode_display", "venue", "capacity"]
    export_headings = {"course.title": _("Course"), "get_mode_display": _("Mode")}
    export_filename = "lop-hoc"
    ordering = ("-start_date", "pk")


def _snippet(model, fields, icon="snippet"):
    return type(f"{model.__name__}ViewSet", (SnippetViewSet,), {
        "model": model, "index_view_class": SnippetExportIndexView, "icon": icon,
        "list_display": fields, "search_fields": [f for f in fields if f != "tier"],
        "search_backend_name": None,
    })


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = _("Reference data")
    menu_icon = "list-ul"
    menu_order = 300
    items = (
        _snippet(ContentGroup, ["name", "code"], "folder-open-inverse"),
        _snippet(FieldOfWork, ["name", "code"], "tag"),
        _snippet(Skill, ["name"], "pick"),
        _snippet(LegalDocument, ["number", "title"], "doc-full"),
        _snippet(Trainer, ["name", "organisation"], "user"),
    )


register_snippet(ReferenceDataGroup)
