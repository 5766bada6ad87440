"""SMS through eSMS.vn: brandname customer-care messages, one request per message.

Follows eSMS's published API "SendMultipleMessage_V4_post_json" (developers.esms.vn, "Send OTP/Customer care
message"), checked against that page: POST JSON to
``https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/`` with ``ApiKey``,
``SecretKey``, ``Content``, ``Phone``, ``Brandname``, ``SmsType`` ("2": customer care under a registered
brandname), ``IsUnicode`` ("1": the text keeps its Vietnamese diacritics), ``Sandbox`` ("1": validated, not
sent nor charged) and ``RequestId`` (eSMS refuses a second request with the same id, so a retried send does
not reach the official twice; at most 50 characters, kept for the day). The answer is
``{"CodeResult": "100", "SMSID": "…"}`` when accepted, another ``CodeResult`` with ``ErrorMessage`` otherwise
(101 wrong keys, 103 balance too low, 104 unknown brandname, 124 RequestId already used, 146 text not matching
the registered customer-care template), or ``{"error": "Invalid request"}`` (99).

``vietnamese_mobile`` and ``post_json`` are shared with the Zalo ZNS channel (zalo.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from django.utils.translation import gettext

from staff.channels.base import Channel, ChannelError, Message
from staff.models.people import international_phone, phone_key

logger = logging.getLogger(__name__)

SUCCESS = "100"
# Vietnamese mobile numbers since the 2018 renumbering: 0 then 3, 5, 7, 8 or 9, then eight digits.
# Landlines start with 02; anything without the leading 0 (after phone_key) is foreign.
MOBILE = re.compile(r"0[35789]\d{8}")
# A provider's own words are kept short: HR reads them in a status column of 300 characters.
PROVIDER_TEXT_MAX = 200


def vietnamese_mobile(phone: str) -> str:
    """The ``84…`` form of a Vietnamese mobile number as the roster holds it ("0912 345 678",
    "+84 912 345 678"), or "" for a landline, a foreign or an empty number."""
    return international_phone(phone) if MOBILE.fullmatch(phone_key(phone)) else ""


def required_option(channel: Channel, key: str) -> str:
    """A setting the provider cannot do without; refusing here tells HR what to fix instead of sending a
    request the provider can only reject."""
    value = str(channel.options.get(key) or "")
    if not value:
        raise ChannelError(gettext("Not configured: %(option)s") % {"option": f"{channel.name}.{key}"})
    return value


def post_json(url: str, payload: dict[str, Any], *, timeout: float, headers: dict[str, str] | None = None,
              ) -> dict[str, Any]:
    """POST ``payload`` as JSON and return the JSON object answered; any failure to get one (timeout,
    connection refused, an HTTP error, an answer that is not a JSON object) is a ``ChannelError``.

    The exceptions of ``requests`` are not repeated in the error: HR needs the gist, and nothing of the
    request (keys, token, phone number) should reach a status column or a log.
    """
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=timeout)
    except requests.Timeout as exc:
        raise ChannelError(gettext("No answer within %(seconds)s s") % {"seconds": f"{timeout:g}"}) from exc
    except requests.RequestException as exc:
        raise ChannelError(gettext("Provider unreachable")) from exc
    if not response.ok:
        raise ChannelError(gettext("Provider answered HTTP %(status)s") % {"status": response.status_code})
    try:
        answer = response.json()
    except ValueError as exc:
        raise ChannelError(gettext("Unreadable answer from the provider")) from exc
    if not isinstance(answer, dict):
        raise ChannelError(gettext("Unreadable answer from the provider"))
    return answer


def provider_text(value: object) -> str:
    return " ".join(str(value or "").split())[:PROVIDER_TEXT_MAX]


def is_ascii(text: str) -> bool:
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        return False
    return True


class EsmsChannel(Channel):
    """Brandname SMS through eSMS.vn. Options: URL, API_KEY, SECRET_KEY, BRANDNAME, TIMEOUT (seconds),
    SANDBOX (optional, true to have eSMS validate requests without sending)."""

    def can_reach(self, message: Message) -> bool:
        return bool(vietnamese_mobile(message.phone))

    def send(self, message: Message) -> str:
        phone = vietnamese_mobile(message.phone)
        if not phone:
            raise ChannelError(gettext("No valid mobile number"))
        payload = {
            "ApiKey": required_option(self, "API_KEY"),
            "SecretKey": required_option(self, "SECRET_KEY"),
            "Content": message.text,
            "Phone": phone,
            "Brandname": required_option(self, "BRANDNAME"),
            "SmsType": "2",
            # Unicode SMS hold 70 characters a part instead of 160: plain ASCII texts go as such.
            "IsUnicode": "0" if is_ascii(message.text) else "1",
            "Sandbox": "1" if self.options.get("SANDBOX") else "0",
            "RequestId": message.tracking_id,
        }
        answer = post_json(required_option(self, "URL"), payload, timeout=float(self.options.get("TIMEOUT", 10)))
        code = provider_text(answer.get("CodeResult"))
        if code != SUCCESS:
            # eSMS's code 99 ("Invalid request") comes as {"error": "…"}, without CodeResult.
            error = provider_text(answer.get("ErrorMessage") or answer.get("error"))
            logger.warning("eSMS refused message %s: CodeResult %s %s", message.tracking_id, code, error)
            raise ChannelError(gettext("eSMS error %(code)s: %(message)s") % {"code": code or "?", "message": error})
        sms_id = provider_text(answer.get("SMSID"))
        logger.info("eSMS accepted message %s as %s", message.tracking_id, sms_id)
        return sms_id
