"""Benchmark (not a test): invitations for a city's roster, and sign-in under load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_accounts \\
        .venv/bin/python -m tests.bench.bench_accounts --officials 100000 --json test-artifacts/bench-accounts.json

It recreates the database it is given (never point it at real data), writes the officials through the
project's bulk roster service, then measures:

1. the request: ``invitations_start`` for every official (it records the selection and queues the task);
2. the worker: ``invitation_batch_send`` — one invitation queued per official (their accounts exist, made
   by the roster import as in a real city), each rendered and signed and "sent" through a channel that
   keeps nothing (everything but the network), marked sent, progress updated; pacing off: invitations per
   second per worker;
3. sign-in: N concurrent clients posting the public login form to a gunicorn server on production-like
   settings (PBKDF2 as in production), p50/p95 of the answer time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.processes import app_server


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_site.settings.test")
    os.environ["TEST_DB_SUFFIX"] = "-bench"
    import django

    django.setup()


def recreate_database(database_url: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.close()
        import psycopg

        admin = re.sub(r"/[^/]+$", "/postgres", database_url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def make_officials(count: int) -> None:
    from staff.models import Category, Gender, Official, Unit, UnitKind
    from staff.services.accounts import accounts_for_import
    from staff.services.people import officials_bulk_upsert

    city = Unit.objects.create(code="HN", name="Thành phố Hà Nội", kind=UnitKind.CITY, valid_from=dt.date(2025, 7, 1))
    wards = [Unit.objects.create(code=f"P-{n:03d}", name=f"Phường Thử {n}", kind=UnitKind.WARD, parent=city,
                                 valid_from=dt.date(2025, 7, 1)) for n in range(100)]
    for start in range(0, count, 10_000):
        batch = [(Official(employee_code=f"BM{n:07d}", full_name=f"Nguyễn Văn Thử {n}", gender=Gender.MALE,
                           category=Category.CIVIL_SERVANT, email=f"bm{n}@example.invalid", phone=f"09{n:08d}"),
                  wards[n % len(wards)]) for n in range(start, min(count, start + 10_000))]
        officials_bulk_upsert(new=batch, changed=[], start=dt.date(2026, 1, 1))
        # As the roster import does: every official gets an account waiting for an invitation.
        accounts_for_import(officials=[official for official, _unit in batch])


class NullChannel:
    """Keeps nothing: what is measured is ours, not a mail server's."""

    def __init__(self, name, options):
        self.name, self.sent = name, 0

    def can_reach(self, message) -> bool:
        return True

    def send(self, message) -> str:
        self.sent += len(message.text) > 0
        return ""


def bench_invitations(count: int) -> dict:
    from django.test import override_settings

    from staff.models import Official
    from staff.services import accounts

    channels = {"email": {"BACKEND": "tests.bench.bench_accounts.NullChannel"}}
    with override_settings(MESSAGE_CHANNELS=channels, INVITATION_SEND_RATE=0,
                           TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        started = time.perf_counter()
        batch = accounts.invitations_start(by=None, officials=Official.objects.all(), channel="email",
                                           description="benchmark")
        queued = time.perf_counter() - started
        started = time.perf_counter()
        sent = accounts.invitation_batch_send(batch_id=batch.pk)
        sending = time.perf_counter() - started
    return {"officials": count, "request_seconds": round(queued, 2), "sent": sent,
            "worker_seconds": round(sending, 2), "queued_rendered_sent_per_second_per_worker": round(sent / sending)}


def bench_sign_in(database_url: str, *, clients: int, requests_per_client: int) -> dict:
    import requests
    from django.contrib.auth.models import User

    from staff.models import Official

    # Production's hasher: the cost of a sign-in is mostly PBKDF2, by design.
    official = Official.objects.order_by("pk")[0]
    user = User.objects.get(pk=official.user_id)
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode("Mật-khẩu-thử-2026", PBKDF2PasswordHasher().salt())
    user.is_active = True
    user.save()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "training_site.settings.dev",
           "AXES_FAILURE_LIMIT": "100000", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "TASKS_BACKEND": "immediate"}
    workers = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="bench-accounts-") as folder, \
            app_server(env, log=Path(folder) / "gunicorn.log", workers=workers) as server:
        url = server.url

        def one_client(_index: int) -> list[float]:
            times = []
            for _ in range(requests_per_client):
                session = requests.Session()
                form = session.get(f"{url}/dang-nhap/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
                started = time.perf_counter()
                answer = session.post(f"{url}/dang-nhap/", allow_redirects=False,
                                      data={"username": official.employee_code, "password": "Mật-khẩu-thử-2026",
                                            "csrfmiddlewaretoken": token},
                                      headers={"Referer": f"{url}/dang-nhap/"})
                times.append(time.perf_counter() - started)
                assert answer.status_code == 302, answer.status_code
            return times

        with ThreadPoolExecutor(clients) as pool:
            times = sorted(t for result in pool.map(one_client, range(clients)) for t in result)
    return {"clients": clients, "sign_ins": len(times), "gunicorn_workers": workers,
            "p50_ms": round(1000 * statistics.median(times)), "p95_ms": round(1000 * times[int(0.95 * len(times)) - 1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officials", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10, help="sign-ins per client")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_accounts")
    setup_django(database_url)
    recreate_database(database_url)
    started = time.perf_counter()
    make_officials(args.officials)
    result = {"date": dt.date.today().isoformat(), "database": database_url.split("@")[-1],
              "cores": os.cpu_count(), "roster_seconds": round(time.perf_counter() - started, 1),
              "invitations": bench_invitations(args.officials),
              "sign_in": bench_sign_in(database_url, clients=args.clients, requests_per_client=args.requests)}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
