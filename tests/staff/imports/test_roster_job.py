"""A roster above IMPORT_BACKGROUND_THRESHOLD_ROWS is imported by a background job its uploader watches:
the job imports the file once, all or nothing, says "failed" (in Vietnamese) when it fails, reports its
progress as JSON, and is its uploader's own; a smaller file is imported in the request as before."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.urls import reverse

from staff.imports import people, writes
from staff.models import AuditAction, AuditEntry, Category, ImportJob, ImportStage, ImportStatus, Official, Rank
from staff.services import imports as jobs
from staff.services.accounts import is_activated
from tests.staff.import_files import as_lists, roster_row, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_THRESHOLD_ROWS = 2  # three rows are "a city roster"
    return settings


@pytest.fixture
def ranks(db):
    return Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)


@pytest.fixture
def roster(tmp_path, ward_a, ranks):
    rows = [roster_row(f"BG{n}", f"Nguyễn Thị Nền {n}", "P-A") for n in range(3)]
    return write_xlsx(tmp_path / "danh-sách-phường.xlsx", as_lists(rows))


def stored_uploads(settings) -> list:
    folder = settings.MEDIA_ROOT / "imports" / "roster"
    return list(folder.iterdir()) if folder.exists() else []


def dry_run(client, path):
    with open(path, "rb") as stream:
        response = client.post(reverse("staff_officials_import"), {"file": stream})
    assert response.status_code == 200 and response.context["token"], response.context["report"].errors
    return response.context["token"]


def confirm(client, token):
    return client.post(reverse("staff_officials_import"), {"token": token})


def status(client, job):
    return client.get(reverse("staff_officials_import_job_status", args=[job.pk]))


def test_above_the_threshold_the_confirm_queues_a_job_that_imports_the_file(
        client, hr_a, roster, small_threshold, django_capture_on_commit_callbacks):
    client.force_login(hr_a)
    token = dry_run(client, roster)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, token)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_officials_import_job", args=[job.pk])
    assert (job.user, job.status, job.filename, job.rows_total) == (hr_a, ImportStatus.DONE, roster.name, 3)
    assert (job.created, job.updated, job.unchanged, job.accounts_created) == (3, 0, 0, 3)
    # Accounts as the synchronous path makes them: one per new official, not yet activated.
    officials = list(Official.objects.select_related("user").order_by("employee_code"))
    assert [o.employee_code for o in officials] == ["BG0", "BG1", "BG2"]
    assert all(o.user is not None and not is_activated(o.user) for o in officials)
    assert officials[0].full_name == "Nguyễn Thị Nền 0"
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.user == hr_a and job.audit_entry == entry
    assert entry.detail["created"] == 3 and entry.detail["filename"] == roster.name
    assert not stored_uploads(small_threshold)  # the task deleted the upload

    page = client.get(response["Location"])
    assert page.status_code == 200
    invite = f"{reverse('staff_invitations_new')}?import={entry.pk}"
    assert invite.encode() in page.content and b"job-progress" in page.content


def test_confirming_the_same_upload_twice_leads_to_one_job(client, hr_a, roster, small_threshold):
    client.force_login(hr_a)
    token = dry_run(client, roster)

    first = confirm(client, token)  # no commit callbacks run: the first job is still queued, its upload kept
    second = confirm(client, token)  # a double click, or Back and Confirm

    job = ImportJob.objects.get()
    assert first["Location"] == second["Location"] == reverse("staff_officials_import_job", args=[job.pk])


def test_the_task_run_twice_imports_once(hr_a, roster, small_threshold):
    name = small_threshold.MEDIA_ROOT / "imports" / "roster" / f"u{hr_a.pk}-twice.xlsx"
    name.parent.mkdir(parents=True)
    name.write_bytes(roster.read_bytes())
    job = jobs.roster_import_job_start(user=hr_a, stored_name=f"imports/roster/{name.name}",
                                       filename=roster.name, rows_total=3)

    first = jobs.run_roster_import_job.call(job_id=job.pk)
    second = jobs.run_roster_import_job.call(job_id=job.pk)

    assert (first, second) == (ImportStatus.DONE, "skipped")
    assert Official.objects.count() == 3
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.stored_name == ""


@pytest.mark.parametrize("failure, words", [
    (DatabaseError("deadlock detected"), "Danh sách cán bộ đã thay đổi trong lúc nhập tệp"),
    (RuntimeError("a bug"), "Việc nhập dừng lại vì một lỗi không lường trước; chưa có gì được ghi."),
])
def test_a_file_that_fails_inside_the_task_writes_nothing_and_the_job_says_failed(
        client, monkeypatch, hr_a, roster, small_threshold, django_capture_on_commit_callbacks, failure, words):
    def broken(**kwargs):
        raise failure

    # The officials and their new accounts are written, then closing accounts fails: all must roll back.
    monkeypatch.setattr(writes, "accounts_follow_status", broken)
    users_before = User.objects.count()
    client.force_login(hr_a)
    token = dry_run(client, roster)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, token)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.error.startswith(words) or words in job.error, job.error
    assert not Official.objects.exists() and User.objects.count() == users_before
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    assert not stored_uploads(small_threshold)
    state = status(client, job).json()
    assert (state["state"], state["finished"], state["label"]) == ("failed", True, "Thất bại")
    assert state["text"] == "Chưa có gì được nhập." and state["error"] == job.error
    page = client.get(response["Location"])
    assert "Chưa có gì được nhập.".encode() in page.content and job.error.encode() in page.content
    assert reverse("staff_officials_import").encode() in page.content  # the way back to upload again


def test_a_job_whose_upload_is_gone_fails_with_the_reason(hr_a, small_threshold):
    job = jobs.roster_import_job_start(user=hr_a, stored_name="imports/roster/gone.xlsx", filename="gone.xlsx",
                                       rows_total=3)
    assert jobs.run_roster_import_job.call(job_id=job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "tải lên lại" in job.error


def test_the_status_json_moves_from_queued_through_reading_to_done(client, monkeypatch, hr_a, roster):
    client.force_login(hr_a)
    token = dry_run(client, roster)
    confirm(client, token)  # no commit callbacks run here: the job stays queued
    job = ImportJob.objects.get()
    queued = status(client, job)
    assert "no-store" in queued["Cache-Control"]
    assert queued.json() | {"text": ""} == {"state": "queued", "label": "Đang chờ", "done": 0, "total": 3,
                                            "percent": 0, "text": "", "error": "", "finished": False,
                                            "download_url": ""}

    seen = []
    monkeypatch.setattr(people, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(jobs, "PROGRESS_PER_SECOND", 10_000)
    record = jobs.import_job_progress

    def watching(**kwargs):
        record(**kwargs)
        state = status(client, job).json()
        seen.append((state["state"], state["done"], state["total"]))

    monkeypatch.setattr(jobs, "import_job_progress", watching)
    jobs.run_roster_import_job.call(job_id=job.pk)

    # Rows read one by one out of three, then an indeterminate bar while it checks and writes them.
    assert seen == [("running", 0, 3), ("running", 1, 3), ("running", 2, 3), ("running", 3, 3),
                    ("running", 3, None)]
    done = status(client, job).json()
    assert (done["state"], done["finished"], done["percent"], done["done"], done["total"]) == ("done", True, 100, 3, 3)
    assert "3" in done["text"] and roster.name in done["text"]


def test_progress_is_recorded_a_few_times_a_second_at_most(monkeypatch, hr_a):
    job = ImportJob.objects.create(user=hr_a, status=ImportStatus.RUNNING)
    writes = []
    monkeypatch.setattr(jobs, "import_job_progress", lambda **kwargs: writes.append(kwargs))
    progress = jobs._Throttled(job.pk)

    for rows in range(1, 1001):
        progress(ImportStage.READING, rows)
    progress(ImportStage.WRITING, 1000)

    # The first reading, then (the loop takes far less than a third of a second) only the change of stage.
    assert writes == [{"job_id": job.pk, "stage": "reading", "rows_done": 1},
                      {"job_id": job.pk, "stage": "writing", "rows_done": 1000}]


def test_another_hr_officer_gets_404_on_the_job_and_its_status(client, hr_a, hr_b, city_hr, roster):
    client.force_login(hr_a)
    confirm(client, dry_run(client, roster))
    job = ImportJob.objects.get()
    assert client.get(reverse("staff_officials_import_job", args=[job.pk])).status_code == 200
    assert status(client, job).status_code == 200

    for other in (hr_b, city_hr):  # the job is its uploader's own, as an export is
        client.force_login(other)
        assert client.get(reverse("staff_officials_import_job", args=[job.pk])).status_code == 404
        assert status(client, job).status_code == 404


def test_at_or_below_the_threshold_the_file_is_imported_in_the_request(client, hr_a, roster, small_threshold):
    small_threshold.IMPORT_BACKGROUND_THRESHOLD_ROWS = 3
    client.force_login(hr_a)

    response = confirm(client, dry_run(client, roster))

    assert response.status_code == 302 and response["Location"].startswith(reverse("staff_invitations_new"))
    assert not ImportJob.objects.exists() and Official.objects.count() == 3
