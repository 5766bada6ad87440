"""``manage.py db_worker``: django-tasks-db's worker, with a heartbeat and the recovery of dead workers' tasks.

The same command name and options as django-tasks-db's (training_site is first in INSTALLED_APPS, so Django
runs this one); only the worker differs (training_site/ops/workers.py).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import logger as tasks_db_logger

from training_site.ops.workers import Worker


class Command(DatabaseWorkerCommand):
    help = ("Run a database background worker that keeps a heartbeat and queues again the tasks of workers "
            "that died (TASK_LEASE_SECONDS, TASK_MAX_ATTEMPTS)")

    def handle(self, *, verbosity: int, queue_name: str, interval: float, batch: bool, backend_name: str,
               startup_delay: bool, reload: bool, max_tasks: int | None, worker_id: str, exclude_queues: str,
               **options: Any) -> None:
        # django-tasks-db 0.13's handle, building our Worker (its handle names its own class).
        self.configure_logging(verbosity)
        if reload and batch:
            tasks_db_logger.warning("Warning: --reload and --batch cannot be specified together. "
                                    "Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
                        startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
                        excluded_queue_names=excluded_queue_names)
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloader's child runs the worker
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
