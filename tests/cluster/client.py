"""A browser-like HTTP client for the rehearsal: one signed-in person, their cookies, one connection a request.

A new connection per request, so that a request after an app server died is a fresh try through HAProxy
(a kept-alive connection would only tell us about the one it was on). Every answer records which server
gave it (HAProxy's ``X-Served-By``). Requests carry ``X-Forwarded-Proto: https`` as the TLS-terminating
load balancer of production would (production's cookies are Secure, its CSRF check compares origins).
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGN_IN_MARKERS = (b'name="password"', b"/dang-nhap/")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    served_by: str
    at: float
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def is_sign_in_page(self) -> bool:
        return all(marker in self.body for marker in SIGN_IN_MARKERS)

    def csrf_token(self) -> str | None:
        found = CSRF_INPUT.search(self.body)
        return found.group(1).decode() if found else None


@dataclass
class Client:
    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def request(self, method: str, path: str, *, form: dict[str, str] | None = None) -> Answer:
        parts = urlsplit(self.base_url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        headers = {"Host": f"{host}:{port}", "X-Forwarded-Proto": "https", "Accept-Language": "vi",
                   "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            origin = f"https://{host}:{port}"
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                            "Referer": origin + path})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(status=response.status, body=data, headers=answer_headers,
                      served_by=answer_headers.get("x-served-by", ""), at=time.monotonic(),
                      seconds=time.perf_counter() - started)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self.request("POST", path, form=form)
