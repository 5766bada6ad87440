"""Wagtail admin viewsets that go through the one scoping function (staff/scoping.py).

A ``ScopedModelViewSet`` narrows its list to ``scope(user)`` and answers 404 from every object
view (edit, inspect, delete, history, usage, copy) for an id outside it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet

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

    def scope(self, user) -> QuerySet:
        raise NotImplementedError

    def object_opened(self, request, obj) -> None:
        """Called once an object view has passed the scope check (the officials' viewset audits it)."""

    @cached_property
    def index_view_class(self) -> type:
        viewset = self

        class ScopedIndexView(self.base_index_view_class):
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


class CityHROnlyMixin:
    """Views of the city's HR alone: anyone else gets 404, as for an object out of scope."""

    def dispatch(self, request, *args, **kwargs):
        from .scoping import is_city_hr

        if not is_city_hr(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _city_only(view_class: type) -> type:
    return type(f"CityHR{view_class.__name__}", (CityHROnlyMixin, view_class), {})


class CityHRViewSet(ModelViewSet):
    """A plain viewset whose every view is for the city's HR only (city-wide settings and records)."""

    @cached_property
    def index_view_class(self):
        return _city_only(ExportIndexView)

    @cached_property
    def add_view_class(self):
        return _city_only(generic.CreateView)

    @cached_property
    def edit_view_class(self):
        return _city_only(generic.EditView)

    @cached_property
    def delete_view_class(self):
        return _city_only(generic.DeleteView)

    @cached_property
    def inspect_view_class(self):
        return _city_only(generic.InspectView)

    @cached_property
    def history_view_class(self):
        return _city_only(history.HistoryView)

    @cached_property
    def usage_view_class(self):
        return _city_only(usage.UsageView)

    @cached_property
    def copy_view_class(self):
        return _city_only(generic.CopyView)
