"""Exports that survive a crash: the same task queued again after its worker died takes its RUNNING job over
and does it once, any other task skips it; a task given up leaves its job FAILED, never "running" for ever;
and My exports offers the owner, and only the owner, to try a failed export again.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from staff.exports import tasks
from staff.exports.records import TrainingRecordsExporter
from staff.models import AuditAction, AuditEntry, ExportJob, ExportStatus
from staff.services.exports import export_job_claim, export_job_fail, export_job_finish
from tests.staff.export_data import YEAR, stored_files
from training_site.ops.workers import task_result_give_up

pytestmark = pytest.mark.django_db

KIND = TrainingRecordsExporter.name


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def filters(unit) -> dict[str, Any]:
    return {"year": YEAR, "unit": unit.code, "mapped": False, "format": "xlsx", "language": "en"}


def run_as_task(task_id: str, job_id: int) -> str:
    """``run_export_job`` as a worker runs it for the task ``task_id``: with its context first (of which the
    task only reads its result's id; django-tasks' types leave the context out of ``call``)."""
    call: Callable[..., str] = tasks.run_export_job.call
    return call(SimpleNamespace(task_result=SimpleNamespace(id=task_id)), job_id=job_id)


def failed_job(user, unit, *, error: str = "database went away") -> ExportJob:
    return ExportJob.objects.create(user=user, kind=KIND, params=filters(unit), status=ExportStatus.FAILED,
                                    error=error, rows_total=5, rows_done=2)


# --- The same task again, another task ---------------------------------------------------------------------


def test_the_same_task_queued_again_takes_over_its_running_job_and_no_other_task_does(hr_a, ward_a):
    job = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a))
    assert export_job_claim(job_id=job.pk, task_id="task-1")
    ExportJob.objects.filter(pk=job.pk).update(rows_done=3)  # where its dead worker had got to

    assert export_job_claim(job_id=job.pk, task_id="task-2") is False  # a second task for the same job
    assert export_job_claim(job_id=job.pk) is False  # a direct call
    assert export_job_claim(job_id=job.pk, task_id="task-1") is True  # the same task, requeued
    job.refresh_from_db()
    assert (job.status, job.task_id, job.rows_done) == (ExportStatus.RUNNING, "task-1", 0)  # from the start


def test_a_requeued_export_task_finishes_its_job_once(hr_a, ward_a, hostile, media):
    job = tasks.export_job_start(user=hr_a, kind=KIND, params=filters(ward_a))
    assert export_job_claim(job_id=job.pk, task_id="task-1")  # its first worker then died

    assert run_as_task("task-2", job.pk) == "skipped"
    assert run_as_task("task-1", job.pk) == ExportStatus.DONE
    assert run_as_task("task-1", job.pk) == "skipped"  # done is done
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, 5, 5)
    assert len(stored_files(media)) == 1
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_a_run_finishing_after_its_successor_records_nothing(hr_a, ward_a):
    job = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a), status=ExportStatus.RUNNING)
    assert export_job_finish(job=job, stored_name="exports/a.xlsx", filename="a.xlsx", rows=5) is True
    assert export_job_finish(job=job, stored_name="exports/b.xlsx", filename="b.xlsx", rows=5) is False
    assert export_job_fail(job=job, error="late") is False  # a DONE job stays done
    job.refresh_from_db()
    assert (job.status, job.file.name, job.error) == (ExportStatus.DONE, "exports/a.xlsx", "")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


# --- A task given up ----------------------------------------------------------------------------------------


def _given_up(job: ExportJob, *worker_ids: str) -> DBTaskResult:
    task = DBTaskResult.objects.create(task_path="staff.exports.tasks.run_export_job", backend_name="default",
                                       args_kwargs={"args": [], "kwargs": {"job_id": job.pk}},
                                       status=TaskResultStatus.RUNNING, worker_ids=list(worker_ids),
                                       run_after=get_date_max())
    return task


def test_a_task_given_up_leaves_its_job_failed_not_running(settings, hr_a, ward_a):
    settings.TASK_MAX_ATTEMPTS = 3
    job = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a))
    task = _given_up(job, "w1", "w2", "w3")
    assert export_job_claim(job_id=job.pk, task_id=str(task.pk))
    assert task_result_give_up(task=task)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == ("Tiến trình chạy nền đã dừng đột ngột 3 lần trước khi xuất xong nên bản xuất này bị "
                         "dừng hẳn. Vui lòng thử lại.")


def test_a_task_given_up_does_not_fail_the_job_another_task_is_running(hr_a, ward_a):
    job = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a))
    assert export_job_claim(job_id=job.pk, task_id="the-other-task")
    assert task_result_give_up(task=_given_up(job, "w1", "w2", "w3"))
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.RUNNING, "")


# --- Try again ----------------------------------------------------------------------------------------------


def test_owner_sees_a_failed_job_with_try_again_and_gets_a_new_job(client, hr_a, ward_a, hostile,
                                                                   django_capture_on_commit_callbacks):
    job = failed_job(hr_a, ward_a)
    client.force_login(hr_a)
    page = client.get(reverse("staff_export_jobs")).content.decode()
    assert "Thất bại" in page and "database went away" in page
    assert f'name="retry" value="{job.pk}"' in page and "Thử lại" in page

    with django_capture_on_commit_callbacks(execute=True):  # the new job runs in-process (test settings)
        response = client.post(reverse("staff_export_jobs"), {"retry": job.pk})
    assert response.status_code == 302 and response["Location"] == reverse("staff_export_jobs")
    again = ExportJob.objects.exclude(pk=job.pk).get()
    assert (again.user, again.kind, again.params) == (hr_a, job.kind, job.params)
    assert again.status == ExportStatus.DONE and again.file
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, "database went away")  # the record of the failure
    retry = AuditEntry.objects.get(action=AuditAction.EXPORT, detail__retry_of=job.pk)
    assert (retry.user, retry.object_id, retry.detail["kind"]) == (hr_a, str(again.pk), KIND)
    assert retry.summary == f"Xuất lại {KIND} sau khi lần xuất số {job.pk} thất bại"
    listing = client.get(reverse("staff_export_jobs")).content.decode()
    assert listing.count('name="retry"') == 1  # the finished one offers a download, not a retry


def test_another_user_gets_404_for_a_retry_and_no_job(client, hr_a, hr_b, city_hr, ward_a):
    job = failed_job(hr_a, ward_a)
    for other in (hr_b, city_hr):
        client.force_login(other)
        assert client.post(reverse("staff_export_jobs"), {"retry": job.pk}).status_code == 404
        assert f'name="retry" value="{job.pk}"' not in client.get(reverse("staff_export_jobs")).content.decode()
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize("status", [ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.DONE])
def test_only_a_failed_job_is_tried_again(client, hr_a, ward_a, status):
    job = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a), status=status)
    client.force_login(hr_a)
    assert 'name="retry"' not in client.get(reverse("staff_export_jobs")).content.decode()
    assert client.post(reverse("staff_export_jobs"), {"retry": job.pk}).status_code == 404
    assert client.post(reverse("staff_export_jobs"), {"retry": "not-a-number"}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_a_retry_checks_the_scope_again(client, hr_a, ward_b):
    # A unit out of the requester's reach now (a role taken away, a job from another time): as on the form, 404.
    job = failed_job(hr_a, ward_b)
    client.force_login(hr_a)
    assert client.post(reverse("staff_export_jobs"), {"retry": job.pk}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_a_job_under_way_redraws_the_page_when_it_ends_so_that_a_failure_offers_try_again(client, hr_a, ward_a):
    running = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a), status=ExportStatus.RUNNING)
    done = ExportJob.objects.create(user=hr_a, kind=KIND, params=filters(ward_a), status=ExportStatus.DONE)
    client.force_login(hr_a)
    page = client.get(reverse("staff_export_jobs")).content.decode()
    rows = {job.pk: page.split(f'data-job="{job.pk}"')[1].split("</tr>")[0] for job in (running, done)}
    assert "data-progress-reload" in rows[running.pk] and "data-progress-reload" not in rows[done.pk]
