"""Best practices (mô hình hay, cách làm hiệu quả) and the exchanges where a ward shows one to others.

Page models live here and are imported by courses/models.py, so Django registers them with the app.
The behaviour (index facets, templates, search, API) is built on top of these fields.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from .blocks import PracticeBodyBlock


class PracticeIndexPage(Page):
    """The public index of best practices, with facets and the folded search."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.BestPracticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("best-practice index")


class PracticeTag(TaggedItemBase):
    content_object = ParentalKey("courses.BestPracticePage", on_delete=models.CASCADE, related_name="tagged_items")


class BestPracticePage(Page):
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

    class Meta:
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")


class PracticeIndicator(Orderable):
    """A result measured before and after, e.g. on-time dossier rate 82 % → 99 %."""

    page = ParentalKey(BestPracticePage, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True, help_text=_("e.g. %, trips"))
    before = models.DecimalField(_("before"), max_digits=12, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("after"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name
