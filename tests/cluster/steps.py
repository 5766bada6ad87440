"""The rehearsal's steps, each filling a ``Step`` with its figures and its problems (a problem fails the run).

Results are read from the database directly (psycopg on the primary), never from what the app says about
itself: a success answer must have a committed row behind it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tests.bench.city.load import seat_race
from tests.cluster import haproxy, postgres
from tests.cluster.client import Answer, Client
from tests.cluster.processes import Process, Processes
from tests.cluster.report import Step
from tests.processes import ROOT

ENROLL_PATH = "/dang-ky/{}/"
MY_TRAINING = "/khoa-hoc-cua-toi/"
SIGN_IN = "/dang-nhap/"
T = TypeVar("T")
EXPORT_PATH = "/admin/exports/training-records/?year={year}&unit=&mode=as_it_was&format=xlsx"
REPORT_PATH = "/admin/exports/reform-report/?year={year}&unit=&mode=as_it_was&format=html"


@dataclass
class Cluster:
    primary: postgres.Server
    replica: postgres.Server
    lb_url: str
    stats_socket: Path
    app_ports: dict[str, int]
    apps: dict[str, Process]
    workers: dict[str, Process]
    schedulers: dict[str, Process]
    processes: Processes
    media_root: Path
    setup: dict = field(default_factory=dict)

    def app_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.app_ports[name]}"

    def cookies(self, key: str) -> dict[str, str]:
        return {self.setup["cookie_name"]: key}

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.primary.connect() as connection:
            return [tuple(row) for row in connection.execute(sql, params).fetchall()]

    def by_status(self, session_id: int) -> dict[str, int]:
        return dict(self.rows("SELECT status, count(*) FROM staff_enrollment WHERE session_id = %s GROUP BY status",
                              (session_id,)))


def wait_for(check: Callable[[], T | None], *, seconds: float, every: float = 0.2) -> T | None:
    """``check()``'s first true answer within ``seconds``, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(every)
    return None


def all_up(cluster: Cluster, names: list[str] | None = None) -> bool:
    status = haproxy.status(cluster.stats_socket)
    return all(status.get(name, "").startswith("UP") for name in (names or list(cluster.app_ports)))


# --- 0. The replica ---------------------------------------------------------------------------------------


def replica_step(cluster: Cluster, step: Step) -> None:
    """The replica streams from the primary and holds the demo once it has caught up."""
    walsenders = postgres.streaming(cluster.primary)
    step.figures["walsenders"] = ", ".join(f"{name} {state}" for name, state, _lag in walsenders) or "none"
    if not any(state == "streaming" for _name, state, _lag in walsenders):
        step.fail(f"pg_stat_replication on the primary shows no streaming replica: {walsenders}")
    step.figures["catch-up s"] = postgres.caught_up(cluster.primary, cluster.replica)
    counts = {}
    for table in ("staff_official", "staff_enrollment", "auth_user"):
        counts[table] = (cluster.primary.one(f"SELECT count(*) FROM {table}")[0],
                         cluster.replica.one(f"SELECT count(*) FROM {table}")[0])
    step.figures["rows primary/replica"] = ", ".join(f"{table.split('_', 1)[1]} {a}/{b}"
                                                      for table, (a, b) in counts.items())
    for table, (on_primary, on_replica) in counts.items():
        if on_primary != on_replica or not on_primary:
            step.fail(f"{table}: {on_primary} rows on the primary, {on_replica} on the replica")
    (in_recovery,) = cluster.replica.one("SELECT pg_is_in_recovery()")
    if not in_recovery:
        step.fail("the replica is not in recovery (not a standby)")


# --- a. The seat race -------------------------------------------------------------------------------------


def seat_race_step(cluster: Cluster, step: Step, *, seats: int) -> None:
    """Every official posts the enrollment form of one class at the same moment, through the load balancer."""
    session_id = cluster.setup["race_session"]
    keys = cluster.setup["official_sessions"]
    before = haproxy.sessions(cluster.stats_socket)
    result = seat_race(cluster.lb_url, ENROLL_PATH.format(session_id), session_keys=keys,
                       cookie_name=cluster.setup["cookie_name"])
    after = haproxy.sessions(cluster.stats_socket)
    by_status = cluster.by_status(session_id)
    confirmed = by_status.get("confirmed", 0)
    (seats_taken,) = cluster.primary.one("SELECT seats_taken FROM courses_coursesession WHERE id = %s",
                                         (session_id,))
    step.figures.update({
        "officials": len(keys), "seats": seats, "confirmed": confirmed,
        "waitlisted": by_status.get("waitlisted", 0), "seats_taken": seats_taken,
        "wrong answers": result.get("error_count", len(result.get("errors", []))),
        "wall s": result.get("wall_seconds", 0.0),
        "per server": ", ".join(f"{name} {after.get(name, 0) - before.get(name, 0)}" for name in sorted(after)),
    })
    expected = min(seats, len(keys))
    if confirmed != expected or seats_taken != expected:
        step.fail(f"{confirmed} confirmed and {seats_taken} seats taken, {expected} expected ({by_status})")
    if sum(by_status.values()) != len(keys):
        step.fail(f"{sum(by_status.values())} enrollments for {len(keys)} officials ({by_status})")
    if result.get("errors"):
        step.fail(f"answers other than the redirect to My training: {result['errors'][:3]}")


# --- b. An app server killed under load -------------------------------------------------------------------


@dataclass
class Stream:
    """What the clients saw: every attempt, and who got a success answer."""

    attempts: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic, outcome, server)
    succeeded: set[int] = field(default_factory=set)  # officials whose enrollment POST was answered 302
    refused_on_retry: set[int] = field(default_factory=set)  # "already enrolled": a lost answer, retried
    gave_up: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, outcome: str, server: str) -> None:
        with self.lock:
            self.attempts.append((time.monotonic(), outcome, server))


RETRIES = 10


def _attempt(stream: Stream, call: Callable[[], Answer]) -> Answer | None:
    """One request, tried again (as a person pressing reload would) on a connection error or a 5xx."""
    for attempt in range(RETRIES):
        try:
            answer = call()
        except OSError as exc:
            stream.note(f"error {type(exc).__name__}", "")
        else:
            if answer.status < 500:
                stream.note("ok", answer.served_by)
                return answer
            stream.note(f"status {answer.status}", answer.served_by)
        time.sleep(0.2 * (attempt + 1))
    return None


def _enroll_and_look(cluster: Cluster, stream: Stream, index: int) -> None:
    official = cluster.setup["officials"][index]
    client = Client(cluster.lb_url, cookies=cluster.cookies(cluster.setup["official_sessions"][index]))
    path = ENROLL_PATH.format(cluster.setup["stream_session"])
    for _ in range(RETRIES):
        form = _attempt(stream, lambda: client.get(path))
        token = form.csrf_token() if form is not None else None
        if token is None:
            break
        form_data = {"csrfmiddlewaretoken": token, "confirm_overlap": "1"}
        answer = _attempt(stream, lambda: client.post(path, form_data))  # noqa: B023 - called at once
        if answer is None:
            break
        if answer.status == 302 and MY_TRAINING in answer.location:
            with stream.lock:
                stream.succeeded.add(official)
            break
        if answer.status == 200:
            # The form again with a message: enrolled already, by an earlier try whose answer was lost.
            with stream.lock:
                stream.refused_on_retry.add(official)
            break
    else:
        with stream.lock:
            stream.gave_up.add(official)
    page = _attempt(stream, lambda: client.get(MY_TRAINING))
    if page is None or page.status != 200 or page.is_sign_in_page:
        stream.note("my training page wrong", page.served_by if page else "")


def failover_step(cluster: Cluster, step: Step, *, victim: str = "app-1", threads: int = 4) -> None:
    """Officials enroll and load their page through HAProxy while ``victim`` is killed (SIGKILL, the group)."""
    survivor = next(name for name in cluster.app_ports if name != victim)
    officials = len(cluster.setup["officials"])
    stream = Stream()
    killed_at: list[float] = []
    before = haproxy.sessions(cluster.stats_socket)

    marked_down_at: list[float] = []
    at_kill: dict[str, int] = {}

    def kill_when_a_third_is_done() -> None:
        wait_for(lambda: len(stream.succeeded) >= officials // 3, seconds=60, every=0.02)
        at_kill.update(haproxy.sessions(cluster.stats_socket))
        killed_at.append(time.monotonic())
        cluster.apps[victim].kill()
        if wait_for(lambda: haproxy.status(cluster.stats_socket).get(victim, "").startswith("DOWN"),
                    seconds=30, every=0.05):
            marked_down_at.append(time.monotonic())

    killer = threading.Thread(target=kill_when_a_third_is_done)
    killer.start()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda index: _enroll_and_look(cluster, stream, index), range(officials)))
    killer.join()
    seconds = time.monotonic() - started
    marked_down = marked_down_at[0] - killed_at[0] if marked_down_at and killed_at else None
    after = haproxy.sessions(cluster.stats_socket)

    kill = killed_at[0] if killed_at else float("inf")
    before_kill = [a for a in stream.attempts if a[0] < kill]
    after_kill = [a for a in stream.attempts if a[0] >= kill]
    failures = [a for a in stream.attempts if a[1] != "ok"]
    on_victim_after = [a for a in after_kill if a[2] == victim]
    last_trouble = max((a[0] for a in after_kill if a[1] != "ok" or a[2] == victim), default=kill)
    committed = {row[0] for row in cluster.rows(
        "SELECT official_id FROM staff_enrollment WHERE session_id = %s AND status = 'confirmed'",
        (cluster.setup["stream_session"],))}
    lost = stream.succeeded - committed
    step.figures.update({
        "requests before/after kill": f"{len(before_kill)}/{len(after_kill)}",
        "failed tries seen by clients": len(failures),
        "kinds": ", ".join(f"{k} {n}" for k, n in Counter(a[1] for a in failures).items()) or "none",
        "answered by victim after kill": len(on_victim_after),
        "s until all traffic on survivor": (last_trouble - kill) if killed_at else "no kill",
        "s until HAProxy marked it DOWN": marked_down if marked_down is not None else "not marked",
        "enrolled (answer 302)": len(stream.succeeded),
        "lost answer, found enrolled on retry": len(stream.refused_on_retry),
        "committed rows": len(committed),
        "committed enrollments lost": len(lost),
        "HAProxy sessions before kill": ", ".join(f"{name} {at_kill.get(name, 0) - before.get(name, 0)}"
                                                  for name in sorted(after)),
        "after kill": ", ".join(f"{name} {after.get(name, 0) - at_kill.get(name, 0)}" for name in sorted(after)),
        "stream s": seconds,
    })
    if not killed_at:
        step.fail("the app server was never killed (too few enrollments succeeded before)")
    if lost:
        step.fail(f"{len(lost)} enrollments answered with success have no committed row: {sorted(lost)[:5]}")
    if stream.gave_up:
        step.fail(f"{len(stream.gave_up)} officials could not enroll after {RETRIES} tries")
    missing = (stream.succeeded | stream.refused_on_retry) ^ committed
    if missing:
        step.fail(f"committed rows and answers disagree for officials {sorted(missing)[:5]}")
    if on_victim_after:
        step.fail(f"{len(on_victim_after)} answers came from the killed {victim} after the kill")
    if not after_kill or not all(a[2] == survivor for a in after_kill[-10:] if a[1] == "ok"):
        step.fail(f"the last answers did not all come from {survivor}")
    if marked_down is None:
        step.fail(f"HAProxy did not mark {victim} DOWN within 30 s: {haproxy.status(cluster.stats_socket)}")
    # Later steps (the session switch) need both servers again.
    cluster.apps[victim] = cluster.processes.restart(cluster.apps[victim])
    if not wait_for(lambda: all_up(cluster), seconds=60, every=0.25):
        step.fail(f"{victim} restarted but HAProxy does not see it UP: {haproxy.status(cluster.stats_socket)}")


# --- c. A worker killed in the middle of an export --------------------------------------------------------


def _export_state(cluster: Cluster, job_id: int) -> dict:
    rows = cluster.rows("SELECT status, rows_done, rows_total, file, task_id FROM staff_exportjob WHERE id = %s",
                        (job_id,))
    status, done, total, file, task_id = rows[0]
    task = cluster.rows("SELECT id::text, status, worker_ids FROM django_tasks_database_dbtaskresult"
                        " WHERE id::text = %s OR (args_kwargs->'kwargs'->>'job_id') = %s"
                        " ORDER BY enqueued_at DESC LIMIT 1", (task_id or "", str(job_id)))
    return {"status": status, "rows_done": done, "rows_total": total, "file": file,
            "task": task[0] if task else None}


def _worker_of(cluster: Cluster, worker_id: str) -> str | None:
    """Which of our workers (by name) a task's worker id is: by the heartbeat's pid, else by the id itself."""
    beats = cluster.rows("SELECT host, pid FROM training_site_workerheartbeat WHERE worker_id = %s", (worker_id,))
    for host, pid in beats:
        for name, process in cluster.workers.items():
            if process.popen.pid == pid or host == name:
                return name
    for name in cluster.workers:
        if name in worker_id:
            return name
    return None


def export_step(cluster: Cluster, step: Step, *, lease_seconds: int) -> None:
    """City HR asks for a big export through the LB; its worker is killed in the middle; the other finishes it."""
    client = Client(cluster.lb_url, cookies=cluster.cookies(cluster.setup["city_hr_session"]))
    (latest,) = cluster.primary.one("SELECT COALESCE(max(id), 0) FROM staff_exportjob")
    answer = client.get(EXPORT_PATH.format(year=cluster.setup["export_year"]))
    if answer.status != 302 or "/exports/mine/" not in answer.location:
        step.fail(f"asking for the export answered {answer.status} {answer.location} (a background job expected)")
        return
    (job_id,) = cluster.primary.one("SELECT max(id) FROM staff_exportjob")
    if job_id is None or job_id <= latest:
        step.fail("no export job was recorded")
        return
    step.figures["rows"] = cluster.setup["export_rows"]

    def running() -> dict | None:
        state = _export_state(cluster, job_id)
        task = state["task"]
        if state["status"] in ("done", "failed"):
            return state
        if state["status"] == "running" and state["rows_done"] and task and task[1] == "RUNNING" and task[2]:
            return state
        return None

    state = wait_for(running, seconds=60, every=0.05)
    if not state or state["status"] != "running":
        state = state or _export_state(cluster, job_id)
        step.fail(f"the export was not seen running with progress before it ended: {state}")
        return
    first_worker = state["task"][2][-1]
    victim = _worker_of(cluster, first_worker)
    if victim is None:
        step.fail(f"the task's worker id {first_worker!r} matches none of our workers "
                  f"(heartbeats: {cluster.rows('SELECT worker_id, host, pid FROM training_site_workerheartbeat')})")
        return
    cluster.workers[victim].kill()
    killed = time.monotonic()
    step.figures.update({"killed": victim, "rows done at kill": f"{state['rows_done']}/{state['rows_total']}"})
    finished = wait_for(lambda: _export_state(cluster, job_id) if _export_state(cluster, job_id)["status"] in
                        ("done", "failed") else None, seconds=lease_seconds * 4 + 120, every=0.25)
    final = _export_state(cluster, job_id)
    step.figures["s from kill to done"] = time.monotonic() - killed if finished else "not finished"
    step.figures["status"] = final["status"]
    worker_ids = list(final["task"][2]) if final["task"] else []
    workers = [_worker_of(cluster, worker_id) or worker_id for worker_id in worker_ids]
    step.figures["task worker_ids"] = ", ".join(workers) or "none"
    step.figures["task status"] = final["task"][1] if final["task"] else "none"
    files = [path for path in (cluster.media_root / "exports").rglob("*") if path.is_file()]
    step.figures["files stored"] = len(files)
    if final["status"] != "done":
        step.fail(f"the export ended {final['status']} (or not at all) after its worker was killed: {final}")
    if len(set(worker_ids)) < 2 or victim not in workers:
        step.fail(f"the task's worker_ids should name both workers: {worker_ids}")
    if len(files) != 1 or (final["file"] and not (cluster.media_root / final["file"]).is_file()):
        step.fail(f"{len(files)} files stored for one export: {[str(p) for p in files][:3]};"
                  f" job file {final['file']!r}")
    if final["status"] == "done":
        download = client.get(f"/admin/exports/mine/{job_id}/download/")
        step.figures["download"] = f"{download.status}, {len(download.body)} bytes"
        if download.status != 200 or not download.body.startswith(b"PK"):
            step.fail(f"the finished export's download answered {download.status} ({download.body[:60]!r})")
    # The killed worker comes back, as systemd would start it again.
    cluster.workers[victim] = cluster.processes.restart(cluster.workers[victim])


# --- d. The scheduler on both hosts -----------------------------------------------------------------------

# A scheduler's words about one job and period, as `scheduler --once` prints them ("app-2: expire_offers
# 2026-12-07 05:00: already claimed by app-1") or as its log says them, wherever the log's format puts the
# message ("… INFO training_site.ops.scheduler [-] expire_offers for 2026-12-07 05:00 ran on app-1 in 0.0 s").
OUTCOME = re.compile(r"(?:(?P<tried>[\w.-]+): )?\b(?P<job>\w+) (?:for )?(?P<period>\d{4}-\d\d-\d\d \d\d:\d\d)"
                     r"(?::\d\d)?(?:[+-]\d\d:\d\d)?:? (?P<what>ran|failed|already claimed)"
                     r"(?: (?:on|by) (?P<host>[\w.-]+))?")


def scheduler_lines(text: str) -> list[tuple[str, str, str, str]]:
    """(job, period, what, host) of each line about a job: ran or failed (on host), already claimed (by host)."""
    return [(m["job"], m["period"], m["what"], m["host"] or m["tried"] or "") for m in OUTCOME.finditer(text)]


JOB_NAMES = ("import django; django.setup(); from training_site.ops.scheduler import JOBS;"
             " print(' '.join(job.name for job in JOBS))")


def scheduler_step(cluster: Cluster, step: Step, *, env: dict[str, str]) -> None:
    """The two schedulers, started together before the other steps, claimed every job's period between them,
    each once; then ``scheduler --once`` on both hosts at the same instant: both try every job, neither runs
    one again."""
    # Each a Django start-up (seconds on two busy cores): all three at once.
    names = subprocess.Popen([sys.executable, "-c", JOB_NAMES], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    once = {name: subprocess.Popen([sys.executable, "manage.py", "scheduler", "--once"], cwd=ROOT,
                                   env={**env, "OPS_HOST_NAME": name}, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True) for name in cluster.schedulers}
    jobs = names.communicate(timeout=120)[0].split()

    def claimed() -> set[str]:
        return {job for (job,) in cluster.rows("SELECT DISTINCT job FROM training_site_scheduledrun")}

    if not wait_for(lambda: claimed() >= set(jobs), seconds=60, every=0.5):
        step.fail(f"jobs not claimed by either scheduler within 60 s: {sorted(set(jobs) - claimed())}")
    once_lines = {name: scheduler_lines(process.communicate(timeout=120)[0]) for name, process in once.items()}
    loop_lines = {name: scheduler_lines(process.output(10**6)) for name, process in cluster.schedulers.items()}
    runs = cluster.rows("SELECT job, period_start, host, succeeded FROM training_site_scheduledrun")
    per_period = Counter((job, period) for job, period, _host, _ok in runs)
    duplicates = [key for key, n in per_period.items() if n > 1]
    every_line = [line for found in [*loop_lines.values(), *once_lines.values()] for line in found]
    # Hosts that ran each (job, period), from the lines of every scheduler: one run may be logged twice by
    # its own host (the log and the command's output), a second run would be another host's.
    ran: dict[tuple[str, str], set[str]] = {}
    for job, period, what, host in every_line:
        if what in ("ran", "failed"):
            ran.setdefault((job, period), set()).add(host)
    twice = [key for key, hosts in ran.items() if len(hosts) > 1]
    claimers = Counter(host for _job, _period, host, _ok in runs)
    step.figures.update({
        "jobs": len(jobs), "(job, period) claimed": len(per_period), "claims per host": dict(claimers),
        "(job, period) run in the logs": len(ran),
        "tries by --once per host": {name: len(found) for name, found in once_lines.items()},
        "run twice": len(twice), "failed runs": sum(1 for *_rest, ok in runs if ok is False),
    })
    missing = set(jobs) - {job for job, *_ in runs}
    if missing:
        step.fail(f"jobs never claimed: {sorted(missing)}")
    if duplicates or twice:
        step.fail(f"periods claimed or run more than once: {duplicates or twice}")
    if not jobs:
        step.fail("the scheduler's jobs could not be read (training_site.ops.scheduler.JOBS)")
    if len(ran) < len(per_period):
        step.fail(f"{len(per_period)} claims but {len(ran)} runs in the schedulers' logs")
    for name, found in once_lines.items():
        if {job for job, *_ in found} != set(jobs):
            step.fail(f"`scheduler --once` on {name} did not try every job: {found}")
    if len(claimers) < 2 and not all(once_lines.values()):
        step.fail(f"only {sorted(claimers)} claimed, and not both hosts tried")
    if any(ok is False for *_rest, ok in runs):
        step.fail("failed runs: " + ", ".join(f"{job} on {host}" for job, _p, host, ok in runs if ok is False))


# --- e. The reform report off the replica -----------------------------------------------------------------


def replica_report_step(cluster: Cluster, step: Step) -> None:
    """City HR opens the yearly report through the LB: its reads of staff_enrollment are the replica's."""
    client = Client(cluster.lb_url, cookies=cluster.cookies(cluster.setup["city_hr_session"]))
    table = "staff_enrollment"
    before = postgres.table_scans(cluster.replica, table), postgres.table_scans(cluster.primary, table)
    answer = client.get(REPORT_PATH.format(year=cluster.setup["report_year"]))
    step.figures["report"] = f"{answer.status} from {answer.served_by}, {len(answer.body)} bytes"
    if answer.status != 200 or answer.is_sign_in_page:
        step.fail(f"the report answered {answer.status} {answer.location} (sign-in page: {answer.is_sign_in_page})")
    # A backend reports its counts when it goes idle, at most once a second (PostgreSQL's cumulative
    # statistics): wait until they show.
    wait_for(lambda: postgres.table_scans(cluster.replica, table) > before[0], seconds=15, every=0.25)
    after = postgres.table_scans(cluster.replica, table), postgres.table_scans(cluster.primary, table)
    step.figures["replica scans of staff_enrollment"] = f"{before[0]} → {after[0]} (+{after[0] - before[0]})"
    step.figures["primary scans (workers, scheduler too)"] = f"{before[1]} → {after[1]} (+{after[1] - before[1]})"
    if after[0] <= before[0]:
        step.fail("the replica counted no read of staff_enrollment while the report was built")


# --- f. A session across app servers ----------------------------------------------------------------------


def session_switch_step(cluster: Cluster, step: Step, *, username: str, password: str) -> None:
    """Sign in on app-1 directly with the form; the same cookie on app-2 directly is still signed in."""
    first, second = list(cluster.app_ports)
    client = Client(cluster.app_url(first))
    form = client.get(SIGN_IN)
    token = form.csrf_token()
    if form.status != 200 or token is None:
        step.fail(f"the sign-in form on {first} answered {form.status}")
        return
    signed_in = client.post(SIGN_IN, {"csrfmiddlewaretoken": token, "username": username, "password": password})
    cookie_name = cluster.setup["cookie_name"]
    if signed_in.status != 302 or cookie_name not in client.cookies:
        step.fail(f"signing in on {first} answered {signed_in.status} {signed_in.location} without a session")
        return
    other = Client(cluster.app_url(second), cookies=dict(client.cookies))
    page = other.get(MY_TRAINING)
    step.figures.update({"signed in on": first, "sign-in answer": f"{signed_in.status} → {signed_in.location}",
                         f"{MY_TRAINING} on {second}": page.status,
                         "signed in there": page.status == 200 and not page.is_sign_in_page})
    if page.status != 200 or page.is_sign_in_page:
        step.fail(f"the session of {first} is not signed in on {second}: {page.status} {page.location}")
    # And back through HAProxy (either server): still the same person.
    through = Client(cluster.lb_url, cookies=dict(client.cookies)).get(MY_TRAINING)
    step.figures["through the LB"] = f"{through.status} from {through.served_by}"
    if through.status != 200 or through.is_sign_in_page:
        step.fail(f"the session is not signed in through HAProxy: {through.status}")

