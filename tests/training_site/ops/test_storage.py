"""Files through an S3-compatible store (FILE_STORAGE=s3): an export written by the background job lands in
the bucket, lists, and downloads byte for byte; files are private and their links signed and short-lived;
a bad environment refuses to start.

The store is moto's standalone S3 server on a free port of this machine (no network, no account).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from staff.models import ExportJob, ExportStatus
from tests.processes import ROOT, free_port
from tests.staff.export_data import YEAR, hostile_world
from training_site.settings.storage import file_storage_backend, file_storage_origins

BUCKET = "city-training-files"
PREFIX = "training"
ROWS_WITH_HEADING = 6  # the heading row and the five officials of the hostile world
KEYS = {"S3_ACCESS_KEY_ID": "moto-key", "S3_SECRET_ACCESS_KEY": "moto-secret", "S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[Any]:
    """An empty bucket for the test, read directly with boto3 to see what really reached the store."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="moto-key", aws_secret_access_key="moto-secret")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3_storage(settings, s3_endpoint: str, bucket: Any) -> Any:
    """The default storage as FILE_STORAGE=s3 builds it, pointed at the moto server."""
    environ = {"FILE_STORAGE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "S3_PREFIX": PREFIX,
               "S3_ADDRESSING_STYLE": "path", **KEYS}
    # A new STORAGES makes Django drop its storage objects, so default_storage is the S3 one from here on.
    settings.STORAGES = {**settings.STORAGES, "default": file_storage_backend(environ)}
    assert type(default_storage._wrapped).__name__ != "S3Storage"  # still lazy: built on first use below
    return default_storage


def _keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_export_made_by_the_background_job_is_stored_in_the_bucket_and_downloads_the_same(
        client, settings, s3_storage, bucket, hr_a, ward_a, training_centre, django_capture_on_commit_callbacks):
    hostile_world(ward_a=ward_a, training_centre=training_centre)
    settings.EXPORT_BACKGROUND_THRESHOLD_ROWS = 0  # every export is "big": it goes through the job and the store
    client.force_login(hr_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("staff_export_training_records"),
                              {"year": YEAR, "unit": ward_a.code, "mode": "as_it_was", "format": "xlsx"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE and job.file.name.startswith("exports/")
    # The object is in the bucket under the prefix, and nowhere on the local disk.
    assert _keys(bucket) == [f"{PREFIX}/{job.file.name}"]
    assert not (settings.MEDIA_ROOT / job.file.name).exists()
    folder, name = job.file.name.rsplit("/", 1)
    assert default_storage.listdir(folder) == ([], [name])
    assert default_storage.listdir("exports")[0] == [folder.split("/")[1]]  # the year's folder

    in_bucket = bucket.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{job.file.name}")["Body"].read()
    with default_storage.open(job.file.name, "rb") as stream:
        assert stream.read() == in_bucket
    download = client.get(reverse("staff_export_job_download", args=[job.pk]))
    assert download.status_code == 200
    downloaded = b"".join(download.streaming_content)
    assert downloaded == in_bucket
    rows = list(load_workbook(BytesIO(downloaded), read_only=True).active.iter_rows(values_only=True))
    assert job.rows_done == 5 and len(rows) == ROWS_WITH_HEADING


def test_a_stored_file_is_private_and_its_link_is_signed_for_ten_minutes(s3_storage, bucket):
    name = default_storage.save("certificates/2026/batch.pdf", ContentFile(b"%PDF-1.4 personal data"))

    acl = bucket.get_object_acl(Bucket=BUCKET, Key=f"{PREFIX}/{name}")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # the owner's, nobody else's
    assert not any("AllUsers" in str(grant["Grantee"]) for grant in acl["Grants"])
    query = parse_qs(urlsplit(default_storage.url(name)).query)
    assert query["X-Amz-Expires"] == ["600"] and "X-Amz-Signature" in query


def test_a_second_file_of_the_same_name_does_not_replace_the_first(s3_storage, bucket):
    first = default_storage.save("imports/roster.xlsx", ContentFile(b"first"))
    second = default_storage.save("imports/roster.xlsx", ContentFile(b"second"))

    assert first != second
    with default_storage.open(first, "rb") as stream:
        assert stream.read() == b"first"


def test_local_files_are_the_default():
    assert file_storage_backend({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert file_storage_backend({"FILE_STORAGE": "local"})["BACKEND"].endswith("FileSystemStorage")
    assert file_storage_origins({}) == []


def test_s3_without_a_bucket_is_refused():
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        file_storage_backend({"FILE_STORAGE": "s3", **KEYS})


@pytest.mark.parametrize("environ, message", [
    ({"FILE_STORAGE": "ftp"}, "FILE_STORAGE must be one of local, s3"),
    ({"FILE_STORAGE": "s3", "S3_BUCKET": "b", "S3_URL_EXPIRY_SECONDS": "ten"}, "S3_URL_EXPIRY_SECONDS"),
    ({"FILE_STORAGE": "s3", "S3_BUCKET": "b", "S3_URL_EXPIRY_SECONDS": "0"}, "above 0"),
    ({"FILE_STORAGE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE"),
])
def test_a_bad_storage_setting_is_refused(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        file_storage_backend(environ)


def test_the_store_is_where_the_policy_lets_images_load_from():
    assert file_storage_origins({"FILE_STORAGE": "s3", "S3_BUCKET": "b",
                                 "S3_ENDPOINT_URL": "https://files.city.example:9000/"}) == [
        "https://files.city.example:9000"]
    assert file_storage_origins({"FILE_STORAGE": "s3", "S3_BUCKET": "b", "S3_REGION": "ap-southeast-1"}) == [
        "https://b.s3.amazonaws.com", "https://b.s3.ap-southeast-1.amazonaws.com"]


def _settings_in_a_fresh_process(**environ: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("S3_", "FILE_STORAGE"))}
    env.update(environ, DJANGO_SETTINGS_MODULE="training_site.settings.test")
    code = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_settings_refuse_to_start_with_s3_and_no_bucket():
    refused = _settings_in_a_fresh_process(FILE_STORAGE="s3")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: FILE_STORAGE=s3 needs S3_BUCKET" in refused.stderr

    chosen = _settings_in_a_fresh_process(FILE_STORAGE="s3", S3_BUCKET=BUCKET, S3_ENDPOINT_URL="http://127.0.0.1:1")
    assert chosen.returncode == 0, chosen.stderr
    assert "storages.backends.s3.S3Storage" in chosen.stdout and f"'bucket_name': '{BUCKET}'" in chosen.stdout


@pytest.mark.django_db
def test_prune_files_finds_old_import_uploads_in_the_bucket(s3_storage, bucket):
    """An object store has no folders: `exists("imports")` says False while files are under it."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from staff.services.files import prune_files

    name = s3_storage.save("imports/officials/old-roster.xlsx", ContentFile(b"roster"))
    _exports, uploads = prune_files(storage=s3_storage, exports_before=timezone.now() - dt.timedelta(days=14),
                                    uploads_before=timezone.now() + dt.timedelta(minutes=1))
    assert uploads == 1
    assert not s3_storage.exists(name)
