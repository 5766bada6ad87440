"""The rehearsal's pure parts, checked in milliseconds (the rehearsal itself is `make cluster`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import haproxy
from tests.cluster.report import Step, markdown
from tests.cluster.steps import scheduler_lines
from training_site.ops.scheduler import Outcome, Result

PERIOD = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC)


def outcome(result: Result, *, tried: str, holder: str) -> Outcome:
    """An outcome as the scheduler makes it (with ``holder`` where the scheduler has that field)."""
    names = {field.name for field in dataclasses.fields(Outcome)}
    fields: dict[str, Any] = {"job": "expire_offers", "period_start": PERIOD, "result": result,
                              "host": tried, "output": "0 lapsed.\n"}
    if "holder" in names:
        fields["holder"] = holder
    else:
        fields["host"] = holder
    return Outcome(**fields)


def test_the_scheduler_lines_are_read_as_the_scheduler_prints_them() -> None:
    ran = outcome(Result.RAN, tried="app-1", holder="app-1")
    skipped = outcome(Result.CLAIMED_ELSEWHERE, tried="app-2", holder="app-1")

    lines = scheduler_lines(f"{ran}\n{skipped}\n")

    assert [(job, what, host) for job, _period, what, host in lines] == [
        ("expire_offers", "ran", "app-1"), ("expire_offers", "already claimed", "app-1")]
    assert lines[0][1] == lines[1][1]  # the same period, so that two runs of it would be counted as two


def test_the_scheduler_log_lines_of_a_run_are_read_whatever_the_log_format() -> None:
    text = ("scheduler on app-2: 6 job(s), started.\n"
            "2026-12-07 05:50:24,120 INFO training_site.ops.scheduler [-] prune_files for 2026-12-07 03:15 ran on "
            "app-2 in 0.0 s: Deleted 0 export file(s) and 0 import upload(s).\n"
            '{"level": "INFO", "message": "expire_offers for 2026-12-07 05:45:00+00:00 ran on app-1 in 0.0 s"}\n'
            "2026-12-07 05:50:24,095 INFO django_tasks_db.prune_db_task_results [-] Deleted 0 task result(s)\n")

    assert scheduler_lines(text) == [("prune_files", "2026-12-07 03:15", "ran", "app-2"),
                                     ("expire_offers", "2026-12-07 05:45", "ran", "app-1")]


def test_haproxy_checks_readyz_and_retries_on_the_other_server() -> None:
    text = haproxy.config(port=8080, socket_path=Path("/tmp/s.sock"),
                          servers=[haproxy.Backend("app-1", 9001), haproxy.Backend("app-2", 9002)])

    assert "uri /readyz" in text and "option redispatch" in text and "retries 3" in text
    assert "server app-1 127.0.0.1:9001 check" in text and "server app-2 127.0.0.1:9002 check" in text


@pytest.mark.skipif(not shutil.which("haproxy") and not Path(haproxy.HAPROXY).exists(), reason="no haproxy here")
def test_haproxy_accepts_the_configuration(tmp_path: Path) -> None:
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy.config(port=8080, socket_path=tmp_path / "s.sock",
                                     servers=[haproxy.Backend("app-1", 9001), haproxy.Backend("app-2", 9002)]))

    checked = subprocess.run([haproxy.HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, check=False)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_step_with_a_problem_fails_and_says_why_in_the_table() -> None:
    good, bad = Step("a", "seat race"), Step("b", "failover")
    good.figures["confirmed"] = 20
    bad.fail("3 enrollments answered | lost")
    good.finish()
    bad.finish()

    table = markdown([good, bad], heading="Cluster rehearsal")

    assert good.ok and not bad.ok
    assert "| a | seat race | ok |" in table
    assert "| b | failover | FAILED |" in table and "PROBLEMS: 3 enrollments answered \\| lost" in table
