"""Wagtail admin for the catalog's reference data. Sessions (classes) are administered by staff, whose
admin scopes them to each organizer's courses and runs what a change of dates means for enrollments."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.models import ContentGroup, FieldOfWork, LegalDocument, Skill, Trainer
from training_site.admin_lists import SnippetExportIndexView


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
