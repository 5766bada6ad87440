"""The audit log: one line per import, export, certificate issue or revocation, role change, record view."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import translation
from django.utils.translation import gettext

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


def audit_summary(message: str, /, **params: object) -> str:
    """An audit line's summary in the administration's language (``LANGUAGE_CODE``), whatever the language of
    the screen of whoever acted: the log is the city's record, read back by its inspectors in Vietnamese.
    ``message`` is an English msgid marked with ``gettext_noop``; ``params`` fill its ``%(name)s`` slots
    (lazy texts among them are rendered in that language too)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        return text % {name: str(value) for name, value in params.items()} if params else text
