"""Run the periodic jobs (training_site/ops/scheduler.py); start one on every host, each run happens once."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from training_site.models import ScheduledRun
from training_site.ops import scheduler
from training_site.ops.timeouts import use_worker_timeouts


class Command(BaseCommand):
    help = ("Run the periodic jobs when they are due, on any number of hosts: each period of each job is claimed "
            "by one host. --once runs what is due now and exits; --list shows the jobs and their last runs.")

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Run what is due now (one line per job), then exit.")
        mode.add_argument("--list", action="store_true", dest="show_list",
                          help="Show each job, its schedule and its last run.")

    def handle(self, *args: Any, once: bool, show_list: bool, **options: Any) -> None:
        use_worker_timeouts()
        # Looked up here, not at import, so that tests can put their own table in its place.
        jobs = scheduler.JOBS
        if show_list:
            self._list(jobs)
        elif once:
            for outcome in scheduler.scheduled_jobs_run_due(jobs=jobs):
                self.stdout.write(str(outcome))
        else:
            self._loop(jobs)

    def _loop(self, jobs: tuple[scheduler.Job, ...]) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()  # the job under way finishes; the loop ends before the next one

        previous = {number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)}
        host = scheduler.host_name()
        self._say(f"scheduler on {host}: {len(jobs)} job(s), started.")
        try:
            # Each run is logged as it ends (training_site.ops.scheduler's logger), not printed here as well.
            scheduler.scheduler_loop(stop=stop, jobs=jobs, host=host)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self._say(f"scheduler on {host}: stopped.")

    def _say(self, line: str) -> None:
        # At once, not when a buffer fills: under systemd the journal is read while the loop runs for weeks.
        self.stdout.write(line)
        self.stdout.flush()

    def _list(self, jobs: tuple[scheduler.Job, ...]) -> None:
        now = timezone.now()
        zone = scheduler.city_zone()
        latest = scheduler.scheduled_runs_latest(jobs=jobs)
        for job in jobs:
            self.stdout.write(f"{job.name}: {job.schedule}; calls {job.describe_call()}")
            next_start = job.schedule.next_start(now).astimezone(zone)
            last_run = _last_run(latest.get(job.name))
            self.stdout.write(f"    next period {next_start:%Y-%m-%d %H:%M}; last run: {last_run}")


def _last_run(run: ScheduledRun | None) -> str:
    if run is None:
        return "never"
    zone = scheduler.city_zone()
    period = f"{run.period_start.astimezone(zone):%Y-%m-%d %H:%M} on {run.host}"
    if run.finished_at is None:
        return f"{period}, running since {run.claimed_at.astimezone(zone):%H:%M:%S} (or its host stopped)"
    state = "succeeded" if run.succeeded else "FAILED"
    return f"{period}, {state} at {run.finished_at.astimezone(zone):%Y-%m-%d %H:%M:%S}"
