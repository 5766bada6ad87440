"""The message channels against a real HTTP server on 127.0.0.1 that checks each request as eSMS and Zalo
document it and answers as they do; e-mail through Django's outbox; the console for development."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from staff.channels import ChannelError, Message, get_channel
from staff.channels.sms import vietnamese_mobile

ESMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_PATH = "/message/template"
API_KEY, SECRET_KEY, TOKEN = "api-key-1", "secret-key-2", "zalo-oa-token-3"
TEXT = "Kính gửi Nguyễn Thị Hồng Hải: kích hoạt tài khoản Bồi dưỡng CBCC tại https://dao-tao.example.invalid/k/abc"
SUBJECT = "Mời kích hoạt tài khoản Bồi dưỡng CBCC"
TEMPLATE_DATA = {"name": "Nguyễn Thị Hồng Hải", "employee_code": "CB-A-1",
                 "link": "https://dao-tao.example.invalid/k/abc", "expires": "15/01/2027"}
NOT_MOBILE = ["024 3825 1234", "+84 24 3825 1234", "+1 202 555 0143", "+33 6 12 34 56 78", "0912 345", ""]


def message(phone: str = "0912 345 678", **overrides: Any) -> Message:
    values: dict[str, Any] = {"subject": SUBJECT, "text": TEXT, "email": "hai.nguyen@example.invalid",
                              "phone": phone, "template": "invitation", "template_data": TEMPLATE_DATA,
                              "tracking_id": "inv-42"}
    return Message(**{**values, **overrides})


# --- A provider on 127.0.0.1 -----------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Provider:
    """What the server received, and what it answers next (status, JSON body, seconds of silence first)."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    answer: Any = None
    delay: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def only_request(self) -> Received:
        assert len(self.received) == 1, self.received
        return self.received[0]


class ProviderServer(ThreadingHTTPServer):
    provider: Provider


class Handler(BaseHTTPRequestHandler):
    server: ProviderServer

    def do_POST(self) -> None:
        self.answer()

    def do_GET(self) -> None:
        self.answer()

    def answer(self) -> None:
        provider = self.server.provider
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        provider.received.append(Received(self.command, self.path,
                                          {name.lower(): value for name, value in self.headers.items()}, body))
        if provider.delay:
            provider.released.wait(provider.delay)
        data = json.dumps(provider.answer).encode()
        try:
            self.send_response(provider.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting: what the timeout test is about

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def provider() -> Iterator[Provider]:
    server = ProviderServer(("127.0.0.1", 0), Handler)
    server.provider = Provider(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.provider
    server.provider.released.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def channels(sms_url: str = "", zalo_url: str = "", **sms_options: Any) -> dict[str, dict[str, Any]]:
    return {
        "email": {"BACKEND": "staff.channels.email.EmailChannel"},
        "sms": {"BACKEND": "staff.channels.sms.EsmsChannel", "URL": sms_url + ESMS_PATH, "API_KEY": API_KEY,
                "SECRET_KEY": SECRET_KEY, "BRANDNAME": "BOIDUONG", "TIMEOUT": 1, **sms_options},
        "zalo": {"BACKEND": "staff.channels.zalo.ZaloZnsChannel", "URL": zalo_url + ZNS_PATH,
                 "ACCESS_TOKEN": TOKEN, "TEMPLATE_INVITATION": "301245", "TIMEOUT": 1},
    }


CONSOLES = {"email": {"BACKEND": "staff.channels.console.ConsoleChannel"},
            "sms": {"BACKEND": "staff.channels.console.ConsoleChannel"}}


ESMS_ACCEPTED = {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459ee42b2b9525ba9eabf6a8156"}
ZNS_ACCEPTED = {"error": 0, "message": "Success",
                "data": {"msg_id": "a0b1c2d3e4f5", "sent_time": "1767225600000",
                         "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}


# --- Phone numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"])
def test_a_vietnamese_mobile_number_is_written_84_for_the_providers(phone):
    assert vietnamese_mobile(phone) == "84912345678"


@pytest.mark.parametrize("phone", NOT_MOBILE)
def test_a_landline_a_foreign_or_a_missing_number_is_no_mobile(phone):
    assert vietnamese_mobile(phone) == ""


# --- eSMS -------------------------------------------------------------------------------------------


def test_esms_receives_the_documented_fields_and_its_sms_id_is_returned(provider):
    provider.answer = ESMS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(provider.url)):
        sms_id = get_channel("sms").send(message())

    assert sms_id == "d533459ee42b2b9525ba9eabf6a8156"
    request = provider.only_request
    assert (request.method, request.path) == ("POST", ESMS_PATH)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"ApiKey": API_KEY, "SecretKey": SECRET_KEY, "Content": TEXT, "Phone": "84912345678",
                              "Brandname": "BOIDUONG", "SmsType": "2", "IsUnicode": "1", "Sandbox": "0",
                              "RequestId": "inv-42"}


def test_esms_gets_a_text_without_diacritics_as_non_unicode_and_a_sandbox_request_when_asked(provider):
    provider.answer = ESMS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(provider.url, SANDBOX=True)):
        get_channel("sms").send(message(text="Kich hoat tai khoan: https://dao-tao.example.invalid/k/abc"))

    body = provider.only_request.json()
    assert (body["IsUnicode"], body["Sandbox"]) == ("0", "1")


@pytest.mark.parametrize(("answer", "expected"), [
    ({"CodeResult": "101", "CountRegenerate": 0, "ErrorMessage": "Authorize Failed"}, "101: Authorize Failed"),
    ({"CodeResult": "104", "CountRegenerate": 0, "ErrorMessage": "Brand name code is not exist"}, "104"),
    ({"CodeResult": "124", "CountRegenerate": 0, "ErrorMessage": "Request exist 1", "SendStatus": "5"}, "124"),
    ({"error": "Invalid request"}, "Invalid request"),
])
def test_an_esms_refusal_is_a_channel_error_with_its_code(provider, answer, expected):
    provider.answer = answer

    with override_settings(MESSAGE_CHANNELS=channels(provider.url)), pytest.raises(ChannelError) as refused:
        get_channel("sms").send(message())

    assert expected in str(refused.value)
    assert API_KEY not in str(refused.value) and SECRET_KEY not in str(refused.value)


def test_an_esms_http_error_is_a_channel_error_with_the_status(provider):
    provider.status, provider.answer = 503, {"Message": "Service Unavailable"}

    with override_settings(MESSAGE_CHANNELS=channels(provider.url)), pytest.raises(ChannelError, match="503"):
        get_channel("sms").send(message())


def test_sms_to_a_server_that_is_down_is_a_channel_error(closed_port_url):
    with override_settings(MESSAGE_CHANNELS=channels(closed_port_url)), pytest.raises(ChannelError):
        get_channel("sms").send(message())


def test_sms_gives_up_after_the_timeout_with_a_channel_error(provider):
    provider.answer, provider.delay = ESMS_ACCEPTED, 3
    started = time.monotonic()

    with override_settings(MESSAGE_CHANNELS=channels(provider.url)), pytest.raises(ChannelError):
        get_channel("sms").send(message())

    assert time.monotonic() - started < 2.5  # TIMEOUT is 1 s; the server would answer after 3
    assert len(provider.received) == 1


@pytest.mark.parametrize("phone", NOT_MOBILE)
def test_sms_cannot_reach_a_landline_a_foreign_or_a_missing_number_and_sends_nothing(provider, phone):
    provider.answer = ESMS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(provider.url)):
        sms = get_channel("sms")
        assert not sms.can_reach(message(phone))
        with pytest.raises(ChannelError):
            sms.send(message(phone))

    assert sms.can_reach(message("0912 345 678"))
    assert provider.received == []


def test_sms_without_its_keys_is_refused_before_any_request(provider):
    provider.answer = ESMS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(provider.url, API_KEY="")):
        with pytest.raises(ChannelError, match="API_KEY"):
            get_channel("sms").send(message())

    assert provider.received == []


# --- Zalo ZNS ---------------------------------------------------------------------------------------


def test_zalo_receives_the_token_header_and_the_documented_fields_and_its_msg_id_is_returned(provider):
    provider.answer = ZNS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=provider.url)):
        msg_id = get_channel("zalo").send(message())

    assert msg_id == "a0b1c2d3e4f5"
    request = provider.only_request
    assert (request.method, request.path) == ("POST", ZNS_PATH)
    assert request.headers["access_token"] == TOKEN
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"phone": "84912345678", "template_id": "301245", "template_data": TEMPLATE_DATA,
                              "tracking_id": "inv-42"}


@pytest.mark.parametrize(("answer", "code"), [
    ({"error": -124, "message": "Access token invalid"}, "-124"),
    ({"error": -108, "message": "Phone number invalid"}, "-108"),
])
def test_a_zalo_refusal_is_a_channel_error_with_its_code_and_message(provider, answer, code):
    provider.answer = answer

    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=provider.url)), pytest.raises(ChannelError) as refused:
        get_channel("zalo").send(message())

    assert code in str(refused.value) and answer["message"] in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_a_zalo_answer_that_is_not_json_is_a_channel_error(provider):
    provider.answer = "<html>Bad gateway</html>"  # a JSON string, not the object Zalo answers

    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=provider.url)), pytest.raises(ChannelError):
        get_channel("zalo").send(message())


def test_zalo_refuses_a_template_it_has_no_id_for_before_any_request(provider):
    provider.answer = ZNS_ACCEPTED

    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=provider.url)):
        with pytest.raises(ChannelError, match="reminder"):
            get_channel("zalo").send(message(template="reminder"))

    assert provider.received == []


def test_zalo_to_a_server_that_is_down_is_a_channel_error(closed_port_url):
    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=closed_port_url)), pytest.raises(ChannelError):
        get_channel("zalo").send(message())


def test_zalo_gives_up_after_the_timeout_with_a_channel_error(provider):
    provider.answer, provider.delay = ZNS_ACCEPTED, 3
    started = time.monotonic()

    with override_settings(MESSAGE_CHANNELS=channels(zalo_url=provider.url)), pytest.raises(ChannelError):
        get_channel("zalo").send(message())

    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("phone", NOT_MOBILE)
def test_zalo_cannot_reach_a_landline_a_foreign_or_a_missing_number(phone):
    with override_settings(MESSAGE_CHANNELS=channels()):
        zalo = get_channel("zalo")
        assert not zalo.can_reach(message(phone))
        assert zalo.can_reach(message("+84 912 345 678"))


# --- E-mail, console, configuration -----------------------------------------------------------------


def test_email_puts_the_vietnamese_subject_and_text_in_the_outbox(mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "dao-tao@example.invalid"

    with override_settings(MESSAGE_CHANNELS=channels()):
        assert get_channel("email").send(message()) == ""

    (mail,) = mailoutbox
    assert (mail.from_email, mail.to) == ("dao-tao@example.invalid", ["hai.nguyen@example.invalid"])
    # What a mail program reads back from the bytes that would go on the wire.
    sent = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    assert sent["Subject"].strip() == SUBJECT  # encoded words folded onto the next line leave a space first
    assert sent.get_content().strip() == TEXT


@pytest.mark.parametrize("address", ["", "hai.nguyen", "hai nguyen@example.invalid"])
def test_email_cannot_reach_an_official_without_a_valid_address_and_sends_nothing(mailoutbox, address):
    with override_settings(MESSAGE_CHANNELS=channels()):
        channel = get_channel("email")
        assert not channel.can_reach(message(email=address))
        with pytest.raises(ChannelError):
            channel.send(message(email=address))

    assert mailoutbox == []


def test_the_console_prints_channel_recipient_and_text_and_gives_a_new_id_each_time(capsys):
    with override_settings(MESSAGE_CHANNELS=CONSOLES):
        first = get_channel("sms").send(message())
        second = get_channel("sms").send(message())

    printed = capsys.readouterr().out
    assert "sms to 84912345678" in printed and TEXT in printed
    assert first.startswith("console-") and second.startswith("console-") and first != second


def test_the_console_reaches_whom_the_channel_it_stands_for_would_and_prints_nothing_else(capsys):
    with override_settings(MESSAGE_CHANNELS=CONSOLES):
        as_sms, as_email = get_channel("sms"), get_channel("email")

        assert as_sms.can_reach(message(email="")) and not as_sms.can_reach(message("024 3825 1234"))
        assert as_email.can_reach(message(phone="")) and not as_email.can_reach(message(email=""))
        with pytest.raises(ChannelError):
            as_sms.send(message("+1 202 555 0143"))
        with pytest.raises(ChannelError):
            as_email.send(message(email=""))

    assert capsys.readouterr().out == ""


def test_an_unknown_channel_is_improperly_configured():
    with override_settings(MESSAGE_CHANNELS=channels()), pytest.raises(ImproperlyConfigured, match="fax"):
        get_channel("fax")
