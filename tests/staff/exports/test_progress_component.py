"""The progress box of long jobs (templates/staff/admin/includes/progress.html): a failed job never looks
finished, and a page that needs its full result drawn again asks for one reload."""

from __future__ import annotations

import re

from django.template.loader import render_to_string


def bar(**context) -> str:
    html = render_to_string("staff/admin/includes/progress.html", {"status_url": "/s/", **context})
    match = re.search(r"<progress[^>]*>", html)
    assert match is not None, html
    return match.group(0)


def test_a_finished_job_fills_its_bar():
    assert 'value="10"' in bar(state="done", finished=True, done=10, total=10)


def test_a_failed_job_keeps_its_bar_where_it_stopped():
    assert 'value="3"' in bar(state="failed", finished=True, done=3, total=10)


def test_a_failed_job_that_never_counted_shows_an_empty_bar():
    assert 'value="0"' in bar(state="failed", finished=True, done=0, total=0)


def test_the_reload_is_asked_for_only_when_wanted():
    template = "staff/admin/includes/progress.html"
    with_reload = render_to_string(template, {"status_url": "/s/", "reload_when_done": True})
    without = render_to_string(template, {"status_url": "/s/"})
    assert "data-progress-reload" in with_reload and "data-progress-reload" not in without
