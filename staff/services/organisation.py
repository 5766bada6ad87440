"""Writes about units and their lineage."""

from __future__ import annotations

import datetime as dt

from staff.models import Unit, UnitSuccession


def unit_succession_record(
    *, predecessor: Unit, successor: Unit, effective_date: dt.date, legal_basis: str, kind: str = "merged",
    share: int = 100,
) -> UnitSuccession:
    """Record (idempotently) that ``predecessor`` went into ``successor``, and close the predecessor."""
    link, _created = UnitSuccession.objects.update_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"effective_date": effective_date, "legal_basis": legal_basis, "kind": kind, "share": share},
    )
    last_day = effective_date - dt.timedelta(days=1)
    if predecessor.valid_to is None or predecessor.valid_to > last_day:
        predecessor.valid_to = last_day
        predecessor.save(update_fields=["valid_to"])
    return link
