"""Prints what would be sent, for development: no provider is called and nothing leaves the machine."""

from __future__ import annotations

import itertools
import sys

from django.utils.translation import gettext

from staff.channels.base import Channel, ChannelError, Message
from staff.channels.email import valid_email
from staff.channels.sms import vietnamese_mobile

_sent = itertools.count(1)


class ConsoleChannel(Channel):
    """Stands in for any channel: under the name "email" it needs an e-mail address, under any other name
    (sms, zalo) a Vietnamese mobile number, as the real channel would, so that development shows the same
    skipped and failed messages as production."""

    def recipient(self, message: Message) -> str:
        if self.name == "email":
            return message.email if valid_email(message.email) else ""
        return vietnamese_mobile(message.phone)

    def can_reach(self, message: Message) -> bool:
        return bool(self.recipient(message))

    def send(self, message: Message) -> str:
        recipient = self.recipient(message)
        if not recipient:
            raise ChannelError(gettext("No valid e-mail address") if self.name == "email"
                               else gettext("No valid mobile number"))
        message_id = f"console-{next(_sent)}"
        lines = [f"--- {self.name} to {recipient} ({message_id}, tracking {message.tracking_id or '-'})"]
        if self.name == "email":
            lines.append(f"Subject: {message.subject}")
        lines.append(message.text)
        if message.template:
            lines.append(f"[template {message.template}: {message.template_data}]")
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        return message_id
