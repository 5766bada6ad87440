"""Reads for best practices: the index's rows and a practice page's relations, each in a fixed number of
queries however many practices, exchanges or adopting units there are."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from courses.models import AdoptionStatus, BestPracticePage, ExchangePage, FieldOfWork, PracticeTag


def practices_with_adopting_units(pages: QuerySet[BestPracticePage]) -> QuerySet[BestPracticePage]:
    """Annotate ``adopted_units``: how many units have adopted each practice, in the same query."""
    return pages.annotate(
        adopted_units=Count("adoptions", filter=Q(adoptions__status=AdoptionStatus.ADOPTED), distinct=True)
    )


def practice_list(pages: QuerySet[BestPracticePage]) -> QuerySet[BestPracticePage]:
    """The index's cards. Queries once evaluated: the practices with unit and field joined (and the
    adoption count if annotated), then their tags in one prefetch (tagged items joined to tags)."""
    return pages.select_related("originating_unit", "field_of_work").prefetch_related(
        Prefetch("tagged_items", queryset=PracticeTag.objects.select_related("tag").order_by("tag__name"),
                 to_attr="tag_list")
    )


def practice_detail(page: BestPracticePage) -> dict:
    """What a practice page shows besides its own fields, in five queries: unit, field, indicators,
    tags, live exchanges (with their host), and adoptions (with their unit)."""
    unit = page.originating_unit if page.originating_unit_id else None
    field = FieldOfWork.objects.filter(pk=page.field_of_work_id).first() if page.field_of_work_id else None
    return {
        "originating_unit": unit,
        "field_of_work": field,
        "indicators": list(page.indicators.all()),
        "tags": [item.tag for item in PracticeTag.objects.filter(content_object=page).select_related("tag")
                 .order_by("tag__name")],
        "exchanges": list(ExchangePage.objects.live().filter(practices=page).select_related("host_unit")
                          .order_by("-first_published_at", "pk")),
        "adoptions": list(page.adoptions.all().select_related("unit", "via_exchange")
                          .order_by("status", "unit__name")),
    }
