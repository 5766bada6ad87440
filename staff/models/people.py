"""Officials: category, rank, position, the unit they work in (dated), status."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.text import fold
from staff.personal_id import mask_personal_id, validate_personal_id
from training_site.choices import ChoiceLabelsMixin

from .organisation import Unit


class Category(models.TextChoices):
    """The four kinds of people the city trains."""

    CADRE = "can_bo", _("Cadre (cán bộ)")
    CIVIL_SERVANT = "cong_chuc", _("Civil servant (công chức)")
    PUBLIC_EMPLOYEE = "vien_chuc", _("Public employee (viên chức)")
    COMMUNE_PART_TIME = "khong_chuyen_trach", _("Commune part-time staff")


class Rank(models.Model):
    """A civil-service rank (ngạch), e.g. 01.003 chuyên viên; tier 1 is the highest."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    tier = models.PositiveSmallIntegerField(_("tier"), help_text=_("1 = senior specialist level, 5 = staff level"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)

    class Meta:
        ordering = ("tier", "code")
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class OfficialStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("official status", "Active")  # in service; an account is "active" otherwise
    TRANSFERRED = "transferred", _("Transferred out")
    RETIRED = "retired", _("Retired")


MAJORITY_ETHNICITY = "Kinh"


class AccountState(models.TextChoices):
    """Where an official's sign-in account stands, as HR follows it."""

    NONE = "none", _("No account")
    NOT_ACTIVATED = "not_activated", _("Not activated yet")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


def account_state_q(state: str, prefix: str = "") -> Q:
    """The officials in ``state``. An account made from the roster has an unusable password ("!…") until
    the official activates it; a closed account is an activated one that is no longer active."""
    unusable = Q(**{f"{prefix}user__password__startswith": "!"})
    active = Q(**{f"{prefix}user__is_active": True})
    return {
        AccountState.NONE: Q(**{f"{prefix}user__isnull": True}),
        AccountState.NOT_ACTIVATED: Q(**{f"{prefix}user__isnull": False}) & unusable,
        AccountState.ACTIVE: Q(**{f"{prefix}user__isnull": False}) & ~unusable & active,
        AccountState.CLOSED: Q(**{f"{prefix}user__isnull": False}) & ~unusable & ~active,
    }[AccountState(state)]


class Official(ChoiceLabelsMixin, models.Model):
    """A cadre, civil servant or public employee on the city's roster."""

    employee_code = models.CharField(_("employee code"), max_length=30, unique=True)
    # The national key (the electronic personnel file is keyed by it); NULL rather than "" so that the
    # officials whose number is not known yet do not collide on uniqueness. Masked outside the city's HR.
    personal_id = models.CharField(
        _("personal identification number"), max_length=12, unique=True, null=True, blank=True,
        validators=[validate_personal_id],
    )
    full_name = models.CharField(_("full name"), max_length=150)
    # Folded copy of the name: diacritics-insensitive search with one index on every database.
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, default=MAJORITY_ETHNICITY)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    rank = models.ForeignKey(Rank, verbose_name=_("rank"), null=True, blank=True, on_delete=models.PROTECT)
    job_position = models.CharField(_("job position"), max_length=200, blank=True)
    leadership_position = models.CharField(
        _("leadership position"), max_length=200, blank=True, help_text=_("Empty if the official holds none.")
    )
    # The unit of the open assignment, kept by official_assign_unit() so that lists and scope
    # filter on one indexed column instead of joining the assignment history for 100,000 people.
    unit = models.ForeignKey(
        Unit, verbose_name=_("current unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="officials"
    )
    status = models.CharField(_("status"), max_length=15, choices=OfficialStatus.choices, default=OfficialStatus.ACTIVE)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The phone number as sign-in compares it (digits, national form "0…"), kept by save().
    phone_key = models.CharField(max_length=20, editable=False, blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("search_name", "employee_code")
        indexes = [
            models.Index(Lower("email"), name="official_email_lower"),
            # The officials list pages in this order: an index walk replaces a top-N sort of every official.
            models.Index(fields=["search_name", "employee_code"], name="official_list_order"),
        ]
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_code})"

    @property
    def is_ethnic_minority(self) -> bool:
        return fold(self.ethnicity) != fold(MAJORITY_ETHNICITY)

    @property
    def is_leader(self) -> bool:
        return bool(self.leadership_position)

    # Flat values for exports, which must not fail on an official without a rank or a unit.
    @property
    def rank_code(self) -> str:
        return self.rank.code if self.rank is not None else ""

    @property
    def rank_name(self) -> str:
        return self.rank.name if self.rank is not None else ""

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit is not None else ""

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit is not None else ""

    @property
    def account_state(self) -> str:
        """Read from the user joined with the official (select_related("user")): no query of its own."""
        user = self.user
        if user is None:
            return AccountState.NONE
        if not user.has_usable_password():
            return AccountState.NOT_ACTIVATED
        return AccountState.ACTIVE if user.is_active else AccountState.CLOSED

    @property
    def account_state_label(self) -> str:
        return str(AccountState(self.account_state).label)

    @property
    def masked_personal_id(self) -> str:
        return mask_personal_id(self.personal_id)

    @property
    def can_sign_in(self) -> bool:
        """Only officials still in service sign in; a retired or transferred official's records stay."""
        return self.status == OfficialStatus.ACTIVE

    def save(self, *args, **kwargs) -> None:
        if self.personal_id == "":
            self.personal_id = None
        self.search_name = fold(self.full_name)
        self.phone_key = phone_key(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"full_name": "search_name", "phone": "phone_key"}
            kwargs["update_fields"] = {*update_fields, *(derived[name] for name in update_fields if name in derived)}
        super().save(*args, **kwargs)
        if self.user_id is not None and self.status != OfficialStatus.ACTIVE:
            # Leaving closes the account at once (the records stay); the roster import does the same in bulk.
            get_user_model().objects.filter(pk=self.user_id, is_active=True).update(is_active=False)


def phone_key(phone: str) -> str:
    """``+84 912 345 678``, ``0912.345.678`` and ``84912345678`` are one number: ``0912345678``."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits[:20]


def international_phone(phone: str) -> str:
    """The ``84…`` form that SMS gateways and Zalo ZNS expect."""
    key = phone_key(phone)
    return "84" + key[1:] if key.startswith("0") else key


class UnitAssignment(models.Model):
    """Where an official worked, from when to when: people move, and records follow the dates."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ("official", "start")
        verbose_name = _("unit assignment")
        verbose_name_plural = _("unit assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["official"], condition=Q(end__isnull=True), name="one_open_assignment_per_official"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="assignment_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.official_id} @ {self.unit_id} {self.start}–{self.end or ''}"
