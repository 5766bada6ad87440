"""What every admin screen of ours is built on: viewsets that go through ``staff.access``, and menu items
shown by role.

A ``ScopedModelViewSet`` narrows its list to ``scope(user)`` and answers 404 from every object view (edit,
inspect, delete, history, usage, copy) for an id outside it. A ``CityHRViewSet`` is for the city's HR
alone. Their lists export through ``training_site.admin_lists`` (the project's spreadsheet rules).
"""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, path
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet

from staff.access import AnyUser, AuthenticatedHttpRequest, holds_role, require_city_hr
from training_site.admin_lists import ExportIndexView


def _object_guard(view_class: type, viewset: ScopedModelViewSet) -> type:
    class ScopedObjectView(view_class):
        def get_object(self, *args, **kwargs):
            obj = super().get_object(*args, **kwargs)
            if not viewset.scope(self.request.user).filter(pk=obj.pk).exists():
                raise Http404
            viewset.object_opened(self.request, obj)
            return obj

    ScopedObjectView.__name__ = f"Scoped{view_class.__name__}"
    return ScopedObjectView


class ScopedModelViewSet(ModelViewSet):
    base_index_view_class: type = ExportIndexView
    base_edit_view_class: type = generic.EditView

    def scope(self, user: AnyUser) -> QuerySet[Model]:
        raise NotImplementedError

    def object_opened(self, request: AuthenticatedHttpRequest, obj: Model) -> None:
        """Called once an object view has passed the scope check (the officials' viewset audits it)."""

    @cached_property
    def index_view_class(self) -> type:
        viewset = self
        base: type = self.base_index_view_class  # a class statement takes a name as its base, not an attribute

        class ScopedIndexView(base):
            def get_base_queryset(self):
                return viewset.scope(self.request.user)

        return ScopedIndexView

    @cached_property
    def edit_view_class(self) -> type:
        return _object_guard(self.base_edit_view_class, self)

    @cached_property
    def inspect_view_class(self) -> type:
        return _object_guard(generic.InspectView, self)

    @cached_property
    def delete_view_class(self) -> type:
        return _object_guard(generic.DeleteView, self)

    @cached_property
    def history_view_class(self) -> type:
        return _object_guard(history.HistoryView, self)

    @cached_property
    def usage_view_class(self) -> type:
        return _object_guard(usage.UsageView, self)

    @cached_property
    def copy_view_class(self) -> type:
        return _object_guard(generic.CopyView, self)


class CityHROnlyMixin(View):
    """Views of the city's HR alone: anyone else gets 404, as for an object out of scope.

    Put before a view class (``city_only``); based on ``View``, which that class derives from too, so the
    method order is the same and ``super().dispatch`` is the view's own.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        require_city_hr(request.user)
        return super().dispatch(request, *args, **kwargs)


def city_only(view_class: type) -> type:
    return type(f"CityHR{view_class.__name__}", (CityHROnlyMixin, view_class), {})


def listing_related(view_class: type, related: tuple[str, ...]) -> type:
    """``view_class`` whose list (and export) joins ``related`` in its one query, instead of a query per row."""
    if not related:
        return view_class

    class RelatedIndexView(view_class):
        def get_base_queryset(self) -> QuerySet:
            return super().get_base_queryset().select_related(*related)

    RelatedIndexView.__name__ = view_class.__name__
    return RelatedIndexView


class CityHRViewSet(ModelViewSet):
    """A plain viewset whose every view is for the city's HR only (city-wide settings and records).

    ``list_select_related`` names the relations its list shows, joined in the list's query."""

    list_select_related: tuple[str, ...] = ()

    @cached_property
    def index_view_class(self):
        return city_only(listing_related(ExportIndexView, self.list_select_related))

    @cached_property
    def add_view_class(self):
        return city_only(generic.CreateView)

    @cached_property
    def edit_view_class(self):
        return city_only(generic.EditView)

    @cached_property
    def delete_view_class(self):
        return city_only(generic.DeleteView)

    @cached_property
    def inspect_view_class(self):
        return city_only(generic.InspectView)

    @cached_property
    def history_view_class(self):
        return city_only(history.HistoryView)

    @cached_property
    def usage_view_class(self):
        return city_only(usage.UsageView)

    @cached_property
    def copy_view_class(self):
        return city_only(generic.CopyView)


class ReadOnlyViewSetMixin(ModelViewSet):
    """A list, its results and inspect pages only: no add, edit, copy or delete views or links.

    Put before a ``ModelViewSet`` subclass; based on ``ModelViewSet`` itself, so the method order is the
    same and ``super()`` reaches the viewset's own methods.
    """

    copy_view_enabled = False
    inspect_view_enabled = True

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(**{"add_url_name": None, "edit_url_name": None,
                                                 "delete_url_name": None, "copy_url_name": None, **kwargs})

    def get_urlpatterns(self) -> list[URLPattern]:

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class RoleMenuItem(MenuItem):
    """Shown only to users holding one of ``roles`` (or superusers)."""

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request: HttpRequest) -> bool:
        return holds_role(request, self.roles)  # the roles are read once per request, not once per item


def download_response(data: bytes | io.IOBase, filename: str, mime: str) -> FileResponse:
    """A file the browser saves (exports, reports, PDFs), from bytes or an open file."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=mime)
