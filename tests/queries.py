"""Counting the queries of one page or one build, for the tests that pin a list's query count
(STYLE.md, convention 7: the same fixed number for 1 row and for 30, each query named in a comment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url: str, *, status: int = 200) -> tuple[int, Any]:
    """(number of queries, response) of a GET of ``url``, after a first GET that warms Wagtail's
    per-process caches (site, content types) and anything a first visit creates."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(queries), response


def export_queries(client, url: str) -> tuple[int, bytes]:
    """(number of queries, file) of a list export: a streamed file queries while it streams, so the
    count includes reading the whole body."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(queries), body


def build_queries(build: Callable[[], Any]) -> tuple[int, Any]:
    """(number of queries, result) of calling ``build``."""
    with CaptureQueriesContext(connection) as queries:
        result = build()
    return len(queries), result
