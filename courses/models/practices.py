"""Best practices (mô hình hay, cách làm hiệu quả) and the exchanges where a ward shows one to others.

The index's facets are in courses/filters/practices.py, its list query in courses/selectors/practices.py;
who adopted a practice is recorded by staff (staff.models.Adoption) in the stages defined here.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from rest_framework.fields import Field as APISerializerField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from courses.blocks import PracticeBodyBlock
from courses.paging import query_without_page
from courses.text import fold, stream_text

from .slugs import AsciiSlugMixin


class AdoptionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PILOT = "pilot", _("Piloting")
    ADOPTED = "adopted", _("Adopted")
    DROPPED = "dropped", _("Dropped")


class PrefetchedTagsField(APISerializerField):
    """Tag names as Wagtail's API writes them (sorted), from the tags a listing prefetched
    (courses.selectors.api): Wagtail's own TagsField queries once per page. (Wagtail's serializers module
    cannot be imported while the models load, so this is a plain REST framework field.)"""

    def to_representation(self, value: Any) -> list[str]:
        return sorted(tag.name for tag in value.all())


class PracticeIndexPage(AsciiSlugMixin, Page):
    """The public index of best practices, with facets and the folded search."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.BestPracticePage"]
    max_count = 1
    page_size = 20

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("best-practice index")

    def get_context(self, request, *args, **kwargs):
        # cycle: the filters and selectors import these page models
        from courses.filters.practices import PracticeFilter
        from courses.selectors.practices import practice_list, practices_with_adopting_units

        context = super().get_context(request, *args, **kwargs)
        base = practices_with_adopting_units(BestPracticePage.objects.live().descendant_of(self))
        filterset = PracticeFilter(request.GET or None, queryset=base)
        pages = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        paginator = Paginator(practice_list(pages).order_by("title", "pk"), self.page_size)
        context.update(filterset=filterset, page_obj=paginator.get_page(request.GET.get("page")),
                       query_string=query_without_page(request))
        return context


class PracticeTag(TaggedItemBase):
    content_object = ParentalKey("courses.BestPracticePage", on_delete=models.CASCADE, related_name="tagged_items")


class BestPracticePage(AsciiSlugMixin, Page):
    """A way of working one unit found and others may replicate: the problem, how it works, its results."""

    summary = models.TextField(_("summary"), max_length=600)
    originating_unit = models.ForeignKey("staff.Unit", verbose_name=_("originating unit"), null=True,
                                         on_delete=models.PROTECT, related_name="practices")
    field_of_work = models.ForeignKey("courses.FieldOfWork", verbose_name=_("field of work"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="practices")
    problem = RichTextField(_("the problem it solved"), features=["bold", "italic", "ol", "ul", "link"])
    body = StreamField(PracticeBodyBlock(), verbose_name=_("how it works"), blank=True)
    started_on = models.DateField(_("in use since"), null=True, blank=True)
    tags = ClusterTaggableManager(through=PracticeTag, blank=True)

    parent_page_types = ["courses.PracticeIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("originating_unit"), FieldPanel("field_of_work"), FieldPanel("started_on"),
             FieldPanel("tags")],
            heading=_("Classification"),
        ),
        FieldPanel("problem"),
        FieldPanel("body"),
        InlinePanel("indicators", label=_("Results (before → after)"), heading=_("Indicators")),
    ]

    search_fields = [
        *Page.search_fields,
        # Folded (no diacritics) because the backend folds the query: "khuong mai" → "Khương Mai".
        index.SearchField("search_text"),
        index.SearchField("summary"),
        index.FilterField("field_of_work"),
        index.FilterField("originating_unit"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("originating_unit_name"),
        APIField("field_of_work_name"),
        APIField("started_on"),
        APIField("indicator_list"),
        APIField("tags", serializer=PrefetchedTagsField()),
        APIField("adopting_units_count"),
    ]

    class Meta:
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        # The post_save index update ran before modelcluster wrote the tags and indicators, and the
        # indexed copy is read back from the database: index again now that they are there.
        index.insert_or_update_object(self)
        return result

    def search_text(self) -> str:
        """Folded text the search index holds for this page (see courses/search.py)."""
        parts = [self.title, self.summary, strip_tags(self.problem or ""),
                 self.originating_unit.name if self.originating_unit else "",
                 self.field_of_work.name if self.field_of_work else "", self.body_text()]
        parts.extend(tag.name for tag in self.tags.all())
        parts.extend(indicator.name for indicator in self.indicators.all())
        return fold(" ".join(parts))

    def body_text(self) -> str:
        return stream_text(self.body)

    # Flat values for API v2 consumers, who should not need a second request per relation.
    @property
    def originating_unit_name(self) -> str | None:
        return self.originating_unit.name if self.originating_unit else None

    @property
    def field_of_work_name(self) -> str | None:
        return self.field_of_work.name if self.field_of_work else None

    @property
    def indicator_list(self) -> list[dict]:
        return [
            {"name": i.name, "unit_of_measure": i.unit_of_measure, "note": i.note,
             "before": float(i.before) if i.before is not None else None,
             "after": float(i.after) if i.after is not None else None}
            for i in self.indicators.all()
        ]

    @property
    def adopting_units_count(self) -> int:
        """Units that have adopted it (not those planning or piloting); annotated on lists, counted here."""
        annotated = getattr(self, "adopted_units", None)
        if annotated is not None:
            return annotated
        return self.adoptions.filter(status=AdoptionStatus.ADOPTED).count() if self.pk else 0

    def get_context(self, request, *args, **kwargs):
        from courses.selectors.practices import practice_detail  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(practice_detail(self))
        return context


class PracticeIndicator(Orderable):
    """A result measured before and after, e.g. on-time dossier rate 82 % → 99 %."""

    page = ParentalKey(BestPracticePage, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True, help_text=_("e.g. %, trips"))
    before = models.DecimalField(_("before"), max_digits=12, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("after"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [FieldPanel("name"), FieldPanel("unit_of_measure"), FieldPanel("before"), FieldPanel("after"),
              FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name
