"""The filter drawer's selects built in Python (training_site.fast_widgets) print exactly what Django's
templates print, and only Django's own plain selects are swapped."""

from __future__ import annotations

import pytest
from django import forms

from staff.models import Unit
from training_site.fast_widgets import NullBooleanSelect, Select, fast_selects

CHOICES = [("", "---------"), ("a", "Ánh & <Bình>"), ("b", 'Cường "Đức"'),
           ("Phường", [("p1", "Khương Đình"), ("p2", "Thanh Xuân")]), (3, "Ba")]


@pytest.mark.parametrize("value", [None, "", "a", "p2", 3, ["a", "b"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "data-flag": True, "hidden-ish": False, "class": "w-x"}])
def test_a_select_prints_what_djangos_template_prints(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("x", value, attrs=dict(attrs or {}))
    assert Select(choices=CHOICES).render("x", value, attrs=dict(attrs or {})) == django_html


@pytest.mark.parametrize("value", [None, True, False, "unknown"])
def test_a_yes_no_select_prints_what_djangos_template_prints(value):
    assert NullBooleanSelect().render("y", value) == forms.NullBooleanSelect().render("y", value)


@pytest.mark.django_db
def test_a_model_select_of_units_prints_what_djangos_template_prints(ward_a, ward_b):
    field = forms.ModelChoiceField(queryset=Unit.objects.order_by("name"))
    django_html = field.widget.render("unit", ward_b.pk)
    field.widget.__class__ = Select
    assert field.widget.render("unit", ward_b.pk) == django_html
    assert ward_a.name in django_html


class _OwnTemplate(forms.Select):
    template_name = "staff/widgets/suggest_input.html"


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    yes_no = forms.NullBooleanField(required=False)
    radios = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)
    own = forms.ChoiceField(choices=CHOICES, widget=_OwnTemplate, required=False)
    text = forms.CharField(required=False)


def test_only_plain_selects_are_swapped_and_keep_their_css_name():
    form = fast_selects(_Form())
    kinds = {name: type(field.widget) for name, field in form.fields.items()}
    assert kinds == {"plain": Select, "yes_no": NullBooleanSelect, "radios": forms.RadioSelect,
                     "own": _OwnTemplate, "text": forms.TextInput}
    # Wagtail's field wrapper and Django's widget_type name the CSS class after the widget's class.
    assert form["plain"].widget_type == "select" and form["yes_no"].widget_type == "nullbooleanselect"
    assert str(form["plain"]) == str(_Form()["plain"])
