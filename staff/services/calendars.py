"""Writes for calendars: an official's feed token, created or reset."""

from __future__ import annotations

import secrets

from staff.models import CalendarFeed, Official


def calendar_feed_ensure(*, official: Official) -> CalendarFeed:
    """The official's feed token, created on first use (idempotent)."""
    feed, _created = CalendarFeed.objects.get_or_create(official=official,
                                                        defaults={"token": secrets.token_urlsafe(32)})
    return feed


def calendar_feed_reset(*, official: Official) -> CalendarFeed:
    """Give the feed a new secret: every subscription to the old address stops working."""
    feed = calendar_feed_ensure(official=official)
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token"])
    return feed
