"""``get_FOO_display()`` from a table built once per field and language (training_site.choices) gives what
Django's own gives, in Vietnamese and in English, and a value outside the choices as it is."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from staff.models import Certificate, Enrollment, EnrollmentEvent, Official
from training_site import choices


def _choice_fields():
    for model in (Enrollment, EnrollmentEvent, Certificate, Official):
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def _django_label(instance: models.Model, field: models.Field) -> str:
    return models.Model._get_FIELD_display(instance, field)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_label_is_djangos_in_both_languages(language):
    fields = list(_choice_fields())
    assert len(fields) >= 6  # statuses, categories, gender, results…
    with translation.override(language):
        for model, field in fields:
            assert issubclass(model, choices.ChoiceLabelsMixin)
            for value, _label in field.flatchoices:
                instance = model(**{field.attname: value})
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == _django_label(instance, field), (model, field.name, value)


def test_the_table_is_used_and_follows_the_language():
    choices._labels.cache_clear()
    enrollment = Enrollment(status="confirmed")
    with translation.override("vi"):
        vietnamese = enrollment.get_status_display()
        enrollment.get_status_display()
    with translation.override("en"):
        english = enrollment.get_status_display()
    assert (vietnamese, english) == ("Đã xác nhận", "Confirmed")
    info = choices._labels.cache_info()
    assert info.misses == 2 and info.hits == 1  # one table per language, read again without rebuilding


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Enrollment(status="no-such-status").get_status_display() == "no-such-status"
