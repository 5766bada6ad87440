"""Participants' feedback on a session they attended, one per enrollment."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enrollment import Enrollment

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Feedback(models.Model):
    """A participant's ratings (1–5) and comment after a session. Organizers see aggregates; trainers
    never see who said what."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="feedback")
    content = models.PositiveSmallIntegerField(_("content"), validators=RATING)
    trainer = models.PositiveSmallIntegerField(_("trainer"), validators=RATING)
    organisation = models.PositiveSmallIntegerField(_("organisation"), validators=RATING)
    usefulness = models.PositiveSmallIntegerField(_("usefulness"), validators=RATING)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content__range=(1, 5), trainer__range=(1, 5), organisation__range=(1, 5),
                                   usefulness__range=(1, 5)),
                name="ratings_between_1_and_5",
            )
        ]

    def __str__(self) -> str:
        return f"feedback on {self.enrollment_id}"
