"""Old export files and abandoned import uploads are deleted; recent ones stay; running twice is harmless."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from staff.models import ExportJob, ExportStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}


def test_old_files_go_recent_ones_stay(city):
    user = factories.user("hr.city.files")
    now = timezone.now()
    old = ExportJob.objects.create(user=user, kind="training_records", status=ExportStatus.DONE,
                                   finished_at=now - dt.timedelta(days=30))
    old.file.save("old.xlsx", ContentFile(b"x"))
    fresh = ExportJob.objects.create(user=user, kind="training_records", status=ExportStatus.DONE,
                                     finished_at=now)
    fresh.file.save("fresh.xlsx", ContentFile(b"y"))
    stale_upload = default_storage.save("imports/roster/u1-abc.xlsx", ContentFile(b"z"))
    recent_upload = default_storage.save("imports/roster/u1-def.xlsx", ContentFile(b"w"))
    two_days_ago = (now - dt.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(stale_upload), (two_days_ago, two_days_ago))

    call_command("prune_files")
    call_command("prune_files")  # idempotent

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.file and fresh.file and default_storage.exists(fresh.file.name)
    assert not default_storage.exists(stale_upload) and default_storage.exists(recent_upload)
