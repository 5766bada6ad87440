"""``make bench``: every path of issue 12 beside its floor, at the 1/10 city and the city, in one run.

    .venv/bin/python -m tests.bench.city.run \\
        --city postgres://postgres@127.0.0.1:5432/bench_city \\
        --tenth postgres://postgres@127.0.0.1:5432/bench_city_tenth \\
        --json test-artifacts/bench-city.json --markdown test-artifacts/bench-city.md

Per database (scale.py): the HR lists over HTTP (gunicorn, 3 workers, production settings) with a bounded
load generator, beside a bare Django view through the same server; the public pages' throughput with wrk
beside that view; the seat race; query counts per path with the test client; the documents beside their
floors, each in its own process (measure.py). Then one table (report.py), the raw numbers as JSON and a
markdown section for docs/benchmarks.md. What is in paths.py is what is measured.

Not a test: no speed makes it fail. It exits non-zero only on a crash or a wrong result: a page answering
anything but itself, the seat race's count, a document function that fails. ``--quick`` is the CI smoke.
The databases are read, never changed, except for the seat race's own class and the sign-in sessions,
both removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from tests.bench.city import machine, report
from tests.bench.city.scale import Plan, measure_scale, redis_answers
from tests.bench.city.table import text_table
from tests.processes import ROOT


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--city", help="the city's database URL")
    parser.add_argument("--tenth", help="the 1/10 city's database URL")
    parser.add_argument("--json", type=Path, default=ROOT / "test-artifacts" / "bench-city.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "test-artifacts" / "bench-city.md")
    parser.add_argument("--quick", action="store_true", help="CI smoke: few requests, short wrk runs")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13",
                        help="the cache's Redis database (flushed before each scale: use one of its own)")
    parser.add_argument("--requests", type=int, help="requests per HR path (default 30, quick 5)")
    parser.add_argument("--path-seconds", type=float, help="at most this long per HR path (default 60, quick 15)")
    parser.add_argument("--wrk-seconds", type=int, help="wrk duration per public page (default 5, quick 2)")
    args = parser.parse_args(argv)
    if not (args.city or args.tenth):
        parser.error("give --city, --tenth or both")
    return args


def plan_of(args: argparse.Namespace) -> Plan:
    quick = args.quick
    return Plan(requests=args.requests or (5 if quick else 30), concurrency=3,
                path_seconds=args.path_seconds or (15 if quick else 60),
                wrk_seconds=args.wrk_seconds or (2 if quick else 5), wrk_connections=6,
                race_officials=200, race_seats=30, document_timeout=300 if quick else 1800, quick=quick)


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """Production's environment for every process of the run (one secret, so the sessions made by
    probe.py are valid in gunicorn)."""
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.city.settings",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": args.redis_url,
        "PYTHONUNBUFFERED": "1",
    }


def collect_static(env: dict[str, str]) -> None:
    """Production's storage needs whitenoise's manifest (tests/bench/city/settings.py says where)."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


def problems_of(scales: dict[str, dict | None]) -> list[str]:
    """Wrong results (never slowness): they make the run fail."""
    found = []
    for name, scale in scales.items():
        if not scale:
            continue
        for key, path in scale["hr"].items():
            if path.get("error_count") and path.get("url"):
                found.append(f"{name} {key}: {path['errors'][:2]}")
        for key, page in scale["public"].items():
            if page.get("error") and page.get("url"):
                found.append(f"{name} public {key}: {page['error']}")
            if page.get("non_2xx"):  # wrk counts answers ≥ 400: an error page is not a fast page
                found.append(f"{name} public {key}: {page['non_2xx']} error answers under wrk")
        race = scale.get("race") or {}
        if not race.get("correct"):
            found.append(f"{name} seat race: {race.get('confirmed')} confirmed of {race.get('expected_confirmed')}"
                         f" expected ({race.get('seats_taken')} seats taken, {race.get('waitlisted')} waiting)")
        if race.get("error_count"):
            found.append(f"{name} seat race: {race['error_count']} wrong answers {race.get('errors')}")
        for spec, document in scale["documents"].items():
            if document.get("status") == "failed":
                found.append(f"{name} {spec}: {str(document.get('why'))[:300]}")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = plan_of(args)
    env = server_env(args)
    redis_url: str | None = args.redis_url
    if not redis_answers(args.redis_url):
        # Production's cache is Redis; without it each worker keeps its own memory cache. Said in the output.
        print(f"Redis does not answer at {args.redis_url}: running with per-process memory caches",
              file=sys.stderr)
        env.pop("REDIS_URL")
        redis_url = None
    described = machine.describe(args.city or args.tenth)
    log_dir = args.json.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    collect_static(env)
    scales: dict[str, dict | None] = {"tenth": None, "city": None}
    for name, url in (("tenth", args.tenth), ("city", args.city)):
        if url:
            print(f"== {name}: {url.rsplit('/', 1)[-1]}", file=sys.stderr, flush=True)
            scales[name] = measure_scale(url, env=env, plan=plan, redis_url=redis_url, log_dir=log_dir)
    described["load_after"] = machine.load_average()
    table_rows = report.rows(scales["tenth"], scales["city"])
    settings = {"workers": plan.workers, "requests": plan.requests, "concurrency": plan.concurrency,
                "path_seconds": plan.path_seconds, "wrk_seconds": plan.wrk_seconds,
                "wrk_connections": plan.wrk_connections, "quick": plan.quick,
                "cache": "Redis" if redis_url else "per-process memory (Redis did not answer)"}
    problems = problems_of(scales)
    print(text_table(table_rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": described, "settings": settings, "scales": scales,
                                     "rows": [row.as_dict() for row in table_rows], "problems": problems},
                                    indent=1, default=str), "utf-8")
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(report.markdown(table_rows, described, settings, scales), "utf-8")
    print(f"\nJSON: {args.json}\nMarkdown: {args.markdown}")
    if problems:
        print("\nWrong results:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
