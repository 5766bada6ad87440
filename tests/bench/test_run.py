"""The benchmark runner's pure parts (tests/bench/city/table.py, report.py, load.py's parsing): no server,
no database, milliseconds. The runner itself runs in CI as `make bench-smoke`."""

from __future__ import annotations

import pytest

from tests.bench.city import paths, report
from tests.bench.city.load import Answer, page_problem, parse_wrk
from tests.bench.city.measure import measure
from tests.bench.city.scale import fill, hr_requests
from tests.bench.city.table import (
    COLUMNS,
    Row,
    all_met,
    growth,
    markdown_table,
    met_at_least,
    met_at_most,
    percentile,
    queries_cell,
    ratio,
    text_table,
)


def test_percentiles_interpolate_between_ranks():
    values = [0.4, 0.1, 0.3, 0.2, 0.5]
    assert percentile(values, 0.5) == 0.3
    assert percentile(values, 0.95) == pytest.approx(0.48)
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) is None
    assert percentile(list(range(1, 101)), 0.95) == pytest.approx(95.05)


def test_ratios_targets_and_growth():
    assert ratio(2.0, 4.0) == 0.5
    assert ratio(None, 4.0) is None and ratio(1.0, 0) is None
    assert met_at_least(0.5, 0.5) is True and met_at_least(0.49, 0.5) is False and met_at_least(None, 1) is None
    assert met_at_most(0.3, 0.3) is True and met_at_most(0.31, 0.3) is False
    assert all_met(True, True) is True
    assert all_met(True, None) is None
    assert all_met(None, False) is False
    assert growth(0.1, 0.15) == pytest.approx(1.5)
    assert queries_cell(17, 17) == ("17", True)
    assert queries_cell(17, 19) == ("17→19 ≠", False)
    assert queries_cell(None, 12) == ("12", None)


def test_tables_have_every_column_and_escape_markdown():
    rows = [Row(path="enrollments [city]", ours="120/250 ms", ratio=2.5, target="p95 ≤ 300 ms", met=True,
                growth=1.1, queries="18"),
            Row(path="a|b", ours="not measured", met=None, note="no module")]
    text = text_table(rows)
    assert text.splitlines()[0].split() == [c for column in COLUMNS for c in column.split()]
    assert "2.50×" in text and "yes" in text and "- a|b: no module" in text
    markdown = markdown_table(rows)
    assert markdown.splitlines()[0] == "| " + " | ".join(COLUMNS) + " |"
    assert "a\\|b" in markdown and "| ? |" in markdown


def test_page_problem_refuses_redirects_and_the_sign_in_page():
    assert page_problem(Answer(200, b"<h1>Officials</h1>", {}, 0.1)) is None
    assert page_problem(Answer(302, b"", {"location": "/admin/login/"}, 0.1)) == "status 302 /admin/login/"
    login = b'<form action="/dang-nhap/"><input name="password"></form>'
    assert page_problem(Answer(200, login, {}, 0.1)) == "the sign-in page"


def test_wrk_summary_is_read():
    output = """Running 2s test @ http://127.0.0.1:1/
  2 threads and 6 connections
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1547.21
Transfer/sec:    300.00KB
"""
    assert parse_wrk(output) == {"rps": 1547.21, "non_2xx": 4, "socket_errors": 3}
    assert parse_wrk("nothing")["rps"] is None


def test_url_templates_are_filled_and_quoted_or_skipped():
    assert fill("/admin/officials/?q={q}", {"q": "Nguyễn"}) == "/admin/officials/?q=Nguy%E1%BB%85n"
    assert fill("/admin/classes/{session}/", {"session": None}) is None
    prep = {"fill": {"ward": 5, "session": 9, "ward_session": 8, "organizer_session": 7, "q": "Lê"}}
    urls = hr_requests(prep)
    assert len(urls) == len(paths.HR_PATHS)
    assert urls["class roster [organizer]"] == ("organizer", "/admin/classes/7/")


def test_a_missing_document_module_is_not_measured():
    assert measure("no_such_module:f", env={}, timeout=5)["status"] == "not measured"


def scale(p95: float, queries: int, rps: float, seconds: float, confirmed: int = 30) -> dict:
    key = "enrollments [city]"
    return {
        "database": "x", "counts": {"officials": 10},
        "hr": {key: {"url": "/admin/enrollments/", "p50": p95 / 2, "p95": p95, "errors": [], "error_count": 0}},
        "hr_floor": {"p95": 0.01},
        "public": {"home": {"rps": rps}, "floor": {"rps": 1000.0}},
        "queries": {key: {"queries": queries}},
        "race": {"officials": 200, "seats": 30, "confirmed": confirmed, "waitlisted": 200 - confirmed,
                 "expected_confirmed": 30, "correct": confirmed == 30, "p50": 0.1, "p95": 0.2, "error_count": 0},
        "documents": {
            "exports:records_export": {"status": "ok", "seconds": seconds, "items": 1000, "peak_mb": 150,
                                       "items_per_second": 1000 / seconds},
            "exports:records_export_floor": {"status": "ok", "seconds": 1.0, "items": 1000, "peak_mb": 90,
                                             "items_per_second": 1000.0},
        },
    }


def test_rows_compare_the_scales_and_check_the_targets():
    rows = {row.path: row for row in report.rows(scale(0.1, 18, 600, 1.0), scale(0.2, 19, 400, 1.1))}
    enrollments = rows["enrollments [city]"]
    assert enrollments.growth == pytest.approx(2.0)
    assert enrollments.queries == "18→19 ≠"
    assert enrollments.met is False  # p95 fine, but it grew 2× and its query count changed
    home = rows["home (public)"]
    assert home.ratio == pytest.approx(0.4) and home.met is False
    assert home.growth == pytest.approx(1.5)  # 600 → 400 requests per second: each costs 1.5× more
    export = rows["training-records export"]
    assert export.ratio == pytest.approx(1 / 1.1) and export.met is True and export.peak_mb == 150
    race = next(row for path, row in rows.items() if path.startswith("seat race"))
    assert race.met is True
    assert rows["roster import"].ours == "not measured" and rows["roster import"].met is None


def test_a_wrong_seat_count_is_not_met():
    rows = report.rows(None, scale(0.1, 18, 600, 1.0, confirmed=31))
    race = next(row for row in rows if row.path.startswith("seat race"))
    assert race.met is False


def test_only_wrong_results_fail_the_run():
    from tests.bench.city.run import problems_of

    assert problems_of({"tenth": None, "city": scale(9.0, 18, 1, 100.0)}) == []  # slow is never a failure
    wrong = scale(0.1, 18, 600, 1.0, confirmed=31)
    wrong["hr"]["enrollments [city]"].update(errors=["status 500"], error_count=1)
    found = problems_of({"tenth": None, "city": wrong})
    assert len(found) == 2 and "seat race" in found[1] and "status 500" in found[0]
