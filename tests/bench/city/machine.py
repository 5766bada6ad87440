"""The machine a run was made on, as docs/benchmarks.md describes it."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def ram_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def postgresql_version(database_url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(database_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception as exc:  # noqa: BLE001 - a description, never a reason to stop
        return f"? ({exc.__class__.__name__})"


def wrk_version() -> str:
    try:
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "wrk missing"
    said = (done.stdout or done.stderr).strip()
    return said.splitlines()[0].split(" [")[0] if said else "wrk"


def describe(database_url: str) -> dict:
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "ram_gb": ram_gb(),
        "load_before": load_average(),
        "postgresql": postgresql_version(database_url),
        "python": platform.python_version(),
        "wrk": wrk_version(),
        "platform": platform.platform(),
    }
