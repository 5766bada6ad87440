"""The rehearsal's long-running processes, each in a process group of its own.

A group, so that "kill the app server" is what a crashed host does: SIGKILL to gunicorn's master and its
workers at once (no graceful shutdown, no chance to finish a response). ``Processes.stop_all`` ends every
group still alive however the rehearsal ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tests.processes import ROOT

T = TypeVar("T")


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text("utf-8", errors="replace")[-tail:]

    def signal_group(self, number: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, number)

    def kill(self) -> None:
        """SIGKILL to the whole group, as a crash: nothing of it gets to clean up."""
        self.signal_group(signal.SIGKILL)
        self.popen.wait()

    def wait_until(self, ready: Callable[[], T | None], *, seconds: float, what: str) -> T:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive:
                raise AssertionError(f"{what}: exited with {self.popen.returncode}:\n{self.output()}")
            answer = ready()
            if answer:
                return answer
            time.sleep(0.1)
        raise AssertionError(f"{what}: not ready within {seconds} s:\n{self.output()}")


@dataclass
class Processes:
    log_dir: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, command: Sequence[str], *, env: Mapping[str, str], append: bool = False) -> Process:
        log = self.log_dir / f"{name}.log"
        with log.open("ab" if append else "wb") as stream:
            popen = subprocess.Popen(list(command), cwd=ROOT, env=dict(env), stdout=stream,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        process = Process(name=name, command=list(command), env=dict(env), log=log, popen=popen)
        self.started.append(process)
        return process

    def restart(self, process: Process) -> Process:
        """The same command again, its output appended to the same log."""
        return self.start(process.name, process.command, env=process.env, append=True)

    def stop_all(self) -> None:
        """SIGTERM to every group still alive, SIGKILL to what is left after 10 s."""
        alive = [process for process in self.started if process.alive]
        for process in alive:
            process.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in alive:
            with suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in alive:
            # The group too: a gunicorn worker may outlive its master for a moment.
            process.signal_group(signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=5)
