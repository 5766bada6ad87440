"""Select widgets that build their HTML in Python instead of a template per option.

A list's filter drawer renders every unit in the user's scope as an ``<option>`` (170 for the city's HR)
next to a few short selects; through Django's templates (select.html, then select_option.html and attrs.html
for each option) that was 15 ms of an 80 ms admin page (measured at city scale, tests/bench/city). The
markup is the templates' own, character for character (tests/training_site/test_fast_widgets.py renders
both and compares), so styles, Wagtail's scripts and tests see no difference.

``fast_selects(form)`` swaps the widgets of a built form; only Django's own ``Select`` and
``NullBooleanSelect`` are swapped, a subclass with its own template keeps it.
"""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def html_attrs(attrs: dict) -> SafeString:
    """django/forms/widgets/attrs.html (and Wagtail's shared/attrs.html): in the dict's order (Django's
    ``flatatt`` sorts them), False leaves the attribute out, True writes its name alone."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
        for name, value in attrs.items() if value is not False))



def _option(option: dict) -> SafeString:
    return format_html('<option value="{}"{}>{}</option>\n', str(option["value"]), html_attrs(option["attrs"]),
                       option["label"])


class FastSelectMixin:
    """``render`` without templates, for a select whose template is Django's ``select.html``."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = [format_html('<select name="{}"{}>', widget["name"], html_attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.append(format_html_join("", "\n  {}", ((_option(option),) for option in group_choices)))
            if group_name:
                parts.append(mark_safe("\n  </optgroup>"))
        parts.append(mark_safe("\n</select>"))
        return mark_safe("".join(parts))


# Named as Django's: Wagtail's field wrapper takes its CSS class from the widget's class name
# (``w-field--select``), and so does Django's ``widget_type``.
class Select(FastSelectMixin, forms.Select):
    pass


class NullBooleanSelect(FastSelectMixin, forms.NullBooleanSelect):
    pass


FAST: dict[type[forms.Widget], type[forms.Widget]] = {forms.Select: Select, forms.NullBooleanSelect: NullBooleanSelect}


FormT = TypeVar("FormT", bound=forms.BaseForm)


def fast_selects(form: FormT) -> FormT:
    """``form`` with its plain selects rendered in Python (the same field objects, the same markup)."""
    for field in form.fields.values():
        fast = FAST.get(type(field.widget))
        if fast is not None and field.widget.template_name == type(field.widget).template_name:
            field.widget.__class__ = fast
    return form
