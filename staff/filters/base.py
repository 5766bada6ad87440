"""What every staff FilterSet shares: unit choices narrowed to the requesting user's scope (staff/access.py),
and the searchable text input that stands in for a select of thousands of options (classes, courses)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from staff.access import unit_choices
from staff.models import Unit

# How many suggestions a searchable filter offers at once, in the page and from its JSON endpoint.
SUGGESTIONS = 20


def scoped_units(request: HttpRequest | None) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return unit_choices(request.user)


class SuggestInput(forms.TextInput):
    """A text input with a ``<datalist>`` of suggestions: the page brings the first ``SUGGESTIONS`` (one
    query, at render time), static/js/suggest.js asks ``url_name`` for more as the user types. Without
    JavaScript the typed text (or a chosen id) is submitted as a plain GET parameter and the filter
    matches it; the list never renders every class of the city as an ``<option>``."""

    template = "staff/widgets/suggest_input.html"

    def __init__(self, url_name: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)
        self.url_name = url_name
        # Set by the FilterSet for its request: () -> [(value, label)], run only if the widget is rendered.
        self.suggestions: Callable[[], Iterable[tuple[str, str]]] = list

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        list_id = f"{attrs.get('id') or 'id_' + name}_suggestions"
        return render_to_string(self.template, {
            "name": name, "value": "" if value is None else value, "attrs": attrs, "list_id": list_id,
            "url": reverse(self.url_name), "suggestions": list(self.suggestions()),
        })
