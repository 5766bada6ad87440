"""Everything measured against one database (the 1/10 city or the city), raw numbers only.

The order keeps the measurements apart: gunicorn serves the HR lists, the public pages and the seat race;
it is stopped before the query counts and the documents, which run in their own processes.
"""

from __future__ import annotations

import json
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.bench.city import paths
from tests.bench.city.load import Sample, run_load, run_wrk, seat_race
from tests.bench.city.measure import measure
from tests.bench.city.table import percentile
from tests.processes import ROOT, app_server


@dataclass
class Plan:
    requests: int  # per HR path, after 3 warm-up requests
    concurrency: int
    path_seconds: float  # no new request on a path after this long (a slow list must not take the hour)
    wrk_seconds: int
    wrk_connections: int
    race_officials: int
    race_seats: int
    document_timeout: float
    quick: bool
    workers: int = 3


def probe(command: str, args: dict, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.bench.city.probe", command], input=json.dumps(args),
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"probe {command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def flush_cache(redis_url: str | None) -> None:
    """A cold cache for each scale: the same URLs at the other scale must not answer from it."""
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()


def redis_answers(redis_url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def timing(seconds: list[float], errors: list[str]) -> dict:
    return {"n": len(seconds), "p50": percentile(seconds, 0.5), "p95": percentile(seconds, 0.95),
            "max": max(seconds) if seconds else None, "errors": errors[:5], "error_count": len(errors)}


def fill(template: str, values: dict) -> str | None:
    """The URL template with this database's ids, or None when one it needs is missing here."""
    names = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name]
    if any(values.get(name) is None for name in names):
        return None
    return template.format(**{name: quote(str(value)) for name, value in values.items()})


def hr_requests(prep: dict) -> dict[str, tuple[str, str | None]]:
    """Key → (role, URL or None when this database lacks an id the template needs)."""
    return {f"{label} [{role}]": (role, fill(template, prep["fill"])) for label, role, template in paths.HR_PATHS}


def vacuum(database_url: str) -> None:
    """VACUUM ANALYZE before measuring. The documents roll their writes back (the roster import updates 100,000
    officials and their accounts in a transaction it aborts), which leaves that many dead rows each run; on a
    server with autovacuum off (these machines: ``SHOW autovacuum`` says off) they were never cleared, and a
    ward's officials list read 31,000 pages instead of a dozen (91 ms against 5 ms, measured). A production
    server has autovacuum on; this gives the benchmark the tables it would have."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def measure_scale(database_url: str, *, env: dict[str, str], plan: Plan, redis_url: str | None,
                  log_dir: Path) -> dict:
    env = {**env, "DATABASE_URL": database_url}
    vacuum(database_url)
    flush_cache(redis_url)
    prep = probe("prepare", {}, env)
    raw: dict = {"database": database_url.rsplit("/", 1)[-1], "counts": prep["counts"], "fill": prep["fill"],
                 "course_sessions": prep["course_sessions"], "hr": {}, "public": {}, "documents": {}}
    keys = list(prep["sessions"].values())
    cookie = prep["cookie_name"]
    try:
        requests = hr_requests(prep)
        with app_server(env, log=log_dir / f"gunicorn-{raw['database']}.log", workers=plan.workers) as server:
            # Each worker resolves the URLs and loads templates on its first requests: not what is measured.
            for warm in (paths.FLOOR_PATH, "/dang-nhap/", prep["public"].get("home") or "/"):
                run_load(server.url, warm, cookies={}, requests=plan.workers * 4, concurrency=plan.workers)
            floor = run_load(server.url, paths.FLOOR_PATH, cookies={}, requests=plan.requests,
                             concurrency=plan.concurrency, deadline=plan.path_seconds)
            raw["hr_floor"] = timing(floor.seconds, floor.errors)
            for key, (role, url) in requests.items():
                if url is None:
                    raw["hr"][key] = {"url": None, "errors": ["no id for this path in this database"],
                                      "error_count": 1}
                    continue
                try:
                    sample = run_load(server.url, url, cookies={cookie: prep["sessions"][role]},
                                      requests=plan.requests, concurrency=plan.concurrency,
                                      deadline=plan.path_seconds)
                except (OSError, ValueError) as exc:  # reported as a wrong answer; the other paths go on
                    sample = Sample(errors=[repr(exc)])
                raw["hr"][key] = {"url": url, "role": role, **timing(sample.seconds, sample.errors)}
                print(f"  {key}: p95 {raw['hr'][key]['p95']}", file=sys.stderr, flush=True)
            for label, page in [*paths.PUBLIC_PATHS, ("floor", "floor")]:
                url = paths.FLOOR_PATH if page == "floor" else prep["public"].get(page)
                if url is None:
                    raw["public"][label] = {"url": None, "error": "no such page in this database"}
                    continue
                check = run_load(server.url, url, cookies={}, requests=1, concurrency=1)
                result = run_wrk(server.url + url, seconds=plan.wrk_seconds, connections=plan.wrk_connections)
                if check.errors:
                    result["error"] = "; ".join(check.errors)
                raw["public"][label] = {"url": url, **result}
            try:
                raw["race"] = race(server.url, env, plan, cookie)
            except RuntimeError as exc:  # no course to race on, say: in the table, and the run fails
                raw["race"] = {"correct": False, "error_count": 1, "errors": [str(exc)[-500:]]}
        raw["queries"] = probe("queries", {"requests": {
            **{key: (prep["sessions"][role], url) for key, (role, url) in requests.items() if url},
            **{f"public {label}": (None, prep["public"][page]) for label, page in paths.PUBLIC_PATHS
               if prep["public"].get(page)},
        }}, env)
    finally:
        probe("cleanup", {"session_keys": keys}, env)
    raw["documents"] = documents(env, plan)
    return raw


def race(url: str, env: dict[str, str], plan: Plan, cookie: str) -> dict:
    setup = probe("race_setup", {"officials": plan.race_officials, "seats": plan.race_seats}, env)
    try:
        result = seat_race(url, f"/dang-ky/{setup['session_id']}/", session_keys=setup["session_keys"],
                           cookie_name=cookie)
    finally:
        check = probe("race_check", setup, env)
    expected = min(plan.race_seats, setup["officials"])
    confirmed = check["by_status"].get("confirmed", 0)
    waitlisted = check["by_status"].get("waitlisted", 0)
    return {"officials": setup["officials"], "seats": plan.race_seats, "course": setup["course"],
            "confirmed": confirmed, "waitlisted": waitlisted, "seats_taken": check["seats_taken"],
            "expected_confirmed": expected,
            "correct": confirmed == expected == check["seats_taken"] and confirmed + waitlisted == setup["officials"],
            "cleanup": {k: check[k] for k in ("tasks_removed", "sessions_ended", "accounts_deactivated")},
            "wall_seconds": result.get("wall_seconds"), **timing(result["seconds"], result["errors"]),
            "error_count": result.get("error_count", len(result["errors"]))}


def documents(env: dict[str, str], plan: Plan) -> dict:
    """Each document function once per scale (a floor shared by two rows is measured once)."""
    answers: dict[str, dict] = {"measure:baseline": measure("measure:baseline", env=env, timeout=120)}
    for _label, ours, floor, *_rest in paths.DOCUMENTS:
        for spec in (ours, floor):
            if spec not in answers:
                started = time.monotonic()
                answers[spec] = measure(spec, env=env, timeout=plan.document_timeout, quick=plan.quick)
                print(f"  {spec}: {answers[spec]['status']} in {time.monotonic() - started:.1f} s",
                      file=sys.stderr, flush=True)
    return answers
