"""Reads about officials."""

from __future__ import annotations

from django.db.models import QuerySet

from staff.models import Official, Unit


def officials_in_units(units: QuerySet[Unit]) -> QuerySet[Official]:
    return Official.objects.filter(unit__in=units)
