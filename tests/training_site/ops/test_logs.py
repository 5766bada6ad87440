"""Every log line names the request or the task that wrote it, and LOG_FORMAT=json writes it as one JSON object
that a log collector parses back, Vietnamese intact."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django_tasks import task

from tests.processes import app_server
from tests.staff.accounts.test_lockout_processes import database_url
from training_site.ops.logs import JsonFormatter, RequestIdFilter, current_request_id, log_id

logger = logging.getLogger("staff.enrollment")

OFFICIAL = "Nguyễn Thị Hồng Hải"
SESSION = "Kỹ năng số cho cán bộ phường — khoá 3"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def enroll_view(request: HttpRequest) -> HttpResponse:
    logger.info("Đã ghi danh %s vào lớp «%s»", OFFICIAL, SESSION, extra={"session_code": "KNS-03", "seats_left": 4})
    return HttpResponse("ok")


def failing_view(request: HttpRequest) -> HttpResponse:
    try:
        periods_per_day = 12 // len(request.GET.getlist("ngay"))
    except ZeroDivisionError:
        logger.exception("Không tính được số tiết của %s", OFFICIAL)
        periods_per_day = 0
    return HttpResponse(str(periods_per_day))


def missing_view(request: HttpRequest) -> HttpResponse:
    # Django logs "Not Found" itself, after the middleware has answered.
    return HttpResponse("không có", status=404)


urlpatterns = [
    path("ghi-danh", enroll_view),
    path("loi", failing_view),
    path("khong-co", missing_view),
]


@task()
def send_reminder(official: str) -> None:
    logger.info("Đã gửi nhắc lịch học cho %s", official)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The console handler as settings build it with LOG_FORMAT=json: the request-id filter, the JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# --- the request id ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given", ["3f0c8a52-5d1e-4b8e-9a51-0c2b7e9d4f11", "7f3a9c.haproxy-1_0042"])
def test_the_load_balancers_request_id_is_kept_and_returned(client, given):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


def test_a_request_without_an_id_is_given_a_new_one_each_time(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("given", [
    "x" * 65,                                   # longer than any id we accept
    "a b",                                      # a space
    'id"} {"level": "CRITICAL',                 # an attempt to forge a log line
    "id\u00e9",                                 # not ASCII
    "",
])
def test_a_request_id_that_is_not_a_sane_token_is_replaced(client, given):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert GENERATED_ID.fullmatch(returned)


def test_the_longest_sane_id_is_kept(client):
    given = "a" * 64
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.urls(__name__)
def test_the_view_sees_the_id_on_the_request_and_no_id_is_left_once_it_has_answered(client, json_lines):
    response = client.get("/ghi-danh", HTTP_X_REQUEST_ID="req-42")
    assert response.wsgi_request.request_id == "req-42"
    assert current_request_id() is None


# --- the JSON line --------------------------------------------------------------------------------------------

@pytest.mark.urls(__name__)
def test_a_json_line_carries_the_id_of_the_request_that_logged_it_and_the_vietnamese_intact(client, json_lines,
                                                                                             settings):
    settings.OPS_HOST_NAME = "app-2"
    request_id = client.get("/ghi-danh")["X-Request-ID"]
    client.get("/ghi-danh", HTTP_X_REQUEST_ID="another-request")
    raw = json_lines.getvalue().splitlines()
    enrolled = [line for line in lines(json_lines) if line["logger"] == "staff.enrollment"]
    assert [line["request_id"] for line in enrolled] == [request_id, "another-request"]
    line = enrolled[0]
    assert line["message"] == f"Đã ghi danh {OFFICIAL} vào lớp «{SESSION}»"
    assert OFFICIAL in raw[0]  # as written, not as \u escapes: readable in the collector
    assert line["level"] == "INFO"
    assert line["host"] == "app-2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert line["session_code"] == "KNS-03" and line["seats_left"] == 4
    assert "exc_info" not in line


@pytest.mark.urls(__name__)
def test_an_error_is_one_line_with_its_traceback_as_text(client, json_lines):
    request_id = client.get("/loi")["X-Request-ID"]
    raw = json_lines.getvalue().splitlines()
    assert len(raw) == 1
    line = json.loads(raw[0])
    assert line["level"] == "ERROR"
    assert line["request_id"] == request_id
    assert line["message"] == f"Không tính được số tiết của {OFFICIAL}"
    assert line["exc_info"].startswith("Traceback")
    assert "ZeroDivisionError" in line["exc_info"]


@pytest.mark.urls(__name__)
def test_djangos_own_not_found_line_carries_the_request_id_too(client, db, json_lines):
    request_id = client.get("/khong-co?ma=bi-mat")["X-Request-ID"]
    not_found = [line for line in lines(json_lines) if line["logger"] == "django.request"]
    assert len(not_found) == 1
    assert not_found[0]["message"] == "Not Found: /khong-co"
    assert not_found[0]["request_id"] == request_id
    assert not_found[0]["status_code"] == 404
    assert not_found[0]["request"] == "GET /khong-co"  # without its query string, which may hold a token


def test_an_extra_named_like_a_field_of_ours_is_kept_beside_it(json_lines, settings):
    settings.OPS_HOST_NAME = "app-1"
    logger.warning("Tiến trình nền không còn nhịp", extra={"host": "worker-3", "worker_id": "w-7"})
    (line,) = lines(json_lines)
    assert line["host"] == "app-1"
    assert line["extra_host"] == "worker-3" and line["worker_id"] == "w-7"


def test_a_line_outside_any_request_has_a_dash_for_its_id(json_lines, settings):
    settings.OPS_HOST_NAME = ""
    logger.warning("Lịch nhắc chạy lúc %s", "06:00")
    (line,) = lines(json_lines)
    assert line["request_id"] == "-"
    assert line["host"]  # the machine's name when OPS_HOST_NAME is not set


def test_a_named_piece_of_work_logs_with_its_name(json_lines):
    with log_id("run-reminders-2026-12-07T06"):
        logger.info("Bắt đầu")
    logger.info("Xong")
    assert [line["request_id"] for line in lines(json_lines)] == ["run-reminders-2026-12-07T06", "-"]


# --- background tasks -----------------------------------------------------------------------------------------

def test_a_tasks_lines_carry_its_id_and_the_callers_id_comes_back_after(json_lines):
    with log_id("req-that-enqueued"):
        result = send_reminder.enqueue(OFFICIAL)
        logger.info("Đã xếp hàng")
    reminder, after = [line for line in lines(json_lines) if line["logger"] == "staff.enrollment"]
    assert reminder["request_id"] == f"task-{result.id}"
    assert reminder["message"] == f"Đã gửi nhắc lịch học cho {OFFICIAL}"
    assert after["request_id"] == "req-that-enqueued"


# --- as deployed ----------------------------------------------------------------------------------------------

def test_an_app_server_with_log_format_json_writes_parsable_lines_with_the_request_id(transactional_db):
    # transactional_db: the server's own connection reads the test database, no transaction held open here.
    url = database_url()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "training_site.settings.test", "DATABASE_URL": url,
                   "DEBUG": "false", "LOG_FORMAT": "json", "OPS_HOST_NAME": "app-json-1"}
    with tempfile.TemporaryDirectory(prefix="json-logs-") as folder, \
            app_server(environment, log=Path(folder) / "app.log") as server:
        ready = requests.get(f"{server.url}/readyz", headers={"X-Request-ID": "lb-ready-1"}, timeout=10)
        missing = requests.get(f"{server.url}/khong-co-trang-nay/", headers={"X-Request-ID": "lb-missing-1"},
                               timeout=10)
        output = server.running.output(tail=200_000)
    assert ready.status_code == 200, ready.text
    assert ready.headers["X-Request-ID"] == "lb-ready-1"
    assert missing.status_code == 404
    # gunicorn's own lines are not ours; every line of Django's is one JSON object.
    ours = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    (not_found,) = [line for line in ours if line["request_id"] == "lb-missing-1"]
    assert not_found["message"] == "Not Found: /khong-co-trang-nay/"
    assert not_found["logger"] == "django.request" and not_found["level"] == "WARNING"
    assert not_found["host"] == "app-json-1"


def test_a_task_run_by_a_database_worker_logs_with_its_id(db, json_lines, settings):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_reminder.enqueue("Trần Văn Bình")
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=1, worker_id="w-test", excluded_queue_names=[])
    worker.run_task(DBTaskResult.objects.get(pk=result.id))
    (reminder,) = [line for line in lines(json_lines) if line["logger"] == "staff.enrollment"]
    assert reminder["request_id"] == f"task-{result.id}"
    assert reminder["message"] == "Đã gửi nhắc lịch học cho Trần Văn Bình"
    assert current_request_id() is None
