"""Lockout after repeated failures (django-axes): see the settings' AXES_* block."""

from __future__ import annotations

from django.http import HttpRequest

from staff.auth.backends import resolve_user


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """One account, one counter: "CB-001", "cb-001", its e-mail and its phone lock the same account."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = resolve_user(identifier)
    return user.username if user is not None else (identifier or "").strip().casefold()
