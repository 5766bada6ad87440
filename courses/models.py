"""The public catalog: reference data, page types and the sessions (classes) of a course.

``courses`` never imports ``staff`` at module level; it points at staff models by string
("staff.Unit") and imports them inside functions where it must.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import CourseBodyBlock
from .text import fold, stream_text

# --- Reference data (editable as snippets, never an enum in code) --------------------------------


class LegalDocument(models.Model):
    """A legal text that a course, a rule or a report rests on, valid from a date."""

    number = models.CharField(_("number"), max_length=60, unique=True, help_text=_("e.g. 171/2025/NĐ-CP"))
    title = models.CharField(_("title"), max_length=300)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        ordering = ("-effective_from", "number")
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self) -> str:
        return self.number


class ContentGroup(models.Model):
    """A content group of training (Decree 171/2025 has five; older texts had four)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    legal_basis = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), null=True, blank=True, on_delete=models.SET_NULL
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ("sort_order", "name")
        verbose_name = _("content group")
        verbose_name_plural = _("content groups")

    def __str__(self) -> str:
        return self.name


class FieldOfWork(models.Model):
    """A field of state work (lĩnh vực): civil status, land, judicial records, business registration…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ("name",)
        verbose_name = _("field of work")
        verbose_name_plural = _("fields of work")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Trainer(models.Model):
    """A trainer or speaker; may or may not be an official of the city."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title / position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self) -> str:
        return self.name


# --- Page types -----------------------------------------------------------------------------------


class CredentialType(models.TextChoices):
    CHUNG_CHI = "chung_chi", _("Certificate (chứng chỉ)")
    GIAY_CHUNG_NHAN = "giay_chung_nhan", _("Certificate of completion (giấy chứng nhận)")
    ATTENDANCE = "attendance", _("Attendance only")


class ProgrammeType(models.TextChoices):
    RANK_STANDARD = "rank_standard", _("Rank-standard programme")
    LEADERSHIP = "leadership", _("Leadership-position programme")
    JOB_POSITION = "job_position", _("Job-position knowledge and skills")
    UPDATE = "update", _("Update / refresher")
    EXCHANGE = "exchange", _("Best-practice sharing")
    OTHER = "other", _("Other")


class ApprovalPolicy(models.TextChoices):
    NONE = "none", _("No approval")
    UNIT_HR = "unit_hr", _("The unit's HR")
    UNIT_HR_THEN_ORGANIZER = "unit_hr_organizer", _("The unit's HR, then the organizer")


CATEGORY_CHOICES = (
    ("can_bo", _("Cadre (cán bộ)")),
    ("cong_chuc", _("Civil servant (công chức)")),
    ("vien_chuc", _("Public employee (viên chức)")),
    ("khong_chuyen_trach", _("Commune part-time staff")),
)


class MultipleChoiceJSONField(models.JSONField):
    """A list of choice codes stored as JSON, edited with checkboxes (portable across databases)."""

    def __init__(self, *args, choices_list=(), **kwargs):
        self.choices_list = tuple(choices_list)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices_list,
            required=not self.blank,
            label=self.verbose_name,
            widget=forms.CheckboxSelectMultiple,
        )


class HomePage(Page):
    """The site's front page: what the platform is, and the next sessions with seats."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["courses.CatalogPage", "courses.PracticeIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import upcoming_sessions

        context = super().get_context(request, *args, **kwargs)
        context["catalog"] = CatalogPage.objects.live().first()
        context["upcoming_sessions"] = upcoming_sessions(limit=6)
        return context


class CatalogPage(Page):
    """The public course catalog: every live course and workshop below it, with facets and search."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage", "courses.WorkshopPage", "courses.ExchangePage"]
    page_size = 20

    class Meta:
        verbose_name = _("course catalog")

    def get_context(self, request, *args, **kwargs):
        from .filters import CatalogFilter
        from .selectors import catalog_queryset

        context = super().get_context(request, *args, **kwargs)
        filterset = CatalogFilter(request.GET or None, queryset=TrainingPage.objects.live().descendant_of(self))
        pages = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        paginator = Paginator(catalog_queryset(pages).order_by("title", "pk"), self.page_size)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(filterset=filterset, page_obj=page_obj, query_string=_query_without_page(request))
        return context


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class TrainingPage(Page):
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
                 self.organizer.name if self.organizer_id else "", self.target_job_positions]
        if self.pk:
            parts.extend(skill.name for skill in self.skills.all())
        parts.append(self.body_text())
        return fold(" ".join(parts))

    def body_text(self) -> str:
        return stream_text(self.body)

    # Flat values for API v2 consumers, who should not need a second request per relation.
    @property
    def content_group_name(self) -> str | None:
        return self.content_group.name if self.content_group_id else None

    @property
    def field_of_work_name(self) -> str | None:
        return self.field_of_work.name if self.field_of_work_id else None

    @property
    def organizer_name(self) -> str | None:
        return self.organizer.name if self.organizer_id else None

    @property
    def legal_basis_number(self) -> str | None:
        return self.legal_basis.number if self.legal_basis_id else None

    @property
    def upcoming_sessions(self) -> list[dict]:
        from .selectors import sessions_with_seats, upcoming_sessions_queryset

        sessions = sessions_with_seats(upcoming_sessions_queryset().filter(course=self)).order_by("start_date", "pk")
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

    def get_context(self, request, *args, **kwargs):
        from .selectors import sessions_for_page

        context = super().get_context(request, *args, **kwargs)
        sessions = sessions_for_page(self)
        context["sessions"] = sessions
        context["today"] = timezone.localdate()
        context["now"] = timezone.now()
        if request.user.is_authenticated:
            # staff sits above courses: imported when called, never at module level.
            from staff.selectors import active_enrollments_by_session

            context["mine"] = active_enrollments_by_session(request.user, [s.pk for s in sessions])
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
        extra = [self.host_unit.name if self.host_unit_id else "", self.field_visit]
        if self.pk:
            extra.extend(practice.title for practice in self.practices.all())
        return " ".join([super().search_text(), fold(" ".join(extra))])

    @property
    def host_unit_name(self) -> str | None:
        return self.host_unit.name if self.host_unit_id else None

    @property
    def practice_titles(self) -> list[str]:
        return [practice.title for practice in self.live_practices()]

    @property
    def invited_unit_names(self) -> list[str]:
        return [unit.name for unit in self.invited_units.all().order_by("name")]

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


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop / seminar")
    SHARING = "sharing", _("Sharing session")


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


# --- Sessions --------------------------------------------------------------------------------------


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class CourseSession(models.Model):
    """One class of a course: dates, daily hours, venue, seats and the enrollment window.

    A plain model and not an InlinePanel child: inline children are rewritten when an editor saves
    the page, and enrollments point here and must never disappear with them.
    """

    course = models.ForeignKey(TrainingPage, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="sessions")
    code = models.CharField(_("class code"), max_length=40, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    daily_start = models.TimeField(_("daily start"), default=dt.time(8, 0))
    daily_end = models.TimeField(_("daily end"), default=dt.time(16, 30))
    schedule_note = models.CharField(_("schedule"), max_length=200, blank=True,
                                     help_text=_("e.g. mornings only, Monday to Wednesday"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    enrollment_opens = models.DateTimeField(_("enrollment opens"), null=True, blank=True)
    enrollment_closes = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
    cancellation_closes = models.DateTimeField(
        _("cancellation deadline"), null=True, blank=True,
        help_text=_("Participants may cancel until then; empty means until the first day starts."),
    )
    weekends = models.BooleanField(
        _("meets on weekends"), default=False,
        help_text=_("If not ticked, Saturdays and Sundays between the start and end dates are not class days."),
    )
    self_checkin = models.BooleanField(
        _("self check-in"), default=False,
        help_text=_("Show a daily code / QR in the room; participants check themselves in during the day's hours."),
    )
    trainers = models.ManyToManyField(Trainer, verbose_name=_("trainers"), blank=True, related_name="sessions")
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # Seats held right now, moved only by staff/services/enrollment.py with conditional UPDATEs so that
    # concurrent enrollments can never oversell; displays count the enrollments themselves.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    # Seats kept for units' reservations and not yet taken: the general pool is what remains.
    reserved_free = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever dates, hours, place or cancellation change, so calendar invitations update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("start_date", "pk")
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="session_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity") - models.F("reserved_free")),
                name="session_never_oversold",
            ),
        ]
        indexes = [models.Index(fields=["course", "start_date"])]

    # What a calendar invitation shows: changing any of these bumps ``sequence``.
    CALENDAR_FIELDS = ("start_date", "end_date", "daily_start", "daily_end", "weekends", "venue", "mode",
                       "online_url", "cancelled")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if all(name in field_names for name in cls.CALENDAR_FIELDS):  # a partial load has nothing to compare
            instance._calendar_snapshot = instance._calendar_values()
        return instance

    def _calendar_values(self) -> tuple:
        # Read what is loaded only: touching a deferred field would load the row again (and recurse).
        return tuple(self.__dict__.get(name) for name in self.CALENDAR_FIELDS)

    @property
    def calendar_changed(self) -> bool:
        snapshot = getattr(self, "_calendar_snapshot", None)
        return snapshot is not None and snapshot != self._calendar_values()

    # Counters moved only by staff/services/enrollment.py with conditional UPDATEs: a form save of this
    # row must never write back the values it loaded minutes ago.
    COUNTER_FIELDS = ("seats_taken", "reserved_free", "sequence")

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            if kwargs.get("update_fields") is None:
                kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                           if not f.primary_key and f.name not in self.COUNTER_FIELDS]
            bump = self.calendar_changed
            super().save(*args, **kwargs)
            if bump:
                type(self).objects.filter(pk=self.pk).update(sequence=models.F("sequence") + 1)
            self.refresh_from_db(fields=list(self.COUNTER_FIELDS))
        else:
            super().save(*args, **kwargs)
        self._calendar_snapshot = self._calendar_values()

    def __str__(self) -> str:
        label = self.code or f"{self.start_date:%d/%m/%Y}"
        return f"{self.course.title} – {label}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.daily_start and self.daily_end and self.daily_end <= self.daily_start:
            errors["daily_end"] = _("The day ends before it starts.")
        if self.enrollment_opens and self.enrollment_closes and self.enrollment_closes <= self.enrollment_opens:
            errors["enrollment_closes"] = _("Enrollment closes before it opens.")
        if self.mode in (SessionMode.ONLINE, SessionMode.HYBRID) and not self.online_url:
            errors["online_url"] = _("An online or hybrid session needs a meeting link.")
        if self.pk and self.capacity is not None:
            held = type(self).objects.filter(pk=self.pk).values_list("seats_taken", "reserved_free").first()
            if held and self.capacity < sum(held):
                errors["capacity"] = _("%(n)s seats are taken or reserved; the capacity cannot be lower.") % {
                    "n": sum(held)}
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> int:
        """How many class days: what attendance shares and calendar invitations count."""
        return len(self.day_list)

    @property
    def day_list(self) -> list[dt.date]:
        """The class days: every date from start to end, without Saturdays and Sundays unless the class
        meets on weekends (a class held only on a weekend keeps its days)."""
        dates = [self.start_date + dt.timedelta(days=i) for i in range((self.end_date - self.start_date).days + 1)]
        weekdays = [day for day in dates if day.weekday() < 5]
        return dates if self.weekends or not weekdays else weekdays

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start_date, self.daily_start))

    def cancellation_is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return moment <= (self.cancellation_closes or self.starts_at())

    def enrollment_is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        if self.cancelled:
            return False
        if self.enrollment_opens and moment < self.enrollment_opens:
            return False
        if self.enrollment_closes and moment > self.enrollment_closes:
            return False
        return timezone.localdate(moment) <= self.start_date


# Best-practice pages live in their own module; importing them here registers them with the app.
from .practices import BestPracticePage, PracticeIndexPage, PracticeIndicator, PracticeTag  # noqa: E402, F401
