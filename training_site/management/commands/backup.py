"""Back up the database and every stored file into a new folder, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from training_site.ops.backup import BackupError, backup_create, size_text


class Command(BaseCommand):
    help = ("Write a backup (pg_dump custom format of the database, every file of the default storage, "
            "manifest.json of checksums) to <directory>/<UTC timestamp>/, or to <directory>/<--name>/.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Folder that holds the backups (created if missing).")
        parser.add_argument("--name", default=None,
                            help="Folder name of this backup inside <directory> (default: the UTC time, "
                                 "e.g. 20261206T230000Z). Must not exist or must be empty.")

    def handle(self, *args: Any, directory: Path, name: str | None, **options: Any) -> None:
        try:
            summary = backup_create(directory=directory, name=name)
        except (BackupError, OSError, DatabaseError) as error:  # every failure: a message and a non-zero exit
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written to {summary.path}: database {size_text(summary.database_bytes)}, "
                          f"{summary.files} files {size_text(summary.file_bytes)}, in {summary.seconds:.1f} s.")
