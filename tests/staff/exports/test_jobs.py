"""Background exports: the job is DONE only with its file, a failure leaves no file, a job runs once,
progress is recorded, every run is audited, and only the requester can download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from staff.exports import tasks
from staff.exports.records import TrainingRecordsExporter
from staff.models import AuditAction, AuditEntry, ExportJob, ExportStatus
from tests.staff.export_data import HOSTILE, YEAR, assert_no_formula, stored_files

FILTERS = {"year": YEAR, "unit": "P-A", "mapped": False, "format": "xlsx", "language": "en"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_CHUNK_ROWS = 2  # progress after every two rows
    return settings.MEDIA_ROOT


def test_admin_queues_big_export_and_only_requester_downloads(client, settings, hr_a, hr_b, city_hr, ward_a,
                                                              hostile, django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD_ROWS = 0  # every export is "big"
    client.force_login(hr_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("staff_export_training_records"),
                              {"year": YEAR, "unit": ward_a.code, "mode": "as_it_was", "format": "xlsx"})
    assert response.status_code == 302 and response["Location"] == reverse("staff_export_jobs")
    job = ExportJob.objects.get()
    assert (job.user, job.status, job.rows_done, job.rows_total) == (hr_a, ExportStatus.DONE, 5, 5)
    assert job.file and job.finished_at and job.filename.endswith(".xlsx")

    listing = client.get(reverse("staff_export_jobs"))
    assert reverse("staff_export_job_download", args=[job.pk]).encode() in listing.content
    download = client.get(reverse("staff_export_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert_no_formula(b"".join(download.streaming_content), *HOSTILE)

    for other in (hr_b, city_hr):
        client.force_login(other)
        assert client.get(reverse("staff_export_job_download", args=[job.pk])).status_code == 404
        assert reverse("staff_export_job_download", args=[job.pk]).encode() not in client.get(
            reverse("staff_export_jobs")).content
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == hr_a and entry.detail["rows"] == 5 and entry.detail["filters"]["unit"] == ward_a.code


def test_job_is_done_only_at_the_end_with_progress(monkeypatch, hr_a, hostile, media):
    seen = []

    class Watching(TrainingRecordsExporter):
        def data(self):
            for number, row in enumerate(super().data(), start=1):
                if number in (3, 5):
                    job = ExportJob.objects.get()
                    seen.append((job.status, job.rows_done, job.rows_total, bool(job.file), job.finished_at))
                yield row

    monkeypatch.setitem(tasks.EXPORTERS, TrainingRecordsExporter.name,
                        lambda params: Watching(year=params["year"]))
    job = tasks.export_job_start(user=hr_a, kind=TrainingRecordsExporter.name, params=FILTERS)
    assert tasks.run_export_job.call(job_id=job.pk) == ExportStatus.DONE
    # While writing: running, rows counted chunk by chunk, no file, not finished.
    assert seen == [(ExportStatus.RUNNING, 2, 5, False, None), (ExportStatus.RUNNING, 4, 5, False, None)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, 5, 5)
    with job.file.open("rb") as stream:
        rows = list(load_workbook(io.BytesIO(stream.read())).active.iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][0] == "Employee code"
    assert len(stored_files(media)) == 1


def test_failure_leaves_failed_job_without_file(client, monkeypatch, hr_a, hostile, media):
    class Broken(TrainingRecordsExporter):
        def data(self):
            for number, row in enumerate(super().data(), start=1):
                if number == 4:
                    raise RuntimeError("database went away")
                yield row

    monkeypatch.setitem(tasks.EXPORTERS, TrainingRecordsExporter.name, lambda params: Broken(year=params["year"]))
    job = tasks.export_job_start(user=hr_a, kind=TrainingRecordsExporter.name, params=FILTERS)
    assert tasks.run_export_job.call(job_id=job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "database went away" in job.error
    assert not job.file and job.rows_done == 2
    assert stored_files(media) == []
    client.force_login(hr_a)
    assert client.get(reverse("staff_export_job_download", args=[job.pk])).status_code == 404
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).detail["status"] == ExportStatus.FAILED


def test_a_job_runs_once(monkeypatch, hr_a, hostile):
    runs = []

    class Counting(TrainingRecordsExporter):
        def count(self):
            runs.append(1)
            return super().count()

    monkeypatch.setitem(tasks.EXPORTERS, TrainingRecordsExporter.name, lambda params: Counting(year=params["year"]))
    job = tasks.export_job_start(user=hr_a, kind=TrainingRecordsExporter.name, params=FILTERS)
    assert tasks.run_export_job.call(job_id=job.pk) == ExportStatus.DONE
    assert tasks.run_export_job.call(job_id=job.pk) == "skipped"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)  # another worker holds it
    assert tasks.run_export_job.call(job_id=job.pk) == "skipped"
    assert len(runs) == 1
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_job_is_enqueued_only_after_commit(hr_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = tasks.export_job_start(user=hr_a, kind=TrainingRecordsExporter.name, params=FILTERS)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED


def test_unknown_kind_is_refused(hr_a):
    with pytest.raises(ValueError):
        tasks.export_job_start(user=hr_a, kind="everything", params={})
