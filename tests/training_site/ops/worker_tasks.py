"""Tasks for the worker tests (tests/training_site/ops/test_workers.py), run by real ``manage.py db_worker``
processes and by the worker in the test process; importing this module registers a slow export kind.

``run_slow_export_job`` is ``run_export_job`` itself (claim, progress, file, finish, audit: the services
under test) on an exporter that takes ``seconds`` to yield its rows, long enough to kill its worker mid-way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from django_tasks import TaskContext, task

from staff.exports.base import Exporter, Row
from staff.exports.tasks import EXPORTERS, run_export_job
from training_site.models import WorkerHeartbeat

SLOW_KIND = "slow_test_export"


class SlowExporter(Exporter):
    name = SLOW_KIND

    def __init__(self, *, rows: int, seconds: float) -> None:
        self.rows_in_all, self.pause = rows, seconds / rows

    def header(self) -> Row:
        return ["n"]

    def data(self) -> Iterator[Row]:
        for number in range(self.rows_in_all):
            time.sleep(self.pause)
            yield [number]

    def count(self) -> int:
        return self.rows_in_all


EXPORTERS[SLOW_KIND] = lambda params: SlowExporter(rows=int(params["rows"]), seconds=float(params["seconds"]))


@task(takes_context=True)
def run_slow_export_job(context: TaskContext, *, job_id: int) -> str:
    export: Callable[..., str] = run_export_job.func  # the function itself, which takes the context first
    return export(context, job_id=job_id)


@task()
def watch_heartbeat(*, seconds: float) -> dict[str, Any]:
    """Sleep, and say which heartbeat rows there were and whether their beat moved on meanwhile."""
    before = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    time.sleep(seconds)
    after = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    return {"workers": sorted(after), "renewed": sorted(worker for worker, beat in after.items()
                                                       if worker in before and beat > before[worker])}


class Stopped(BaseException):
    """Something worse than an exception (what ``except Exception`` in a task does not catch)."""


@task()
def nap(*, seconds: float) -> str:
    time.sleep(seconds)
    return "rested"
