"""The catalog's page types: the home page, the catalog, and every kind of offering (TrainingPage →
CoursePage, WorkshopPage, ExchangePage).

``courses`` imports nothing from ``staff``: it points at staff models by string ("staff.Unit"), and what
staff knows about a page (the visitor's enrollments, adoptions) reaches its templates through staff's
template tags.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from courses.blocks import CourseBodyBlock
from courses.paging import query_without_page
from courses.text import fold, stream_text

from .practices import BestPracticePage
from .reference import (
    CATEGORY_CHOICES,
    ApprovalPolicy,
    ContentGroup,
    CredentialType,
    FieldOfWork,
    LegalDocument,
    MultipleChoiceJSONField,
    ProgrammeType,
    Skill,
    WorkshopKind,
)
from .slugs import AsciiSlugMixin


class HomePage(AsciiSlugMixin, Page):
    """The site's front page: what the platform is, and the next sessions with seats."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["courses.CatalogPage", "courses.PracticeIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors.catalog import upcoming_sessions  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context["catalog"] = CatalogPage.objects.live().first()
        context["upcoming_sessions"] = upcoming_sessions(limit=6)
        return context


class CatalogPage(AsciiSlugMixin, Page):
    """The public course catalog: every live course and workshop below it, with facets and search."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage", "courses.WorkshopPage", "courses.ExchangePage"]
    page_size = 20

    class Meta:
        verbose_name = _("course catalog")

    def get_context(self, request, *args, **kwargs):
        # cycle: the filters and selectors import these page models
        from courses.filters.catalog import CatalogFilter
        from courses.selectors.catalog import catalog_queryset

        context = super().get_context(request, *args, **kwargs)
        live = TrainingPage.objects.live().descendant_of(self)
        filterset = CatalogFilter(request.GET or None, queryset=live)
        pages = filterset.qs if filterset.is_bound and filterset.is_valid() else live
        paginator = Paginator(catalog_queryset(pages).order_by("title", "pk"), self.page_size)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(filterset=filterset, page_obj=page_obj, query_string=query_without_page(request))
        return context


class TrainingPage(AsciiSlugMixin, Page):
    """What every offering in the catalog shares: a course, a workshop, later an exchange.

    Concrete (multi-table) so that sessions, filters and the catalog address all kinds at once.
    """

    summary = models.TextField(_("summary"), max_length=600)
    body = StreamField(CourseBodyBlock(), verbose_name=_("body"), blank=True)
    content_group = models.ForeignKey(
        ContentGroup, verbose_name=_("content group"), null=True, on_delete=models.PROTECT, related_name="pages"
    )
    programme_type = models.CharField(
        _("programme type"), max_length=20, choices=ProgrammeType.choices, default=ProgrammeType.UPDATE
    )
    field_of_work = models.ForeignKey(
        FieldOfWork, verbose_name=_("field of work"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="pages",
    )
    legal_basis = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="pages",
    )
    credential_type = models.CharField(
        _("credential"), max_length=20, choices=CredentialType.choices, default=CredentialType.GIAY_CHUNG_NHAN
    )
    periods = models.PositiveIntegerField(_("periods (tiết)"), help_text=_("1 period = 45 minutes; 1 day = 8 periods"))
    target_categories = MultipleChoiceJSONField(_("for categories"), choices_list=CATEGORY_CHOICES)
    target_ranks = ParentalManyToManyField("staff.Rank", verbose_name=_("for ranks"), blank=True)
    target_job_positions = models.TextField(
        _("for job positions"), blank=True, help_text=_("One job position per line; empty means any.")
    )
    skills = ParentalManyToManyField(Skill, verbose_name=_("skills"), blank=True)
    organizer = models.ForeignKey(
        "staff.Unit", verbose_name=_("organizer unit"), null=True, on_delete=models.PROTECT,
        related_name="organized_pages",
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True, help_text=_("Empty if it does not expire.")
    )
    approval_policy = models.CharField(_("approval"), max_length=20, choices=ApprovalPolicy.choices,
                                       default=ApprovalPolicy.NONE)
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offered seat"), null=True, blank=True,
        help_text=_("Empty: a freed seat goes straight to the first in line. "
                    "A number: the seat is offered and waits that many hours for an answer."),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    requires_result = models.BooleanField(
        _("requires a pass/fail result"), default=False,
        help_text=_("If ticked, only participants marked as passed complete the course."),
    )

    is_creatable = False
    parent_page_types = ["courses.CatalogPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("content_group"),
                FieldPanel("programme_type"),
                FieldPanel("field_of_work"),
                FieldPanel("organizer"),
                FieldPanel("legal_basis"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [FieldPanel("credential_type"), FieldPanel("periods"), FieldPanel("certificate_validity_months")],
            heading=_("Credential and hours"),
        ),
        MultiFieldPanel(
            [FieldPanel("approval_policy"), FieldPanel("offer_hours"), FieldPanel("min_attendance_percent"),
             FieldPanel("requires_result")],
            heading=_("Enrollment and completion rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("target_categories"),
                FieldPanel("target_ranks", widget=forms.CheckboxSelectMultiple),
                FieldPanel("target_job_positions"),
                FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Who it is for"),
        ),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.SearchField("summary"),
        index.FilterField("content_group"),
        index.FilterField("field_of_work"),
        index.FilterField("organizer"),
        index.FilterField("credential_type"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("content_group_name"),
        APIField("programme_type"),
        APIField("field_of_work_name"),
        APIField("organizer_name"),
        APIField("legal_basis_number"),
        APIField("credential_type"),
        APIField("periods"),
        APIField("target_categories"),
        APIField("certificate_validity_months"),
        APIField("upcoming_sessions"),
    ]

    class Meta:
        verbose_name = _("training offering")

    def clean(self) -> None:
        super().clean()
        if self.periods == 0:
            raise ValidationError({"periods": _("A course lasts at least one period.")})

    def search_text(self) -> str:
        """Folded text the search index holds for this page (see courses/search.py)."""
        parts = [self.title, self.summary, str(self.content_group or ""), str(self.field_of_work or ""),
                 self.organizer.name if self.organizer else "", self.target_job_positions]
        if self.pk:
            parts.extend(skill.name for skill in self.skills.all())
        parts.append(self.body_text())
        return fold(" ".join(parts))

    def body_text(self) -> str:
        return stream_text(self.body)

    # Flat values for API v2 consumers, who should not need a second request per relation.
    @property
    def content_group_name(self) -> str | None:
        return self.content_group.name if self.content_group else None

    @property
    def field_of_work_name(self) -> str | None:
        return self.field_of_work.name if self.field_of_work else None

    @property
    def organizer_name(self) -> str | None:
        return self.organizer.name if self.organizer else None

    @property
    def legal_basis_number(self) -> str | None:
        return self.legal_basis.number if self.legal_basis else None

    @property
    def upcoming_sessions(self) -> list[dict]:
        # cycle: the selectors import these models
        from courses.selectors.catalog import sessions_with_seats, upcoming_sessions_queryset

        # A listing prefetches them (courses.selectors.api); a single page reads them here.
        sessions = getattr(self, "upcoming", None)
        if sessions is None:
            sessions = sessions_with_seats(upcoming_sessions_queryset().filter(course=self)).order_by(
                "start_date", "pk")
        return [
            {
                "id": s.pk,
                "start_date": s.start_date.isoformat(),
                "end_date": s.end_date.isoformat(),
                "mode": s.mode,
                "venue": s.venue,
                "capacity": s.capacity,
                "seats_left": s.seats_left,
            }
            for s in sessions
        ]

    # ``?qua=tat-ca``: every ended session, a page at a time, instead of the course's upcoming ones.
    ALL_PAST_PARAM, ALL_PAST_VALUE = "qua", "tat-ca"

    def get_context(self, request, *args, **kwargs):
        # cycle: the selectors import these models
        from courses.selectors.catalog import past_sessions_page, sessions_for_page

        context = super().get_context(request, *args, **kwargs)
        if request.GET.get(self.ALL_PAST_PARAM) == self.ALL_PAST_VALUE:
            past_page = past_sessions_page(self, request.GET.get("page"))
            context.update(all_past=True, past_page=past_page, sessions=list(past_page),
                           query_string=query_without_page(request))
        else:
            folded = sessions_for_page(self)
            context.update(all_past=False, upcoming=folded.upcoming, past=folded.past, more_past=folded.more_past,
                           sessions=folded.shown)
        context["all_past_query"] = f"{self.ALL_PAST_PARAM}={self.ALL_PAST_VALUE}"
        context["today"] = timezone.localdate()
        context["now"] = timezone.now()
        # The visitor's own places in these sessions come from staff's template tag (my_enrollments):
        # courses knows nothing of enrollments.
        return context


class CoursePage(TrainingPage):
    """A course: one programme taught in one or more sessions (classes)."""

    is_creatable = True
    parent_page_types = ["courses.CatalogPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")


class ExchangePage(TrainingPage):
    """A sharing session: a host unit shows one or more practices to invited units (seats reserved per
    invited unit), sometimes with a field visit. Enrollment, attendance and hours work as for courses."""

    practices = ParentalManyToManyField("courses.BestPracticePage", verbose_name=_("practices shown"), blank=True,
                                        related_name="exchanges")
    host_unit = models.ForeignKey("staff.Unit", verbose_name=_("host unit"), null=True, on_delete=models.PROTECT,
                                  related_name="hosted_exchanges")
    invited_units = ParentalManyToManyField("staff.Unit", verbose_name=_("invited units"), blank=True,
                                            related_name="exchange_invitations")
    seats_per_invited_unit = models.PositiveSmallIntegerField(_("seats reserved per invited unit"), default=0)
    field_visit = models.TextField(_("field visit"), blank=True,
                                   help_text=_("Where and when participants visit the practice in use, if they do."))

    is_creatable = True
    parent_page_types = ["courses.CatalogPage"]
    subpage_types: list[str] = []

    content_panels = [
        *TrainingPage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("practices", widget=forms.CheckboxSelectMultiple),
                FieldPanel("host_unit"),
                FieldPanel("invited_units"),
                FieldPanel("seats_per_invited_unit"),
                FieldPanel("field_visit"),
            ],
            heading=_("Exchange"),
            help_text=_("Publishing reserves the seats per invited unit in every upcoming session."),
        ),
    ]
    api_fields = [*TrainingPage.api_fields, APIField("host_unit_name"), APIField("practice_titles"),
                  APIField("invited_unit_names"), APIField("seats_per_invited_unit"), APIField("field_visit")]

    class Meta:
        verbose_name = _("exchange (sharing session)")
        verbose_name_plural = _("exchanges")

    def search_text(self) -> str:
        extra = [self.host_unit.name if self.host_unit else "", self.field_visit]
        if self.pk:
            extra.extend(practice.title for practice in self.practices.all())
        return " ".join([super().search_text(), fold(" ".join(extra))])

    @property
    def host_unit_name(self) -> str | None:
        return self.host_unit.name if self.host_unit else None

    @property
    def practice_titles(self) -> list[str]:
        practices = getattr(self, "live_practice_list", None)  # prefetched by an API listing
        return [practice.title for practice in (practices if practices is not None else self.live_practices())]

    @property
    def invited_unit_names(self) -> list[str]:
        units = getattr(self, "invited_unit_list", None)  # prefetched by an API listing
        return [unit.name for unit in (units if units is not None else self.invited_units.all().order_by("name"))]

    def live_practices(self):
        # Through the reverse relation, not ``self.practices``: a previewed page holds its practices in
        # memory (no ``.live()``), and only published practices may be linked from a public page.
        return BestPracticePage.objects.live().filter(exchanges=self).select_related("originating_unit") \
            .order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Two queries whatever the numbers: live practices with their unit, invited units.
        context["practices"] = list(self.live_practices())
        context["invited_units"] = list(self.invited_units.all().order_by("name"))
        return context


class WorkshopPage(TrainingPage):
    """A one-off workshop, seminar or sharing session (usually a single session)."""

    workshop_kind = models.CharField(_("kind"), max_length=10, choices=WorkshopKind.choices,
                                     default=WorkshopKind.WORKSHOP)
    speakers = models.TextField(_("speakers"), blank=True, help_text=_("One per line."))

    is_creatable = True
    parent_page_types = ["courses.CatalogPage"]
    subpage_types: list[str] = []
    content_panels = [*TrainingPage.content_panels, FieldPanel("workshop_kind"), FieldPanel("speakers")]
    api_fields = [*TrainingPage.api_fields, APIField("workshop_kind"), APIField("speakers")]

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
