"""What every staff FilterSet shares: unit choices narrowed to the requesting user's scope (staff/access.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from staff.access import unit_choices
from staff.models import Unit


def scoped_units(request: HttpRequest | None) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return unit_choices(request.user)
