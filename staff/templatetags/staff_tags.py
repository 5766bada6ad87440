"""Template tags through which staff's data reaches templates that courses renders (courses never
imports staff)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from courses.models import CourseSession
from staff.models import Enrollment
from staff.selectors.enrollment import active_enrollments_by_session

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``mapping|get_item:key`` for dicts built by selectors (templates cannot index by a variable)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def my_enrollments(context: template.Context, sessions: Iterable[CourseSession]) -> dict[int, Enrollment]:
    """``{% my_enrollments sessions as mine %}``: the visitor's active enrollment in each session, by id,
    in one query (nothing for a visitor who is not signed in)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    return active_enrollments_by_session(request.user, [session.pk for session in sessions])
