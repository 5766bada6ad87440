"""Housekeeping of generated files, through Django's storage API (a shared object store works the same)."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import Storage

from staff.models import ExportJob


def prune_files(*, storage: Storage, exports_before: dt.datetime, uploads_before: dt.datetime) -> tuple[int, int]:
    """Delete finished exports' files older than ``exports_before`` (the job row stays, as the audit
    trail's companion, without its file) and import uploads older than ``uploads_before``."""
    exports = 0
    for job in ExportJob.objects.filter(finished_at__lt=exports_before).exclude(file=""):
        name = job.file.name
        if name:  # always set here (empty files are excluded above); FieldFile.name is Optional
            storage.delete(name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        exports += 1
    uploads = 0
    for folder in _folders(storage, "imports"):
        for name in storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if storage.get_modified_time(path) < uploads_before:
                storage.delete(path)
                uploads += 1
    return exports, uploads


def _folders(storage: Storage, root: str) -> list[str]:
    # Not storage.exists(root): an object store has no folders, and says False for one that holds files.
    try:
        subfolders = storage.listdir(root)[0]
    except FileNotFoundError:  # the local folder was never made
        return []
    found = [root]
    for sub in subfolders:
        found += _folders(storage, f"{root}/{sub}")
    return found
