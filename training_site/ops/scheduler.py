"""The periodic jobs, run by ``manage.py scheduler`` on every host, each run claimed by exactly one of them.

Every job has a schedule that cuts time into periods ("every 15 minutes" from 00, 15, 30, 45; "daily at
07:00" in the city's time zone). When a period begins, the scheduler on each host tries to insert the
``ScheduledRun`` row (job, period start); the unique key lets one insert succeed, and only that host runs
the job. The others skip it, so adding a host adds no run, and losing one loses none as long as another
is up. A run's outcome (finished, succeeded, the job's output) is written on the same row.

Only the latest period of a job is ever considered: a scheduler started late, or after downtime, runs each
job once for the period it is in, never once per missed period (the jobs catch up by themselves: offers
past their deadline, reminders not yet sent). A failed run is recorded and logged, and waits for the next
period; every job is idempotent, so running one again by hand (``manage.py <command>``) is always safe.

To add a job (the national-record sync of issue 14, say), add one line to ``JOBS``:
``Job("sync_national_records", DailyAt(2, 0), Command("sync_national_records"))``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from training_site.models import ScheduledRun

logger = logging.getLogger(__name__)

# Runs older than this are deleted by the daily "prune_scheduled_runs" job; longer than any period, so a
# job's latest run (the one that says its current period is taken) is never among them.
RUN_RETENTION = dt.timedelta(days=90)
# A run's recorded output is cut to this many characters (its beginning and its end, where a traceback's
# last lines are).
OUTPUT_MAX_CHARS = 20_000
# The longest the loop sleeps: a clock that jumps (NTP, a suspended VM) is noticed within this.
MAX_SLEEP_SECONDS = 30.0


def city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def host_name() -> str:
    """This host's name in claims: OPS_HOST_NAME, or the machine's."""
    return (settings.OPS_HOST_NAME or socket.gethostname())[:255]


# --- Schedules --------------------------------------------------------------------------------------------


class Schedule(Protocol):
    def period_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the period ``now`` is in (the latest start at or before ``now``), in UTC."""
        ...

    def next_start(self, now: dt.datetime) -> dt.datetime:
        """The first start after ``now``, in UTC."""
        ...


def _require_aware(now: dt.datetime) -> None:
    if timezone.is_naive(now):
        raise ValueError(f"A schedule needs an aware datetime, got {now!r}.")


@dataclass(frozen=True)
class Every:
    """Every N minutes, the periods aligned on the city's clock from midnight (15 → :00, :15, :30, :45)."""

    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 1 or (24 * 60) % self.minutes:
            raise ValueError(f"Every(minutes={self.minutes}): the periods must tile a day (a divisor of 1440).")

    def period_start(self, now: dt.datetime) -> dt.datetime:
        _require_aware(now)
        local = now.astimezone(city_zone())
        minute_of_day = local.hour * 60 + local.minute
        start = minute_of_day - minute_of_day % self.minutes
        return local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0).astimezone(dt.UTC)

    def next_start(self, now: dt.datetime) -> dt.datetime:
        return self.period_start(now) + dt.timedelta(minutes=self.minutes)

    def __str__(self) -> str:
        return f"every {self.minutes} minutes"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at HH:MM in the city's time zone (settings.TIME_ZONE), whatever the host's own zone."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        dt.time(self.hour, self.minute)  # a ValueError for 24:00 or 07:60

    def _on(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.hour, self.minute), tzinfo=city_zone()).astimezone(dt.UTC)

    def period_start(self, now: dt.datetime) -> dt.datetime:
        _require_aware(now)
        today = now.astimezone(city_zone()).date()
        start = self._on(today)
        return start if start <= now else self._on(today - dt.timedelta(days=1))

    def next_start(self, now: dt.datetime) -> dt.datetime:
        return self._on(self.period_start(now).astimezone(city_zone()).date() + dt.timedelta(days=1))

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d} ({settings.TIME_ZONE})"


# --- Jobs -------------------------------------------------------------------------------------------------

# What a job does: given the start of the period it runs for, do the work and write a summary to ``out``.
JobCall = Callable[[dt.datetime, TextIO], None]


@dataclass(frozen=True)
class Command:
    """A management command, its output captured.

    ``date_option`` names the command's option that takes a day (YYYY-MM-DD): it is given the period's day
    in the city, so a run that starts late (07:00's reminders run at 06:10 the next morning, after an
    outage) does the work of its own day rather than of the day it happens to run on.
    """

    name: str
    arguments: tuple[str, ...] = ()
    date_option: str | None = None

    def __call__(self, period_start: dt.datetime, out: TextIO) -> None:
        arguments = list(self.arguments)
        if self.date_option:
            arguments += [self.date_option, period_start.astimezone(city_zone()).date().isoformat()]
        call_command(self.name, *arguments, stdout=out, stderr=out)

    def __str__(self) -> str:
        words = ["manage.py", self.name, *self.arguments]
        if self.date_option:
            words += [self.date_option, "<the period's day>"]
        return " ".join(words)


@dataclass(frozen=True)
class Job:
    name: str  # the claim's key: renaming a job forgets its runs
    schedule: Schedule  # Every or DailyAt; any object with period_start() and next_start() will do
    call: JobCall

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= (ScheduledRun._meta.get_field("job").max_length or 0):
            raise ValueError(f"A job's name must fit ScheduledRun.job: {self.name!r}.")

    def describe_call(self) -> str:
        if isinstance(self.call, Command):
            return str(self.call)
        described = self.call.__doc__ or str(getattr(self.call, "__name__", self.call))
        return described.strip().splitlines()[0]


def scheduled_runs_prune(*, before: dt.datetime) -> int:
    """Delete the runs of periods that began before ``before``; returns how many."""
    deleted, _ = ScheduledRun.objects.filter(period_start__lt=before).delete()
    return deleted


def _prune_scheduled_runs(period_start: dt.datetime, out: TextIO) -> None:
    """scheduled_runs_prune (runs older than 90 days)"""
    deleted = scheduled_runs_prune(before=period_start - RUN_RETENTION)
    out.write(f"Deleted {deleted} scheduled run(s) older than {RUN_RETENTION.days} days.\n")


def _prune_db_task_results(period_start: dt.datetime, out: TextIO) -> None:
    """manage.py prune_db_task_results (when tasks are queued in the database)"""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    # With TASKS_BACKEND=immediate (development) there are no task rows, and the command would fail on
    # the backend: nothing to do is not a failure.
    if not isinstance(task_backends["default"], DatabaseBackend):
        out.write("Tasks run in-process (TASKS_BACKEND=immediate): no task results to prune.\n")
        return
    Command("prune_db_task_results")(period_start, out)


# The cron list this replaces (README, "Background work"), plus the pruning of this table. Daily jobs run
# at night or before office hours, city time.
JOBS: tuple[Job, ...] = (
    Job("expire_offers", Every(minutes=15), Command("expire_offers")),
    Job("prune_db_task_results", DailyAt(3, 0), _prune_db_task_results),
    Job("prune_files", DailyAt(3, 15), Command("prune_files")),
    Job("prune_scheduled_runs", DailyAt(3, 30), _prune_scheduled_runs),
    Job("send_session_reminders", DailyAt(7, 0), Command("send_session_reminders", date_option="--today")),
    Job("remind_certificate_expiry", DailyAt(7, 30), Command("remind_certificate_expiry", date_option="--date")),
)


def _check_unique_names(jobs: Iterable[Job]) -> None:
    names = [job.name for job in jobs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Two scheduled jobs share a name: {', '.join(duplicates)}.")


_check_unique_names(JOBS)


# --- Claiming and running ---------------------------------------------------------------------------------


class Result(StrEnum):
    RAN = "ran"
    FAILED = "failed"
    CLAIMED_ELSEWHERE = "already claimed"


@dataclass(frozen=True)
class Outcome:
    job: str
    period_start: dt.datetime
    result: Result
    host: str  # the scheduler's host that tried
    holder: str  # the host that holds the claim (``host`` itself when it ran or failed here)
    output: str = ""
    seconds: float = 0.0

    def __str__(self) -> str:
        """One line, the trying host first: the lines of several hosts read together in one log."""
        when = f"{self.host}: {self.job} {_local(self.period_start)}"
        if self.result is Result.CLAIMED_ELSEWHERE:
            return f"{when}: already claimed by {self.holder}"
        summary = _last_line(self.output)
        return f"{when}: {self.result} ({self.seconds:.1f} s)" + (f": {summary}" if summary else "")


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(city_zone()):%Y-%m-%d %H:%M}"


def _last_line(output: str, width: int = 160) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:width] if lines else ""


def _truncated(output: str) -> str:
    if len(output) <= OUTPUT_MAX_CHARS:
        return output
    half = OUTPUT_MAX_CHARS // 2
    return f"{output[:half]}\n[… {len(output) - 2 * half} characters cut …]\n{output[-half:]}"


def scheduled_run_claim(*, job: str, period_start: dt.datetime, host: str) -> ScheduledRun | None:
    """The new run if this host won the period; None if another host (or an earlier run here) holds it."""
    try:
        # Its own transaction (a savepoint inside a caller's): the losing insert's error rolls back only
        # itself, and the winning row is committed before the job starts, so the others see it at once.
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job, period_start=period_start, host=host,
                                               claimed_at=timezone.now())
    except IntegrityError:
        return None


def _execute(job: Job, period_start: dt.datetime) -> tuple[bool, str]:
    """Run the job; whether it succeeded, and what it wrote (its logs too, and the traceback if it raised)."""
    out = io.StringIO()
    # Some commands (prune_db_task_results) report through logging rather than stdout.
    capture = logging.StreamHandler(out)
    capture.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        job.call(period_start, out)
        return True, out.getvalue()
    except Exception:
        return False, out.getvalue() + traceback.format_exc()
    finally:
        root.removeHandler(capture)


def scheduled_job_run(*, job: Job, host: str, now: dt.datetime) -> Outcome:
    """Claim the job's period at ``now`` and, if this host won it, run the job and record how it went.

    ``now`` only chooses the period; the claim's and the finish's times are the real ones.
    """
    period_start = job.schedule.period_start(now)
    run = scheduled_run_claim(job=job.name, period_start=period_start, host=host)
    if run is None:
        holder = (ScheduledRun.objects.filter(job=job.name, period_start=period_start)
                  .values_list("host", flat=True).first())
        logger.debug("%s for %s: already claimed by %s", job.name, _local(period_start), holder)
        return Outcome(job=job.name, period_start=period_start, result=Result.CLAIMED_ELSEWHERE, host=host,
                       holder=holder or "?")

    started = time.monotonic()
    try:
        succeeded, output = _execute(job, period_start)
    except BaseException:
        # Interrupted (KeyboardInterrupt under --once): the claim stays, marked failed, and nothing reruns
        # this period.
        _record(run, succeeded=False, output=traceback.format_exc())
        raise
    seconds = time.monotonic() - started
    _record(run, succeeded=succeeded, output=output)
    if succeeded:
        logger.info("%s for %s ran on %s in %.1f s: %s", job.name, _local(period_start), host, seconds,
                    _last_line(output))
    else:
        logger.error("%s for %s failed on %s in %.1f s:\n%s", job.name, _local(period_start), host, seconds,
                     _truncated(output))
    return Outcome(job=job.name, period_start=period_start, result=Result.RAN if succeeded else Result.FAILED,
                   host=host, holder=host, output=output, seconds=seconds)


def _record(run: ScheduledRun, *, succeeded: bool, output: str) -> None:
    run.finished_at = timezone.now()
    run.succeeded = succeeded
    run.output = _truncated(output)
    run.save(update_fields=["finished_at", "succeeded", "output"])


def scheduled_jobs_run_due(*, jobs: Sequence[Job] = JOBS, host: str | None = None, now: dt.datetime | None = None,
                           attempted: dict[str, dt.datetime] | None = None,
                           stop: threading.Event | None = None) -> list[Outcome]:
    """Try every job whose current period this scheduler has not tried yet; one outcome per job tried.

    ``attempted`` (job → period start) is the loop's memory between ticks, so that a period already won or
    lost costs no query on the next tick; without it every job's current period is tried (``--once``).
    Jobs are claimed one at a time, just before each runs: while this host runs a long job, another host
    takes the next one. ``stop`` is looked at between jobs.
    """
    host = host or host_name()
    now = now or timezone.now()
    attempted = {} if attempted is None else attempted
    outcomes = []
    for job in jobs:
        if stop is not None and stop.is_set():
            break
        period_start = job.schedule.period_start(now)
        if attempted.get(job.name) == period_start:
            continue
        attempted[job.name] = period_start
        outcomes.append(scheduled_job_run(job=job, host=host, now=now))
    return outcomes


def seconds_until_due(*, jobs: Sequence[Job], now: dt.datetime) -> float:
    """How long the loop may sleep: until the next period of any job begins, at most MAX_SLEEP_SECONDS."""
    next_start = min(job.schedule.next_start(now) for job in jobs)
    return min(MAX_SLEEP_SECONDS, max(0.0, (next_start - now).total_seconds()))


def scheduler_loop(*, stop: threading.Event, jobs: Sequence[Job] = JOBS, host: str | None = None,
                   clock: Callable[[], dt.datetime] = timezone.now,
                   wait: Callable[[float], object] | None = None) -> None:
    """Run what is due, sleep until the next period begins (or MAX_SLEEP_SECONDS), until ``stop`` is set.

    ``clock`` and ``wait`` are the time it reads and the sleep (the stop event's wait, so a SIGTERM ends
    the sleep at once); tests pass a clock that the wait moves forward.
    """
    host = host or host_name()
    wait = wait or stop.wait
    attempted: dict[str, dt.datetime] = {}
    while not stop.is_set():
        # As Django does around a request: a connection the database dropped (restart, failover) or one
        # past CONN_MAX_AGE is replaced rather than failing every tick.
        close_old_connections()
        try:
            # Each outcome is logged (ran: info, failed: error, claimed elsewhere: debug).
            scheduled_jobs_run_due(jobs=jobs, host=host, now=clock(), attempted=attempted, stop=stop)
        except Exception:
            # The database unreachable, most likely: say so, and try again on the next tick rather than
            # leaving the host without a scheduler. A job's own failure never gets here.
            logger.exception("scheduler on %s: a tick failed", host)
            attempted.clear()
            wait(MAX_SLEEP_SECONDS)
            continue
        finally:
            close_old_connections()
        if stop.is_set():
            break
        # A hair past the boundary, so the tick that wakes is inside the new period.
        wait(seconds_until_due(jobs=jobs, now=clock()) + 0.05)


# --- Reading --------------------------------------------------------------------------------------------


def scheduled_runs_latest(*, jobs: Sequence[Job] = JOBS) -> dict[str, ScheduledRun]:
    """Each job's latest run (job name → run), in one query."""
    latest = ScheduledRun.objects.filter(job=OuterRef("job")).order_by("-period_start").values("pk")[:1]
    runs = ScheduledRun.objects.filter(job__in=[job.name for job in jobs], pk=Subquery(latest))
    return {run.job: run for run in runs}
