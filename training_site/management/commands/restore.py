"""Restore a backup made by `manage.py backup` into the configured database and storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from training_site.ops.backup import BackupError, backup_restore, size_text


class Command(BaseCommand):
    help = ("Restore a backup folder (with its manifest.json) into the configured database and default storage. "
            "Every checksum is verified first; a database or storage that already holds data is refused "
            "unless --force.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="The backup's folder, e.g. /var/backups/daotao/20261206T230000Z.")
        parser.add_argument("--force", action="store_true",
                            help="Restore over existing data: the database's objects are replaced by the backup's "
                                 "and stored files of the same name are overwritten.")

    def handle(self, *args: Any, backup: Path, force: bool, **options: Any) -> None:
        try:
            summary = backup_restore(path=backup, force=force)
        except (BackupError, OSError, DatabaseError) as error:  # every failure: a message and a non-zero exit
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"Restored {summary.path}: {summary.vendor} database "
                          f"({size_text(summary.database_bytes)} dump) and {summary.files} files "
                          f"({size_text(summary.file_bytes)}) in {summary.seconds:.1f} s; every checksum matches "
                          "the manifest.")
