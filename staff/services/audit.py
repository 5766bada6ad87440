"""The audit log: one line per import, export, certificate issue or revocation, role change, record view."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models

from staff.models import AuditEntry


def audit_record(*, user: User | None, action: str, obj: models.Model | None = None,
                 summary: str = "", **detail) -> AuditEntry:
    """Write one audit line. ``detail`` must be JSON-serialisable (counts, filters, a file hash)."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        detail=detail,
    )
