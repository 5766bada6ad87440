"""One JSON object per log line, each with the id of the request (or background task) that wrote it.

Several app servers and workers write to one log collector: a line is only useful if it says which host
wrote it and which request it belongs to. The load balancer names each request in ``X-Request-ID`` (its
own log line carries the same id); we keep that name, or make one, for every line logged while the request
runs, and send it back in the answer, so that a user's "error 500 at 10:42" is found by one search.

- ``RequestIdMiddleware`` (first in MIDDLEWARE) sets the id; ``current_request_id()`` reads it.
- ``RequestIdFilter`` (on the console handler) puts it on every record as ``record.request_id``.
- ``JsonFormatter`` (LOG_FORMAT=json) writes the line.
- A background task's lines carry ``task-<task id>`` while it runs (django-tasks' started/finished
  signals), in a worker and in the in-process backend alike; ``log_id()`` names other work the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_tasks.signals import task_finished, task_started

HEADER = "X-Request-ID"
# What we accept from the load balancer: HAProxy's unique-id, a uuid, a trace id. Anything else (too long,
# spaces, quotes, newlines) could forge or break log lines, and is replaced by an id of our own.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_ID = "-"

_current_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_HOST_NAME = socket.gethostname()


def current_request_id() -> str | None:
    """The id of the request or task running in this context, if any."""
    return _current_id.get()


def request_id_from(given: str | None) -> str:
    """The load balancer's id when it is a sane token, else a new one."""
    if given and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@contextmanager
def log_id(value: str) -> Iterator[str]:
    """Inside: every line logged in this context carries ``value`` (a scheduled run, a command)."""
    token = _current_id.set(value)
    try:
        yield value
    finally:
        _current_id.reset(token)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every other middleware's lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        with log_id(request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``"-"`` outside any request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _record_request_id(record)
        return True


def _record_request_id(record: logging.LogRecord) -> str:
    # Django logs a 4xx/5xx answer ("Not Found: /x") after the middleware has returned, with the request
    # attached to the record: its id is still on the request.
    request = getattr(record, "request", None)
    return current_request_id() or getattr(request, "request_id", None) or NO_ID


# The attributes every LogRecord has (whatever the Python version), and those formatting adds: anything else
# on a record came from ``extra=`` and goes into the line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _jsonable(value: object) -> object:
    if isinstance(value, HttpRequest):
        # Django's own lines attach the request: its method and path say enough (a query string may hold a token).
        return f"{value.method} {value.path}"
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; Vietnamese kept as written (ensure_ascii=False), newlines escaped."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _record_request_id(record),
            "host": getattr(settings, "OPS_HOST_NAME", "") or _HOST_NAME,
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        for name, value in vars(record).items():
            if name in _RECORD_ATTRIBUTES or name.startswith("_") or name == "request_id":
                continue
            # An extra named like one of ours ("host" of a worker's heartbeat) is kept beside it, not over it.
            entry[f"extra_{name}" if name in entry else name] = value
        return json.dumps(entry, ensure_ascii=False, default=_jsonable)


# A task's lines carry its id while it runs. The tokens are kept by task id so that the id in place before
# (a request's, when the in-process backend runs a task after the request's commit) comes back afterwards.
_task_tokens: dict[str, Token[str | None]] = {}


@receiver(task_started, dispatch_uid="training_site.ops.logs.task_started")
def _task_started(sender: type, task_result: Any, **kwargs: object) -> None:
    _task_tokens[str(task_result.id)] = _current_id.set(f"task-{task_result.id}")


@receiver(task_finished, dispatch_uid="training_site.ops.logs.task_finished")
def _task_finished(sender: type, task_result: Any, **kwargs: object) -> None:
    token = _task_tokens.pop(str(task_result.id), None)
    if token is None:
        return
    try:
        _current_id.reset(token)
    except ValueError:
        # Finished in another context than it started in (not in today's backends): forget the id.
        _current_id.set(None)
