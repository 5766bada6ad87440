"""Wagtail admin for the catalog's reference data. Sessions (classes) are administered by staff, whose
admin scopes them to each organizer's courses and runs what a change of dates means for enrollments.
And the mark on a served page that lets the public pages' cache keep it (courses/cache.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.cache import PAGE_MARK
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


@hooks.register("on_serve_page")
def mark_public_page(serve):
    """Marks a page served whole by Wagtail, the only responses courses/cache.py may keep for anonymous
    visitors. A view restriction's password form or login redirect is never stored (not a 200, or marked
    never-cache by Wagtail); a page type can opt out with ``public_cache = False``."""

    def inner(page, request, args, kwargs):
        response = serve(page, request, args, kwargs)
        if getattr(page, "public_cache", True):
            setattr(request, PAGE_MARK, True)
        return response

    return inner
