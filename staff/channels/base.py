"""The channel interface: one message to one official, sent or refused with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Message:
    """What every channel may need; each backend uses its part.

    ``text`` is the plain message (e-mail body, SMS text); ``template_data`` the named values of a
    pre-approved template (Zalo ZNS), ``tracking_id`` our idempotency key shown in the provider's logs.
    """

    subject: str
    text: str
    email: str = ""
    phone: str = ""  # as the roster holds it; backends convert to the form their provider wants
    template: str = ""  # our template name, e.g. "invitation"; ZNS maps it onto its template id
    template_data: dict[str, str] = field(default_factory=dict)
    tracking_id: str = ""


class ChannelError(Exception):
    """The provider refused or could not be reached; ``str()`` is short enough for a status column."""


class Channel:
    """A way to send. ``send`` returns the provider's message id (or "")."""

    name = ""

    def __init__(self, name: str, options: dict[str, Any]):
        self.name = name
        self.options = options

    def can_reach(self, message: Message) -> bool:
        raise NotImplementedError

    def send(self, message: Message) -> str:
        raise NotImplementedError


def get_channel(name: str) -> Channel:
    channels: dict[str, dict[str, Any]] = getattr(settings, "MESSAGE_CHANNELS", {})
    options = channels.get(name)
    if options is None:
        raise ImproperlyConfigured(f"MESSAGE_CHANNELS has no channel {name!r}")
    backend = import_string(options["BACKEND"])
    return backend(name, options)
