"""One document measurement in its own process, so that its peak memory is its own.

    DATABASE_URL=… python -m tests.bench.city.measure exports:records_export

The child sets Django up (tests/bench/city/settings.py unless DJANGO_SETTINGS_MODULE says otherwise),
calls ``tests.bench.city.<module>.<function>()`` (given ``database_url`` and ``quick`` if it takes them),
and prints its answer, ``{"seconds": float, "items": int}``, as JSON on the last line of stdout. The parent
(``measure()``) reads the peak RSS from ``os.wait4``'s rusage. A module or function that does not exist
yet answers "not measured" instead of failing the run.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import import_module
from pathlib import Path

MISSING = 3  # the child's exit code for "no such module or function"


def measure(spec: str, *, env: dict[str, str], timeout: float, quick: bool = False) -> dict:
    """Run ``spec`` in a child process; its answer plus ``peak_mb`` and ``wall_seconds``, or why not."""
    module_name = spec.partition(":")[0]
    if importlib.util.find_spec(f"tests.bench.city.{module_name}") is None:  # no process for a missing file
        return {"status": "not measured", "why": f"no module tests/bench/city/{module_name}.py"}
    command = [sys.executable, "-m", "tests.bench.city.measure", spec] + (["--quick"] if quick else [])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=Path(__file__).resolve().parents[3])
        status, rusage = _wait(process, timeout)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    peak_mb = rusage.ru_maxrss / 1024 if rusage is not None else None  # Linux counts ru_maxrss in KiB
    if status == MISSING:
        return {"status": "not measured", "why": stdout.strip().splitlines()[-1] if stdout.strip() else spec}
    if status != 0:
        return {"status": "failed", "why": f"exit {status}: {stderr[-1500:]}", "peak_mb": peak_mb}
    try:
        answer = json.loads(stdout.strip().splitlines()[-1])
        seconds, items = float(answer["seconds"]), int(answer["items"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        return {"status": "failed", "why": f"no answer ({exc!r}): {stdout[-500:]}", "peak_mb": peak_mb}
    return {**answer, "status": "ok", "seconds": seconds, "items": items, "peak_mb": peak_mb,
            "wall_seconds": wall, "items_per_second": items / seconds if seconds > 0 else None}


def _wait(process: subprocess.Popen, timeout: float):
    """The exit status and resource usage of ``process`` (killed after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, rusage
        if time.monotonic() > deadline:
            process.kill()
            _pid, status, rusage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            return f"killed after {timeout:.0f} s", rusage
        time.sleep(0.05)


def baseline() -> dict:
    """Nothing but Django set up: the peak RSS every document process starts from (run.py reports it)."""
    return {"seconds": 0.0, "items": 0}


def main() -> None:
    spec, quick = sys.argv[1], "--quick" in sys.argv[2:]
    module_name, _, function_name = spec.partition(":")
    # Django first: a benchmark module may import models at its top.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.city.settings")
    import django

    django.setup()
    try:
        module = import_module(f"tests.bench.city.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"tests.bench.city.{module_name}",):
            raise
        print(f"no module tests/bench/city/{module_name}.py")
        sys.exit(MISSING)
    function = getattr(module, function_name, None)
    if function is None:
        print(f"no function {function_name} in tests/bench/city/{module_name}.py")
        sys.exit(MISSING)
    offered = {"database_url": os.environ.get("DATABASE_URL", ""), "quick": quick}
    parameters = inspect.signature(function).parameters
    answer = function(**{name: value for name, value in offered.items() if name in parameters})
    print(json.dumps(answer, default=str))


if __name__ == "__main__":
    main()
