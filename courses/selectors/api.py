"""Reads for the API v2 listing: each page type's API fields come from the listing's own queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from courses.models import BestPracticePage, ExchangePage, TrainingPage
from courses.selectors.catalog import sessions_with_seats, upcoming_sessions_queryset
from courses.selectors.practices import practices_with_adopting_units


def api_pages(pages: QuerySet) -> QuerySet:
    """``pages`` with what its model's API fields read joined or prefetched (a Page queryset is left as is:
    its items are of many types and the listing shows only their common fields)."""
    model = pages.model
    if issubclass(model, TrainingPage):
        upcoming = sessions_with_seats(upcoming_sessions_queryset()).order_by("start_date", "pk")
        pages = pages.select_related("locale", "content_group", "field_of_work", "organizer", "legal_basis") \
            .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming"))
    if issubclass(model, ExchangePage):
        unit_model = model._meta.get_field("invited_units").related_model
        pages = pages.select_related("host_unit").prefetch_related(
            Prefetch("invited_units", queryset=unit_model.objects.order_by("name"), to_attr="invited_unit_list"),
            Prefetch("practices", queryset=BestPracticePage.objects.live().order_by("title"),
                     to_attr="live_practice_list"),
        )
    if issubclass(model, BestPracticePage):
        pages = practices_with_adopting_units(pages).select_related("locale", "originating_unit", "field_of_work") \
            .prefetch_related("indicators", "tags")
    return pages
