"""E-mail through Django's mail backend (SMTP in production, the console in development)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.translation import gettext

from staff.channels.base import Channel, ChannelError, Message


def valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


class EmailChannel(Channel):
    """The message's subject and text to its e-mail address, from DEFAULT_FROM_EMAIL. Mail servers give no
    message id worth keeping: ``send`` returns ""."""

    def can_reach(self, message: Message) -> bool:
        return valid_email(message.email)

    def send(self, message: Message) -> str:
        if not self.can_reach(message):
            raise ChannelError(gettext("No valid e-mail address"))
        # A header cannot hold a line break (Django refuses it): a subject rendered from a template may.
        subject = " ".join(message.subject.split())
        mail = EmailMultiAlternatives(subject, message.text, settings.DEFAULT_FROM_EMAIL, [message.email])
        try:
            mail.send()
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(gettext("Mail server refused or unreachable")) from exc
        return ""
