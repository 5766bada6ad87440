"""Real processes beside the suite: app servers under gunicorn, the OIDC test provider under node.

Shared by the tests that need more than Django's test client (the lock shared by two servers, single
sign-on against a real provider) and by the benchmarks: start a process with its output in a log file,
wait until it answers, and stop it however the test ends.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass
class Running:
    process: subprocess.Popen
    log: Path

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text("utf-8", errors="replace")[-tail:]

    def wait_until(self, ready: Callable[[], T | None], *, seconds: float, what: str) -> T:
        """``ready()``'s first true answer; a clear failure with the log if the process exits or time runs out."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{what}: exited with {self.process.returncode}:\n{self.output()}")
            answer = ready()
            if answer:
                return answer
            time.sleep(0.1)
        raise AssertionError(f"{what}: not ready within {seconds} s:\n{self.output()}")


@contextmanager
def running(command: Sequence[str], *, log: Path, env: Mapping[str, str], cwd: Path = ROOT) -> Iterator[Running]:
    """The process, stopped on the way out (terminated, killed if it will not go within 10 s)."""
    with log.open("wb") as stream:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=stream, stderr=subprocess.STDOUT)
    try:
        yield Running(process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class AppServer:
    url: str
    running: Running

    def output(self) -> str:
        return self.running.output()


@contextmanager
def app_server(env: Mapping[str, str], *, log: Path, workers: int = 1) -> Iterator[AppServer]:
    """``gunicorn training_site.wsgi`` on a free port, once its sign-in page answers."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "gunicorn", "training_site.wsgi", "--bind", url.removeprefix("http://"),
               "--workers", str(workers), "--log-level", "warning"]
    with running(command, log=log, env=env) as process:
        process.wait_until(lambda: _answers(f"{url}/dang-nhap/"), seconds=60, what=url)
        yield AppServer(url=url, running=process)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
