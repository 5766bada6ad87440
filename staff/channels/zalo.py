"""Zalo ZNS: a template the Official Account had approved, sent to the Zalo account of a phone number.

Follows Zalo's published ZNS API ("Gửi ZNS", developers.zalo.me/docs/zalo-notification-service): POST
``https://business.openapi.zalo.me/message/template`` with the OA's token in an ``access_token`` header and
the JSON ``{"phone": "84…", "template_id": "…", "template_data": {…}, "tracking_id": "…"}``; the answer is
``{"error": 0, "message": "Success", "data": {"msg_id": "…", …}}`` when accepted, a non-zero (usually
negative) ``error`` with its ``message`` otherwise. Zalo's own page was not among the documentation this was
checked against; the endpoint, header, fields and answer match the SDKs and integrations that were, and the
ZNS pages of resellers (eTelecom) that pass the same fields through.

Our template names map onto Zalo's ids through options: template "invitation" is sent with the id in
``TEMPLATE_INVITATION``.
"""

from __future__ import annotations

import logging
import re

from django.utils.translation import gettext

from staff.channels.base import Channel, ChannelError, Message
from staff.channels.sms import post_json, provider_text, required_option, vietnamese_mobile

logger = logging.getLogger(__name__)

TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class ZaloZnsChannel(Channel):
    """ZNS through Zalo's Business Open API. Options: URL, ACCESS_TOKEN, TIMEOUT (seconds) and one
    TEMPLATE_<NAME> per template we send (TEMPLATE_INVITATION)."""

    def can_reach(self, message: Message) -> bool:
        return bool(vietnamese_mobile(message.phone))

    def template_id(self, template: str) -> str:
        key = f"TEMPLATE_{template.upper()}"
        if not TEMPLATE_NAME.fullmatch(template) or key not in self.options:
            raise ChannelError(gettext("No Zalo template for %(template)s") % {"template": template or "-"})
        return required_option(self, key)

    def send(self, message: Message) -> str:
        phone = vietnamese_mobile(message.phone)
        if not phone:
            raise ChannelError(gettext("No valid mobile number"))
        payload = {
            "phone": phone,
            "template_id": self.template_id(message.template),
            "template_data": message.template_data,
            "tracking_id": message.tracking_id,
        }
        answer = post_json(required_option(self, "URL"), payload, timeout=float(self.options.get("TIMEOUT", 10)),
                           headers={"access_token": required_option(self, "ACCESS_TOKEN")})
        error = answer.get("error")
        if error != 0:
            text = provider_text(answer.get("message"))
            logger.warning("Zalo ZNS refused message %s: error %s %s", message.tracking_id, error, text)
            raise ChannelError(gettext("Zalo error %(code)s: %(message)s")
                               % {"code": provider_text(error) or "?", "message": text})
        data = answer.get("data")
        msg_id = provider_text(data.get("msg_id")) if isinstance(data, dict) else ""
        logger.info("Zalo ZNS accepted message %s as %s", message.tracking_id, msg_id)
        return msg_id
