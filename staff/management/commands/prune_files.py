"""Delete generated files nobody will fetch any more: old export files and abandoned import uploads."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from staff.services.files import prune_files


class Command(BaseCommand):
    help = "Delete export files older than --export-days and import uploads older than --upload-hours. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--export-days", type=int, default=14)
        parser.add_argument("--upload-hours", type=int, default=24)

    def handle(self, *args, export_days: int, upload_hours: int, **options):
        if export_days < 1 or upload_hours < 1:
            raise CommandError("--export-days and --upload-hours must be at least 1.")
        now = timezone.now()
        exports, uploads = prune_files(storage=default_storage, exports_before=now - dt.timedelta(days=export_days),
                                       uploads_before=now - dt.timedelta(hours=upload_hours))
        self.stdout.write(f"Deleted {exports} export file(s) and {uploads} import upload(s).")
