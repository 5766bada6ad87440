"""Backups restore: the pytest database (with an issued certificate) and its stored files are backed up,
restored by a separate `manage.py restore` process into a fresh database and a fresh storage folder, and the
copy holds the same files byte for byte and verifies the certificate on the public page.

The same round trip runs on PostgreSQL (pg_dump/pg_restore into a new database ``restore_<random>``,
dropped at the end) and on SQLite (the backup API into a new file). A restore over existing data is refused
unless forced; a backup whose dump or files do not match the manifest is refused before anything is touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from staff.models import Certificate, Enrollment, ExportJob, ExportStatus, Official, Role, UnitKind
from staff.services.exports import export_job_file_save
from tests import factories
from tests.figures import figure
from tests.staff.accounts.test_lockout_processes import database_url
from tests.staff.certificate_fixtures import NAME, TITLE

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = connection.vendor == "postgresql"
round_trip = pytest.mark.django_db(transaction=True)  # pg_dump and the restore process see committed rows only


@dataclass
class Target:
    """A fresh, empty database and storage folder that `manage.py restore` runs against."""

    url: str
    media: Path
    database: str  # the PostgreSQL name, or the SQLite file

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "training_site.settings.test", "DATABASE_URL": self.url,
               "MEDIA_ROOT": str(self.media)}
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    def restore(self, backup: Path, *options: str) -> subprocess.CompletedProcess[str]:
        return self.manage("restore", str(backup), *options)

    def shell(self, code: str) -> str:
        done = self.manage("shell", "--no-imports", "--verbosity=0", "-c", code)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def execute(self, sql: str) -> None:
        """A statement run directly on the target, as someone working on the copy would."""
        if POSTGRES:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                db.execute(sql)
        else:
            with sqlite3.connect(self.database) as db:
                db.execute(sql)
            db.close()

    def tables(self) -> list[str]:
        """The target's tables, read directly (not through the code under test)."""
        if POSTGRES:
            import psycopg

            with psycopg.connect(self.url) as db:
                return [row[0] for row in db.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        if not Path(self.database).exists():
            return []
        with sqlite3.connect(self.database) as db:
            return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


@dataclass
class Backup:
    path: Path
    manifest: dict
    source_files: dict[str, str]  # storage name -> sha256, read from the source folder by the test itself
    source_counts: dict[str, int]
    verification_code: str
    serial: str
    seconds: float
    output: str


@dataclass
class Targets:
    """Fresh targets made on demand; every database made is dropped when the module ends."""

    folder: Path
    made: list[Target] = field(default_factory=list)

    def new(self) -> Target:
        key = uuid.uuid4().hex[:10]
        media = self.folder / f"media-{key}"
        media.mkdir()
        if POSTGRES:
            name = f"restore_{key}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            url = database_url().rsplit("/", 1)[0] + f"/{name}"
        else:
            name = str(self.folder / f"restore-{key}.sqlite3")
            url = f"sqlite:///{name}"
        target = Target(url=url, media=media, database=name)
        self.made.append(target)
        return target

    def drop_all(self) -> None:
        if POSTGRES:
            with connection.cursor() as cursor:
                for target in self.made:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def _sha256_of_folder(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _demo_data() -> tuple[Certificate, dict[str, int]]:
    """The personas of tests/conftest.py, a finished class, an issued certificate, an export and an upload."""
    import datetime as dt

    from courses.models import CredentialType

    city = factories.unit("HN", name="Thành phố Hà Nội", kind=UnitKind.CITY)
    ward = factories.unit("P-A", name="Phường Khương Đình", parent=city, valid_from=dt.date(2025, 7, 1))
    centre = factories.unit("TTBD", name="Trung tâm Bồi dưỡng", parent=city, kind=UnitKind.TRAINING_CENTRE)
    official = factories.official(unit=ward, name=NAME, employee_code="CB-A-1", user=factories.user("official"))
    organizer = factories.user("organizer", role=Role.ORGANIZER, unit=centre)
    hr = factories.user("hr.a", role=Role.UNIT_HR, unit=ward)
    for number in range(20):
        factories.official(unit=ward, name=f"Trần Văn Bình {number}")
    course = factories.course(title=TITLE, organizer=centre, periods=16, credential_type=CredentialType.CHUNG_CHI,
                              certificate_validity_months=24)
    session = factories.session(course=course, start=dt.date(2026, 10, 5), days=2, code="KNS-T1")
    completed = factories.completed_enrollment(official=official, session=session, periods_earned=14)
    certificate = factories.issued_certificate(enrollment=completed, by=organizer, issued_on=dt.date(2026, 10, 6))

    # An export bigger than one copy chunk (1 MB), an import upload, and a name with diacritics and spaces.
    stored = export_job_file_save(content=io.BytesIO(os.urandom(1_500_000)), filename="danh-sach-can-bo.xlsx")
    ExportJob.objects.create(user=hr, kind="officials", status=ExportStatus.DONE, file=stored,
                             filename="danh-sach-can-bo.xlsx", rows_done=21, rows_total=21)
    default_storage.save(f"imports/officials/u{hr.pk}-{uuid.uuid4().hex}.csv",
                         ContentFile("Mã cán bộ,Họ và tên\nCB-9,Lê Thị Ánh Tuyết\n".encode()))
    default_storage.save("documents/Kế hoạch bồi dưỡng 2027.pdf", ContentFile(b"%PDF-1.4 synthetic\n"))
    counts = {"officials": Official.objects.count(), "enrollments": Enrollment.objects.count(),
              "certificates": Certificate.objects.count(), "exports": ExportJob.objects.count()}
    return certificate, counts


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("backup")


@pytest.fixture(scope="module")
def backup(django_db_setup, django_db_blocker, workspace) -> Backup:
    """A backup of the pytest database and a storage folder of its own, made once for the module.

    The rows are committed (pg_dump reads from its own connection); the round-trip tests are transactional,
    so pytest-django empties the database after them as after any such test.
    """
    media = workspace / "source-media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        certificate, counts = _demo_data()
        output = io.StringIO()
        started = time.monotonic()
        call_command("backup", str(workspace / "backups"), name="nightly", stdout=output)
        seconds = time.monotonic() - started
    path = workspace / "backups" / "nightly"
    manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    figure(f"backup ({connection.vendor}): dump {manifest['database']['size']:,} bytes, "
          f"{len(manifest['files'])} files {sum(f['size'] for f in manifest['files'].values()):,} bytes, "
          f"{seconds:.2f} s")
    return Backup(path=path, manifest=manifest, source_files=_sha256_of_folder(media), source_counts=counts,
                  verification_code=certificate.verification_code, serial=certificate.serial, seconds=seconds,
                  output=output.getvalue())


@pytest.fixture(scope="module")
def targets(django_db_setup, django_db_blocker, workspace) -> Iterator[Callable[[], Target]]:
    made = Targets(folder=workspace)
    with django_db_blocker.unblock():
        try:
            yield made.new
        finally:
            made.drop_all()


@pytest.fixture(scope="module")
def restored(backup, targets) -> tuple[Target, subprocess.CompletedProcess[str], float]:
    """The backup restored by `manage.py restore` into a fresh database and storage folder."""
    target = targets()
    started = time.monotonic()
    done = target.restore(backup.path)
    seconds = time.monotonic() - started
    figure(f"restore ({connection.vendor}) in a fresh process: {seconds:.2f} s (Django start included)\n"
          f"{done.stdout.strip()}")
    return target, done, seconds


def _verification_page(target: Target, code: str) -> tuple[int, str]:
    """The public verification page as the restored site serves it (a real request through Django's stack)."""
    out = target.shell("from django.test import Client\n"
                       f"response = Client().get('/xac-minh/{code}/')\n"
                       "print(response.status_code)\n"
                       "print(response.content.decode())")
    status, _, html = out.partition("\n")
    return int(status), html


# --- The backup ----------------------------------------------------------------------------------------


@round_trip
def test_the_backup_lists_the_dump_and_every_stored_file_with_size_and_checksum(backup):
    manifest = backup.manifest

    dump = backup.path / manifest["database"]["file"]
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["size"] == dump.stat().st_size
    assert manifest["database"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == backup.source_files
    assert len(backup.source_files) == 3
    assert "documents/Kế hoạch bồi dưỡng 2027.pdf" in manifest["files"]
    assert _sha256_of_folder(backup.path / "files") == backup.source_files
    assert manifest["migrations"]["staff"].startswith("00")
    assert manifest["migrations"]["training_site"] == "0001_operations"
    assert manifest["format_version"] == 1 and manifest["versions"]["django"].startswith("5.")
    assert manifest["created_at"].endswith("Z")
    assert f"{len(backup.source_files)} files" in backup.output and " s." in backup.output


@round_trip
@pytest.mark.skipif(not POSTGRES, reason="the custom-format dump is PostgreSQL's")
def test_on_postgresql_the_dump_is_pg_dump_custom_format(backup):
    dump = backup.path / "database.dump"

    assert dump.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public staff_certificate" in listing.stdout


# --- The round trip --------------------------------------------------------------------------------------


@round_trip
def test_restore_into_a_fresh_database_and_storage_gives_the_same_files_and_rows(backup, restored):
    target, done, _ = restored

    assert done.returncode == 0, done.stderr
    assert "every checksum matches the manifest" in done.stdout
    assert _sha256_of_folder(target.media) == backup.source_files
    counts = json.loads(target.shell(
        "import json\nfrom staff.models import Certificate, Enrollment, ExportJob, Official\n"
        "print(json.dumps({'officials': Official.objects.count(), 'enrollments': Enrollment.objects.count(),"
        " 'certificates': Certificate.objects.count(), 'exports': ExportJob.objects.count()}))").splitlines()[-1])
    assert counts == backup.source_counts


@round_trip
def test_the_certificate_verifies_on_the_restored_copy_with_the_officials_name(backup, restored):
    target, done, _ = restored
    assert done.returncode == 0, done.stderr

    status, html = _verification_page(target, backup.verification_code)

    assert status == 200
    assert 'data-state="valid"' in html
    assert NAME in html  # "Nguyễn Thị Hồng Hải", diacritics intact through dump and restore
    assert TITLE in html and backup.serial in html


@round_trip
def test_the_export_is_still_downloadable_from_its_recorded_name_on_the_copy(backup, restored):
    target, _, _ = restored

    out = target.shell("import hashlib\nfrom staff.models import ExportJob\njob = ExportJob.objects.get()\n"
                       "print(job.file.name)\nprint(hashlib.sha256(job.file.read()).hexdigest())")
    name, digest = out.strip().splitlines()[-2:]

    assert backup.manifest["files"][name]["sha256"] == digest


# --- Refusals --------------------------------------------------------------------------------------------


@round_trip
def test_restore_into_the_now_non_empty_database_is_refused_without_force(backup, restored):
    target, _, _ = restored
    before = _sha256_of_folder(target.media)

    done = target.restore(backup.path)

    assert done.returncode != 0
    assert "Refusing to restore over existing data" in done.stderr
    assert "tables" in done.stderr and "django_migrations lists" in done.stderr
    assert "the file storage already holds files" in done.stderr
    assert "--force" in done.stderr
    assert _sha256_of_folder(target.media) == before


@round_trip
def test_restore_with_force_puts_back_the_backups_rows_and_files(backup, restored):
    target, _, _ = restored
    # Someone revokes the certificate and overwrites a stored file on the copy; the forced restore undoes both.
    target.shell("from staff.models import Certificate, CertificateStatus\n"
                 f"Certificate.objects.filter(verification_code='{backup.verification_code}')"
                 ".update(status=CertificateStatus.REVOKED)")
    changed = next(name for name in backup.source_files if name.startswith("imports/"))
    (target.media / changed).write_bytes(b"changed after the restore")
    assert 'data-state="revoked"' in _verification_page(target, backup.verification_code)[1]
    # And a table the backup does not have, as an upgrade being rolled back leaves.
    target.execute("CREATE TABLE leftover_from_an_upgrade (id integer)")

    started = time.monotonic()
    done = target.restore(backup.path, "--force")
    figure(f"restore --force over the copy: {time.monotonic() - started:.2f} s")

    assert done.returncode == 0, done.stderr
    assert 'data-state="valid"' in _verification_page(target, backup.verification_code)[1]
    assert _sha256_of_folder(target.media) == backup.source_files
    if POSTGRES:  # pg_restore --clean drops only the dump's objects: the operator is told what is left
        assert "1 table(s) not in the backup were left in place (leftover_from_an_upgrade)" in done.stderr
        target.execute("DROP TABLE leftover_from_an_upgrade")
    else:  # the SQLite backup API replaces the whole file
        assert "leftover_from_an_upgrade" not in target.tables()


@round_trip
@pytest.mark.parametrize("damage", ["a stored file changed", "a stored file missing", "the dump changed"])
def test_a_backup_that_does_not_match_its_manifest_is_refused_before_anything_is_touched(backup, targets,
                                                                                      workspace, damage):
    copy = workspace / f"damaged-{uuid.uuid4().hex[:6]}"
    shutil.copytree(backup.path, copy)
    victim = next(name for name in backup.manifest["files"] if name.startswith("exports/"))
    if damage == "a stored file changed":
        data = bytearray((copy / "files" / victim).read_bytes())
        data[1000] ^= 0xFF  # one byte, same size: only the checksum can tell
        (copy / "files" / victim).write_bytes(bytes(data))
        named = f"files/{victim}: sha256"
    elif damage == "a stored file missing":
        (copy / "files" / victim).unlink()
        named = f"files/{victim}: missing"
    else:
        dump = copy / backup.manifest["database"]["file"]
        dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
        named = f"{dump.name}: sha256"
    target = targets()

    done = target.restore(copy, "--force")

    assert done.returncode != 0
    assert "does not match its manifest; nothing was restored" in done.stderr
    assert named in done.stderr
    assert target.tables() == []
    assert _sha256_of_folder(target.media) == {}


def test_a_folder_without_manifest_is_refused_as_incomplete(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"PGDMP")

    with pytest.raises(CommandError, match="no manifest.json: the backup is incomplete"):
        call_command("restore", str(tmp_path))


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"x")
    manifest = {"format_version": 1, "database": {"vendor": connection.vendor, "file": "database.dump", "size": 1,
                                                  "sha256": hashlib.sha256(b"x").hexdigest()},
                "migrations": {}, "files": {"../../etc/passwd": {"size": 1, "sha256": "0"}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="not a plain relative storage name"):
        call_command("restore", str(tmp_path))


def test_backup_refuses_a_target_folder_that_is_not_empty(tmp_path):
    (tmp_path / "nightly").mkdir()
    (tmp_path / "nightly" / "keep.txt").write_text("an earlier backup")

    with pytest.raises(CommandError, match="already exists and is not empty"):
        call_command("backup", str(tmp_path), name="nightly")
    assert [p.name for p in (tmp_path / "nightly").iterdir()] == ["keep.txt"]


@pytest.mark.django_db
def test_a_backup_interrupted_while_copying_files_leaves_no_folder_behind(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("exports/one.xlsx", ContentFile(b"rows"))

    def unreadable(*args, **kwargs):
        raise PermissionError("Permission denied: 'exports/one.xlsx'")

    monkeypatch.setattr("training_site.ops.backup._file_copy_out", unreadable)

    with pytest.raises(CommandError, match="The backup failed and .* was removed: Permission denied"):
        call_command("backup", str(tmp_path / "backups"), name="nightly")
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.mark.django_db
def test_a_file_deleted_while_the_backup_runs_is_left_out_and_named(tmp_path, settings, monkeypatch):
    import json as json_module

    from training_site.ops import backup as backup_module

    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("exports/kept.xlsx", ContentFile(b"rows"))
    default_storage.save("exports/pruned.xlsx", ContentFile(b"old rows"))
    real_copy = backup_module._file_copy_out

    def pruned_meanwhile(storage, name, destination):
        if name.endswith("pruned.xlsx"):
            storage.delete(name)  # prune_files ran between the listing and the copy
        return real_copy(storage, name, destination)

    monkeypatch.setattr(backup_module, "_file_copy_out", pruned_meanwhile)
    call_command("backup", str(tmp_path / "backups"), name="nightly")

    manifest = json_module.loads((tmp_path / "backups" / "nightly" / "manifest.json").read_text("utf-8"))
    assert list(manifest["files"]) == ["exports/kept.xlsx"]
    assert manifest["vanished_during_backup"] == ["exports/pruned.xlsx"]
