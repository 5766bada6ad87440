"""The scheduler: periods on the city's clock, each period of each job claimed by one host, failures recorded
and left to the next period, a late start running only the latest period; two real processes on PostgreSQL.

Time is frozen by passing ``now`` (and, for the loop, a clock the sleep moves forward), never by sleeping.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tests.figures import figure
from tests.processes import ROOT
from tests.staff.accounts.test_lockout_processes import database_url
from training_site.models import ScheduledRun
from training_site.ops import scheduler
from training_site.ops.scheduler import (
    JOBS,
    OUTPUT_MAX_CHARS,
    Command,
    DailyAt,
    Every,
    Job,
    Result,
    scheduled_jobs_run_due,
    scheduler_loop,
    seconds_until_due,
)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")  # settings.TIME_ZONE: UTC+7, no summer time


def local(*args: int) -> dt.datetime:
    """A moment on the city's clock."""
    return dt.datetime(*args, tzinfo=HANOI)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


class Counting:
    """A job's work that counts its runs (the period each ran for) and can be told to fail."""

    def __init__(self, *, fails: bool = False, pause: float = 0.0):
        self.periods: list[dt.datetime] = []
        self.fails = fails
        self.pause = pause
        self.lock = threading.Lock()

    def __call__(self, period_start: dt.datetime, out: TextIO) -> None:
        with self.lock:
            self.periods.append(period_start)
        time.sleep(self.pause)
        out.write(f"worked for {period_start:%H:%M}\n")
        if self.fails:
            raise RuntimeError("the national register did not answer")


def periods_of(job: str) -> list[dt.datetime]:
    return list(ScheduledRun.objects.filter(job=job).order_by("period_start").values_list("period_start", flat=True))


# --- Periods ------------------------------------------------------------------------------------------------


def test_every_fifteen_minutes_starts_on_the_quarter_hours():
    every = Every(minutes=15)

    assert every.period_start(local(2026, 12, 7, 10, 52, 31)) == local(2026, 12, 7, 10, 45)
    assert every.period_start(local(2026, 12, 7, 10, 45)) == local(2026, 12, 7, 10, 45)
    assert every.period_start(local(2026, 12, 7, 10, 44, 59, 999999)) == local(2026, 12, 7, 10, 30)
    assert every.next_start(local(2026, 12, 7, 10, 52, 31)) == local(2026, 12, 7, 11, 0)
    assert every.next_start(local(2026, 12, 7, 23, 50)) == local(2026, 12, 8, 0, 0)


def test_periods_are_the_same_instant_whatever_zone_the_host_gives_now_in():
    every, daily = Every(minutes=15), DailyAt(7, 0)
    in_utc, in_paris = utc(2026, 12, 7, 3, 52), utc(2026, 12, 7, 3, 52).astimezone(ZoneInfo("Europe/Paris"))

    assert every.period_start(in_utc) == every.period_start(in_paris) == utc(2026, 12, 7, 3, 45)
    assert daily.period_start(in_utc) == daily.period_start(in_paris) == local(2026, 12, 7, 7, 0)


def test_a_period_that_does_not_tile_the_day_is_refused():
    with pytest.raises(ValueError, match="1440"):
        Every(minutes=7)
    with pytest.raises(ValueError):
        DailyAt(24, 0)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        Every(minutes=15).period_start(dt.datetime(2026, 12, 7, 10, 0))


def test_daily_at_seven_before_seven_is_still_yesterdays_period_and_from_seven_todays():
    daily = DailyAt(7, 0)

    assert daily.period_start(local(2026, 12, 7, 6, 59, 59)) == local(2026, 12, 6, 7, 0)
    assert daily.period_start(local(2026, 12, 7, 7, 0)) == local(2026, 12, 7, 7, 0)
    assert daily.period_start(local(2026, 12, 7, 18, 30)) == local(2026, 12, 7, 7, 0)
    assert daily.next_start(local(2026, 12, 7, 6, 59)) == local(2026, 12, 7, 7, 0)
    assert daily.next_start(local(2026, 12, 7, 7, 0)) == local(2026, 12, 8, 7, 0)


def test_daily_at_seven_is_seven_in_vietnam_which_is_midnight_utc():
    daily = DailyAt(7, 0)

    assert daily.period_start(utc(2026, 12, 7, 0, 0)) == utc(2026, 12, 7, 0, 0)
    assert daily.period_start(utc(2026, 12, 6, 23, 59)) == utc(2026, 12, 6, 0, 0)
    assert str(daily) == "daily at 07:00 (Asia/Ho_Chi_Minh)"


def test_the_day_changes_at_midnight_in_vietnam_not_at_midnight_utc():
    midnight = DailyAt(0, 0)

    assert midnight.period_start(utc(2026, 12, 6, 16, 59, 59)) == local(2026, 12, 6, 0, 0)
    assert midnight.period_start(utc(2026, 12, 6, 17, 0)) == local(2026, 12, 7, 0, 0)
    assert Every(minutes=15).period_start(utc(2026, 12, 6, 17, 0)) == local(2026, 12, 7, 0, 0)


def test_a_dated_command_is_given_the_day_of_its_period_even_when_it_runs_after_midnight(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "call_command", lambda *args, **kwargs: calls.append(args))
    reminders = Job("send_session_reminders", DailyAt(7, 0), Command("send_session_reminders", date_option="--today"))

    # 06:10 on the 8th, after an outage: the latest period is the 7th's 07:00, and that is the day it does.
    period = reminders.schedule.period_start(local(2026, 12, 8, 6, 10))
    reminders.call(period, io.StringIO())

    assert calls == [("send_session_reminders", "--today", "2026-12-07")]


def test_the_job_table_replaces_the_cron_list_and_prunes_its_own_runs():
    assert {job.name: str(job.schedule) for job in JOBS} == {
        "expire_offers": "every 15 minutes",
        "prune_db_task_results": "daily at 03:00 (Asia/Ho_Chi_Minh)",
        "prune_files": "daily at 03:15 (Asia/Ho_Chi_Minh)",
        "prune_scheduled_runs": "daily at 03:30 (Asia/Ho_Chi_Minh)",
        "send_session_reminders": "daily at 07:00 (Asia/Ho_Chi_Minh)",
        "remind_certificate_expiry": "daily at 07:30 (Asia/Ho_Chi_Minh)",
    }


def test_the_loop_sleeps_until_the_next_period_but_never_more_than_thirty_seconds():
    jobs = (Job("quarterly", Every(minutes=15), Counting()), Job("morning", DailyAt(7, 0), Counting()))

    assert seconds_until_due(jobs=jobs, now=local(2026, 12, 7, 10, 44, 50)) == 10
    assert seconds_until_due(jobs=jobs, now=local(2026, 12, 7, 6, 59, 58)) == 2
    assert seconds_until_due(jobs=jobs, now=local(2026, 12, 7, 10, 30)) == 30


# --- Claims and runs ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_claiming_the_same_period_at_once_run_the_job_once():
    work = Counting(pause=0.3)  # the winner is still working while the other tries
    jobs = (Job("sync", Every(minutes=15), work),)
    now = local(2026, 12, 7, 10, 52)
    start = threading.Barrier(2)
    outcomes: dict[str, list[scheduler.Outcome]] = {}
    errors: list[BaseException] = []

    def scheduler_on(host: str) -> None:
        try:
            start.wait(timeout=10)
            outcomes[host] = scheduled_jobs_run_due(jobs=jobs, host=host, now=now)
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own

    threads = [threading.Thread(target=scheduler_on, args=(host,)) for host in ("host-a", "host-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert work.periods == [local(2026, 12, 7, 10, 45)]
    results = {host: only.result for host, (only,) in outcomes.items()}
    assert sorted(results.values()) == sorted([Result.RAN, Result.CLAIMED_ELSEWHERE])
    winner = next(host for host, result in results.items() if result is Result.RAN)
    loser_outcome = next(only for host, (only,) in outcomes.items() if host != winner)
    assert loser_outcome.holder == winner
    run = ScheduledRun.objects.get(job="sync")
    assert (run.host, run.succeeded, run.output) == (winner, True, "worked for 03:45\n")


def test_a_failing_job_is_recorded_failed_and_waits_for_the_next_period(db):
    work = Counting(fails=True)
    jobs = (Job("sync", Every(minutes=15), work),)

    (first,) = scheduled_jobs_run_due(jobs=jobs, host="host-a", now=local(2026, 12, 7, 10, 46))
    # Inside the test's transaction: the losing claim's error must not poison it (its own savepoint).
    (again,) = scheduled_jobs_run_due(jobs=jobs, host="host-a", now=local(2026, 12, 7, 10, 59))
    (next_period,) = scheduled_jobs_run_due(jobs=jobs, host="host-b", now=local(2026, 12, 7, 11, 0, 5))

    assert (first.result, again.result, next_period.result) == (Result.FAILED, Result.CLAIMED_ELSEWHERE, Result.FAILED)
    assert again.holder == "host-a"
    assert work.periods == [local(2026, 12, 7, 10, 45), local(2026, 12, 7, 11, 0)]
    failed = ScheduledRun.objects.get(job="sync", period_start=local(2026, 12, 7, 10, 45))
    assert failed.succeeded is False and failed.finished_at is not None
    assert failed.output.startswith("worked for 03:45\n")  # what it wrote before it failed, then the traceback
    assert "RuntimeError: the national register did not answer" in failed.output
    assert str(first).endswith(": RuntimeError: the national register did not answer")


def test_a_late_start_runs_only_the_latest_period_of_each_job(db):
    quarterly, morning = Counting(), Counting()
    jobs = (Job("quarterly", Every(minutes=15), quarterly), Job("morning", DailyAt(7, 0), morning))
    ScheduledRun.objects.create(job="quarterly", period_start=local(2026, 12, 4, 8, 0), host="host-a",
                                claimed_at=local(2026, 12, 4, 8, 0), succeeded=True)
    ScheduledRun.objects.create(job="morning", period_start=local(2026, 12, 4, 7, 0), host="host-a",
                                claimed_at=local(2026, 12, 4, 7, 0), succeeded=True)

    # Down since the 4th; back on the 7th at 10:52.
    outcomes = scheduled_jobs_run_due(jobs=jobs, host="host-b", now=local(2026, 12, 7, 10, 52))

    assert [outcome.result for outcome in outcomes] == [Result.RAN, Result.RAN]
    assert quarterly.periods == [local(2026, 12, 7, 10, 45)]
    assert morning.periods == [local(2026, 12, 7, 7, 0)]
    assert periods_of("quarterly") == [local(2026, 12, 4, 8, 0), local(2026, 12, 7, 10, 45)]
    assert periods_of("morning") == [local(2026, 12, 4, 7, 0), local(2026, 12, 7, 7, 0)]


@pytest.mark.django_db(transaction=True)  # the loop closes old connections, as around a request
def test_the_loop_runs_each_period_once_as_its_clock_moves_and_stops_when_told():
    quarterly, daily = Counting(), Counting()
    jobs = (Job("quarterly", Every(minutes=15), quarterly), Job("daily", DailyAt(10, 50), daily))
    clock = [local(2026, 12, 7, 10, 44, 50)]
    sleeps: list[float] = []
    stop = threading.Event()

    def wait(seconds: float) -> bool:
        sleeps.append(seconds)
        clock[0] += dt.timedelta(seconds=seconds)
        if clock[0] >= local(2026, 12, 7, 11, 1):
            stop.set()
        return stop.is_set()

    scheduler_loop(stop=stop, jobs=jobs, host="host-a", clock=lambda: clock[0], wait=wait)

    # The start runs the latest periods (10:30, and yesterday's 10:50); then each new one, once.
    assert quarterly.periods == [local(2026, 12, 7, 10, 30), local(2026, 12, 7, 10, 45), local(2026, 12, 7, 11, 0)]
    assert daily.periods == [local(2026, 12, 6, 10, 50), local(2026, 12, 7, 10, 50)]
    assert max(sleeps) <= 30.05 and sleeps[0] == pytest.approx(10.05)
    assert ScheduledRun.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_tick_that_cannot_reach_the_database_is_logged_and_the_next_tick_runs_the_job(monkeypatch, caplog):
    work = Counting()
    jobs = (Job("quarterly", Every(minutes=15), work),)
    real_claim = scheduler.scheduled_run_claim
    failures = [OperationalError("server closed the connection unexpectedly")]

    def claim_once_unreachable(**kwargs):
        if failures:
            raise failures.pop()
        return real_claim(**kwargs)

    monkeypatch.setattr(scheduler, "scheduled_run_claim", claim_once_unreachable)
    clock = [local(2026, 12, 7, 10, 50)]
    stop = threading.Event()

    def wait(seconds: float) -> None:
        clock[0] += dt.timedelta(seconds=seconds)
        if clock[0] >= local(2026, 12, 7, 10, 51):
            stop.set()

    scheduler_loop(stop=stop, jobs=jobs, host="host-a", clock=lambda: clock[0], wait=wait)

    assert work.periods == [local(2026, 12, 7, 10, 45)]
    assert "scheduler on host-a: a tick failed" in caplog.text
    assert "server closed the connection unexpectedly" in caplog.text


def test_a_stop_between_jobs_leaves_the_next_job_for_later(db):
    stop = threading.Event()

    def first(period_start: dt.datetime, out: TextIO) -> None:
        stop.set()  # SIGTERM arrives while the first job runs

    second = Counting()
    jobs = (Job("first", Every(minutes=15), first), Job("second", Every(minutes=15), second))

    outcomes = scheduled_jobs_run_due(jobs=jobs, host="host-a", now=local(2026, 12, 7, 10, 52), stop=stop)

    assert [(outcome.job, outcome.result) for outcome in outcomes] == [("first", Result.RAN)]
    assert second.periods == [] and not ScheduledRun.objects.filter(job="second").exists()


def test_a_long_output_is_cut_keeping_its_end(db):
    def chatty(period_start: dt.datetime, out: TextIO) -> None:
        out.write("x" * 100_000 + "\nthe last line\n")

    scheduled_jobs_run_due(jobs=(Job("chatty", Every(minutes=15), chatty),), host="host-a",
                           now=local(2026, 12, 7, 10, 52))

    output = ScheduledRun.objects.get(job="chatty").output
    assert len(output) < OUTPUT_MAX_CHARS + 100 and output.endswith("the last line\n")


def test_pruning_deletes_runs_older_than_ninety_days_before_its_period(db):
    for day in (dt.date(2026, 9, 7), dt.date(2026, 9, 8), dt.date(2026, 12, 6)):
        start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=HANOI)
        ScheduledRun.objects.create(job="send_session_reminders", period_start=start, host="host-a", claimed_at=start)
    prune = next(job for job in JOBS if job.name == "prune_scheduled_runs")

    (outcome,) = scheduled_jobs_run_due(jobs=(prune,), host="host-a", now=local(2026, 12, 7, 3, 40))

    assert outcome.output == "Deleted 1 scheduled run(s) older than 90 days.\n"
    assert periods_of("send_session_reminders") == [local(2026, 9, 8, 7, 0), local(2026, 12, 6, 7, 0)]


# --- The command --------------------------------------------------------------------------------------------


def far_from_now() -> DailyAt:
    """A daily time twelve hours away, so that no period begins while the test runs."""
    away = timezone.now().astimezone(HANOI) + dt.timedelta(hours=12)
    return DailyAt(away.hour, away.minute)


def test_once_prints_one_line_per_job_ran_failed_or_already_claimed(db, settings, monkeypatch):
    settings.OPS_HOST_NAME = "host-a"
    daily = far_from_now()
    period = daily.period_start(timezone.now())
    monkeypatch.setattr(scheduler, "JOBS", (
        Job("tidy", daily, Counting()),
        Job("sync", daily, Counting(fails=True)),
        Job("report", daily, Counting()),
    ))
    ScheduledRun.objects.create(job="report", period_start=period, host="host-b", claimed_at=period)
    out = io.StringIO()

    call_command("scheduler", "--once", stdout=out)

    when = f"{period.astimezone(HANOI):%Y-%m-%d %H:%M}"
    tidy, sync, report = out.getvalue().splitlines()
    assert tidy.startswith(f"host-a: tidy {when}: ran (") and tidy.endswith(f"): worked for {period:%H:%M}")
    assert sync.startswith(f"host-a: sync {when}: failed (")
    assert sync.endswith("): RuntimeError: the national register did not answer")
    assert report == f"host-a: report {when}: already claimed by host-b"


def test_list_shows_each_job_its_schedule_and_its_last_run(db, monkeypatch):
    monkeypatch.setattr(scheduler, "JOBS", (
        Job("expire_offers", Every(minutes=15), Command("expire_offers")),
        Job("remind_certificate_expiry", DailyAt(7, 30), Command("remind_certificate_expiry", date_option="--date")),
    ))
    ScheduledRun.objects.create(job="expire_offers", period_start=local(2026, 12, 7, 10, 45), host="host-b",
                                claimed_at=local(2026, 12, 7, 10, 45), finished_at=local(2026, 12, 7, 10, 45, 2),
                                succeeded=False)
    ScheduledRun.objects.create(job="expire_offers", period_start=local(2026, 12, 7, 10, 30), host="host-a",
                                claimed_at=local(2026, 12, 7, 10, 30), succeeded=True)
    out = io.StringIO()

    call_command("scheduler", "--list", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "expire_offers: every 15 minutes; calls manage.py expire_offers"
    assert lines[1].endswith("last run: 2026-12-07 10:45 on host-b, FAILED at 2026-12-07 10:45:02")
    assert lines[2] == ("remind_certificate_expiry: daily at 07:30 (Asia/Ho_Chi_Minh); "
                        "calls manage.py remind_certificate_expiry --date <the period's day>")
    assert lines[3].endswith("last run: never")


# --- Real processes -----------------------------------------------------------------------------------------


@pytest.fixture
def committed(transactional_db):
    """Rows the scheduler processes can read and write: committed, not inside the test's transaction."""


def process_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "training_site.settings.test", "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(tmp_path / "media"), **extra}  # prune_files must not touch the checkout's media


def waiting_for(cursor, table: str) -> int:
    """How many sessions wait for a lock on the table (pg_locks is live, not a snapshot)."""
    cursor.execute("SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table])
    return cursor.fetchone()[0]


def away_from_a_period_boundary(margin: float = 100.0) -> None:
    """Wait past the next period start if it is near, so that both processes see the same periods."""
    now = timezone.now()
    upcoming = min(job.schedule.next_start(now) for job in JOBS)
    if (upcoming - now).total_seconds() < margin:
        time.sleep((upcoming - now).total_seconds() + 1)


needs_postgresql = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two scheduler processes racing for one row: on PostgreSQL, as in production")


@needs_postgresql
def test_two_scheduler_processes_started_together_run_each_job_once(committed, tmp_path):
    (tmp_path / "media").mkdir()
    away_from_a_period_boundary()
    started = timezone.now()
    command = [sys.executable, "manage.py", "scheduler", "--once"]
    # The table held until both processes wait at their first claim: then they race for every job at the same
    # moment, rather than the first one up taking everything before the second has loaded Django.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE training_site_scheduledrun IN SHARE MODE")
        processes = {host: subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            text=True, env=process_environment(
                                                tmp_path, OPS_HOST_NAME=host, WORKER_LOCK_TIMEOUT_MS="120000"))
                     for host in ("host-a", "host-b")}
        deadline = time.monotonic() + 90
        while waiting_for(cursor, "training_site_scheduledrun") < 2:
            assert time.monotonic() < deadline, "the two schedulers never reached their first claim"
            assert all(process.poll() is None for process in processes.values()), \
                [process.communicate() for process in processes.values()]
            time.sleep(0.05)
    outputs = {}
    for host, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        outputs[host] = stdout.splitlines()

    for job in JOBS:
        runs = list(ScheduledRun.objects.filter(job=job.name))
        assert [run.period_start for run in runs] == [job.schedule.period_start(started)], job.name
        (run,) = runs
        assert run.host in ("host-a", "host-b") and run.finished_at is not None
        other = "host-b" if run.host == "host-a" else "host-a"
        when = f"{run.period_start.astimezone(HANOI):%Y-%m-%d %H:%M}"
        # The winner says it ran it (or that it failed); the other names the winner.
        [mine] = [line for line in outputs[run.host] if line.startswith(f"{run.host}: {job.name} {when}: ")]
        assert mine.split(": ")[2].startswith("ran (" if run.succeeded else "failed ("), mine
        assert f"{other}: {job.name} {when}: already claimed by {run.host}" in outputs[other]
    assert len(outputs["host-a"]) == len(outputs["host-b"]) == len(JOBS)
    won = {host: ScheduledRun.objects.filter(host=host).count() for host in ("host-a", "host-b")}
    figure(f"scheduler race: {len(JOBS)} jobs, {ScheduledRun.objects.count()} runs; "
          f"host-a ran {won['host-a']}, host-b ran {won['host-b']}")


def test_the_scheduler_stops_cleanly_on_sigterm_leaving_no_run_unfinished(committed, tmp_path):
    (tmp_path / "media").mkdir()
    log = tmp_path / "scheduler.log"
    with log.open("w") as stream:
        process = subprocess.Popen([sys.executable, "manage.py", "scheduler"], cwd=ROOT, stdout=stream,
                                   stderr=subprocess.STDOUT, env=process_environment(tmp_path, OPS_HOST_NAME="host-a"))
    try:
        deadline = time.monotonic() + 60
        while "started." not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(0.5)  # into the first jobs, or past them into the sleep
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    output = log.read_text()
    assert returncode == 0, output
    assert output.rstrip().endswith("scheduler on host-a: stopped."), output
    assert not ScheduledRun.objects.filter(finished_at__isnull=True).exists()
