"""``make cluster``: the city deployment rehearsed on one machine, its figures in one table.

    .venv/bin/python -m tests.cluster [--officials 60] [--seats 20] [--markdown test-artifacts/cluster.md]

What runs (every process under production settings, tests/cluster/settings.py):
- PostgreSQL: a primary and a streaming replica of it (pg_basebackup -R), two clusters on free ports under
  a temporary folder; migrated and seeded with the demo on the primary (postgres.py);
- Redis (the machine's, a database number of the rehearsal's own, flushed first): cache and sessions;
- two app servers (``gunicorn training_site.wsgi``, 2 workers each, gunicorn.conf.py applies) behind
  HAProxy (haproxy.py: health checks on /readyz, retries, redispatch, round robin);
- two ``db_worker`` processes and the scheduler on both "hosts" (OPS_HOST_NAME app-1 and app-2), with
  short heartbeats and leases so that a dead worker's task is taken over within seconds.

Then the steps (steps.py), each a row of the table: the replica caught up; (a) the seat race through the
load balancer; (b) an app server killed under a stream of enrollments; (c) a worker killed in the middle of
an export; (d) each periodic job run once per period across both hosts; (e) the reform report read from
the replica; (f) a signed-in session on the other app server. A step whose result is wrong fails the run
(exit 1); the table is printed and written to test-artifacts/cluster.md either way. Everything started is
stopped, and the two PostgreSQL clusters removed, however the run ends; logs stay in test-artifacts/cluster/.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import redis

from tests.cluster import haproxy, postgres
from tests.cluster.processes import Processes
from tests.cluster.report import Step, markdown
from tests.cluster.steps import (
    Cluster,
    all_up,
    export_step,
    failover_step,
    replica_report_step,
    replica_step,
    scheduler_step,
    seat_race_step,
    session_switch_step,
    wait_for,
)
from tests.processes import ROOT, free_port

HOSTS = ("app-1", "app-2")
# Short enough that a dead worker's task is taken over within seconds, long enough for two cores under load.
HEARTBEAT_SECONDS, LEASE_SECONDS = 2, 6
DEMO_OFFICIAL = ("canbo", "demo-2026")  # staff/demo/organisation.py: the demo official and the demo password


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=60, help="signed-in officials in the seat race")
    parser.add_argument("--seats", type=int, default=20, help="the race's class capacity")
    parser.add_argument("--export-sessions", type=int, default=100,
                        help="classes of completed training added to the export's year (each × every official)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5",
                        help="the cache's and sessions' Redis database (flushed: use one of its own)")
    parser.add_argument("--artifacts", type=Path, default=ROOT / "test-artifacts" / "cluster")
    parser.add_argument("--markdown", type=Path, default=ROOT / "test-artifacts" / "cluster.md")
    return parser.parse_args(argv)


def secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def environment(args: argparse.Namespace, *, primary: postgres.Server, replica: postgres.Server,
                media_root: Path) -> dict[str, str]:
    """Production's environment, the same for every process (one secret: sessions made anywhere are valid)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.cluster.settings",
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": primary.url,
        "DATABASE_REPLICA_URL": replica.url,
        "REDIS_URL": args.redis_url,
        "TASKS_BACKEND": "database",
        "EXPORT_BACKGROUND_THRESHOLD_ROWS": "0",
        "EXPORT_CHUNK_ROWS": "1000",
        "WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "MEDIA_ROOT": str(media_root),
        "CLUSTER_STATIC_ROOT": str(args.artifacts / "static"),
        # No mail server on the machine: the workers' mails go nowhere rather than failing.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict[str, str], *words: str, log: Path) -> None:
    with log.open("ab") as stream:
        done = subprocess.run([sys.executable, "manage.py", *words], cwd=ROOT, env=env, stdout=stream,
                              stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(words)} exited {done.returncode}: see {log}\n"
                           + log.read_text("utf-8", errors="replace")[-2000:])


def prepare(env: dict[str, str], args: argparse.Namespace, figures: dict[str, object]) -> dict:
    """Migrate and seed the primary (static files collected meanwhile), then the steps' accounts and data."""
    log = args.artifacts / "prepare.log"
    log.write_bytes(b"")
    mark = time.monotonic()
    static = subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=(args.artifacts / "collectstatic.log").open("wb"))
    manage(env, "migrate", "--noinput", "-v0", log=log)
    figures["migrate s"], mark = time.monotonic() - mark, time.monotonic()
    manage(env, "seed_demo", log=log)
    figures["seed s"], mark = time.monotonic() - mark, time.monotonic()
    if static.wait() != 0:
        raise RuntimeError(f"collectstatic failed: {(args.artifacts / 'collectstatic.log').read_text()[-2000:]}")
    done = subprocess.run([sys.executable, "-m", "tests.cluster.probe", "setup"], cwd=ROOT, env=env,
                          input=json.dumps({"officials": args.officials, "seats": args.seats,
                                            "export_sessions": args.export_sessions}),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"probe setup failed:\n{done.stderr[-3000:]}")
    figures["accounts and export data s"] = time.monotonic() - mark
    return dict(json.loads(done.stdout))


def start_hosts(cluster: Cluster, env: dict[str, str]) -> None:
    """Workers and schedulers first (the app servers' /readyz reports their heartbeat), then the app
    servers, then HAProxy in front of them; returns once HAProxy sees both servers UP."""
    processes = cluster.processes
    for name in HOSTS:
        host_env = {**env, "OPS_HOST_NAME": name}
        cluster.workers[name] = processes.start(f"worker-{name}", [sys.executable, "manage.py", "db_worker"],
                                                env=host_env)
    # Started together, so that their first claims race.
    for name in HOSTS:
        cluster.schedulers[name] = processes.start(f"scheduler-{name}", [sys.executable, "manage.py", "scheduler"],
                                                   env={**env, "OPS_HOST_NAME": name})
    for name, port in cluster.app_ports.items():
        cluster.apps[name] = processes.start(name, [
            sys.executable, "-m", "gunicorn", "training_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--log-level", "warning"], env={**env, "OPS_HOST_NAME": name})
    config = cluster.stats_socket.parent / "haproxy.cfg"
    config.write_text(haproxy.config(port=int(cluster.lb_url.rsplit(":", 1)[1]), socket_path=cluster.stats_socket,
                                     servers=[haproxy.Backend(name, port) for name, port in cluster.app_ports.items()]))
    shutil.copyfile(config, processes.log_dir / "haproxy.cfg")
    proxy = processes.start("haproxy", haproxy.command(config), env=env)
    proxy.wait_until(lambda: cluster.stats_socket.exists(), seconds=10, what="haproxy")
    up = wait_for(lambda: all_up(cluster), seconds=90, every=0.25)
    if not up:
        raise RuntimeError(f"HAProxy does not see both app servers UP: {haproxy.status(cluster.stats_socket)}\n"
                           + "\n".join(f"{name}: {process.output(1500)}" for name, process in cluster.apps.items()))


def timed(step: Step, body: Callable[[], None]) -> None:
    started = time.monotonic()
    print(f"== {step.key}: {step.title}", file=sys.stderr, flush=True)
    try:
        body()
    except Exception as exc:  # noqa: BLE001 - the step fails with its reason, the others still run
        step.fail(f"{type(exc).__name__}: {str(exc)[:600]}")
        traceback.print_exc()
    step.seconds = time.monotonic() - started
    step.finish()
    print(f"   {step.result}: {step.figures} {step.problems}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    steps = {
        "setup": Step("0", "primary + replica (pg_basebackup), migrate, seed; 2 app servers, 2 workers, "
                           "2 schedulers, HAProxy"),
        "replica": Step("0r", "the replica streams and has caught up"),
        "race": Step("a", f"seat race: {args.officials} officials, {args.seats} seats, through HAProxy"),
        "failover": Step("b", "app-1 killed (SIGKILL) under a stream of enrollments and page loads"),
        "export": Step("c", "a worker killed (SIGKILL) in the middle of a background export"),
        "scheduler": Step("d", "each periodic job once per period across both hosts"),
        "report": Step("e", "the reform report reads from the replica"),
        "session": Step("f", "a signed-in session survives a switch of app server"),
    }
    redis_client = redis.Redis.from_url(args.redis_url)
    scratch = Path(tempfile.mkdtemp(prefix="cluster-run-"))
    processes = Processes(log_dir=args.artifacts)
    try:
        redis_client.flushdb()
        with postgres.clusters(primary_port=free_port(), replica_port=free_port(), keep_logs=args.artifacts) as (
                primary, replica):
            media_root = scratch / "media"
            env = environment(args, primary=primary, replica=replica, media_root=media_root)
            cluster = Cluster(primary=primary, replica=replica, lb_url=f"http://127.0.0.1:{free_port()}",
                              stats_socket=scratch / "haproxy.sock",
                              app_ports={name: free_port() for name in HOSTS}, apps={}, workers={}, schedulers={},
                              processes=processes, media_root=media_root)

            def setup() -> None:
                cluster.setup = prepare(env, args, steps["setup"].figures)
                mark = time.monotonic()
                start_hosts(cluster, env)
                steps["setup"].figures["processes up s"] = time.monotonic() - mark
                steps["setup"].figures.update({"export rows": cluster.setup["export_rows"],
                                               "HAProxy": haproxy.status(cluster.stats_socket)})

            timed(steps["setup"], setup)
            if steps["setup"].ok:
                timed(steps["replica"], lambda: replica_step(cluster, steps["replica"]))
                timed(steps["race"], lambda: seat_race_step(cluster, steps["race"], seats=args.seats))
                timed(steps["failover"], lambda: failover_step(cluster, steps["failover"]))
                timed(steps["export"], lambda: export_step(cluster, steps["export"], lease_seconds=LEASE_SECONDS))
                timed(steps["scheduler"], lambda: scheduler_step(cluster, steps["scheduler"], env=env))
                timed(steps["report"], lambda: replica_report_step(cluster, steps["report"]))
                timed(steps["session"], lambda: session_switch_step(cluster, steps["session"],
                                                                    username=DEMO_OFFICIAL[0],
                                                                    password=DEMO_OFFICIAL[1]))
            processes.stop_all()
    except Exception as exc:  # noqa: BLE001 - reported in the table; the run fails below
        steps["setup"].fail(f"{type(exc).__name__}: {str(exc)[:1500]}")
        steps["setup"].finish()
        traceback.print_exc()
    finally:
        processes.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            redis_client.flushdb()
        except redis.RedisError:
            pass
    total = time.monotonic() - started
    logs = args.artifacts.relative_to(ROOT) if args.artifacts.is_relative_to(ROOT) else args.artifacts
    notes = [f"One machine ({os.cpu_count()} cores), {total:.0f} s in all. Logs: {logs}/.", "",
             f"PostgreSQL {postgres.BIN.parts[-2]} primary and its streaming replica (pg_basebackup -R); Redis "
             f"{args.redis_url.rsplit('/', 1)[-1]} for cache and sessions; HAProxy (GET /readyz every 0.5 s, fall 2, "
             "rise 2, retries 3, redispatch, round robin) in front of two gunicorn app servers of 2 workers; "
             f"two db_workers (heartbeat {HEARTBEAT_SECONDS} s, lease {LEASE_SECONDS} s); the scheduler on both "
             "hosts. Production settings (tests/cluster/settings.py)."]
    table = markdown(list(steps.values()), heading="Cluster rehearsal (make cluster)", notes=notes)
    print(table)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(table, "utf-8")
    failed = [step for step in steps.values() if step.ok is not True]
    if failed:
        print("Failed: " + ", ".join(f"{step.key} ({'; '.join(step.problems) or step.result})" for step in failed),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
