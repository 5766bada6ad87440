"""Load on loopback: a bounded generator (threads, one keep-alive ``http.client`` connection each) for
signed-in pages, ``wrk`` for the public pages' throughput, and the seat race's simultaneous POSTs.

Every answer is checked: a wrong status or the sign-in page counts as an error, never as a fast answer.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

LOGIN_MARKERS = (b'name="password"', b"/dang-nhap/")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Connection:
    """One keep-alive connection to the app server; reconnects once if the server closed it."""

    def __init__(self, base_url: str, *, cookies: dict[str, str] | None = None, timeout: float = 120) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https",
                   "Accept-Language": "vi", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        for attempt in (0, 1):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=self._headers(headers))
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt:
                    raise
                continue
            seconds = time.perf_counter() - started
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            return Answer(response.status, data, answer_headers, seconds)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def page_problem(answer: Answer) -> str | None:
    """Why an answer is not the page asked for (None when it is): a 200 that is not the sign-in page."""
    if answer.status != 200:
        return f"status {answer.status} {answer.headers.get('location', '')}".strip()
    if all(marker in answer.body for marker in LOGIN_MARKERS):
        return "the sign-in page"
    return None


def run_load(base_url: str, path: str, *, cookies: dict[str, str], requests: int, concurrency: int,
             warmup: int = 3, deadline: float | None = None,
             check: Callable[[Answer], str | None] = page_problem) -> Sample:
    """``warmup`` requests, then ``requests`` more spread over ``concurrency`` threads (keep-alive each).

    After ``deadline`` seconds no new request starts: a list taking seconds per answer still gets a p95
    from what it answered, and the run stays within its hour."""
    sample = Sample()
    first = Connection(base_url, cookies=cookies)
    for _ in range(warmup):
        problem = check(first.request("GET", path))
        if problem:
            sample.errors.append(f"warm-up: {problem}")
    first.close()
    if sample.errors:
        return sample
    lock = threading.Lock()
    remaining = [requests]
    stop_at = time.monotonic() + deadline if deadline else None

    def worker() -> None:
        connection = Connection(base_url, cookies=cookies)
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or (stop_at is not None and time.monotonic() > stop_at):
                        return
                    remaining[0] -= 1
                try:
                    answer = connection.request("GET", path)
                except OSError as exc:
                    with lock:
                        sample.errors.append(repr(exc))
                    continue
                problem = check(answer)
                with lock:
                    sample.seconds.append(answer.seconds)
                    if problem:
                        sample.errors.append(problem)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return sample


WRK_REQUESTS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKET = re.compile(r"Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> dict:
    """Requests per second and errors from wrk's summary."""
    found = WRK_REQUESTS.search(output)
    non_2xx = WRK_ERRORS.search(output)
    sockets = WRK_SOCKET.search(output)
    return {"rps": float(found.group(1)) if found else None,
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0}


def run_wrk(url: str, *, seconds: int, connections: int, threads: int = 2) -> dict:
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", "X-Forwarded-Proto: https", "-H", "Accept-Language: vi", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    answer = parse_wrk(done.stdout)
    answer["output"] = done.stdout[-1500:]
    if done.returncode != 0:
        answer["error"] = done.stderr[-500:]
    return answer


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def seat_race(base_url: str, path: str, *, session_keys: list[str], cookie_name: str) -> dict:
    """Each official loads the enrollment form (not timed), then all POST it at once (timed).

    The form's token and the CSRF cookie come from that GET, and the POST carries the Origin and Referer
    a browser sends, as the CSRF middleware checks them.
    """
    connections = [Connection(base_url, cookies={cookie_name: key}) for key in session_keys]
    tokens: list[str | None] = [None] * len(connections)
    problems: list[str] = []

    def load_form(index: int) -> None:
        answer = connections[index].request("GET", path)
        found = CSRF_INPUT.search(answer.body)
        if answer.status != 200 or not found:
            problems.append(f"form {index}: {page_problem(answer) or 'no form (enrollment not open?)'}")
        else:
            tokens[index] = found.group(1).decode()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(load_form, range(len(connections))))
    if problems:
        return {"errors": problems[:5], "seconds": []}
    origin = f"https://{connections[0].host}:{connections[0].port}"
    barrier = threading.Barrier(len(connections))
    results: list[Answer | BaseException | None] = [None] * len(connections)

    def post(index: int) -> None:
        body = urlencode({"csrfmiddlewaretoken": tokens[index], "confirm_overlap": "1"}).encode()
        barrier.wait()
        try:
            results[index] = connections[index].request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path})
        except BaseException as exc:  # noqa: BLE001 - reported with the others, the race goes on
            results[index] = exc

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(connections))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for connection in connections:
        connection.close()
    seconds = [r.seconds for r in results if isinstance(r, Answer)]
    errors = [repr(r) if not isinstance(r, Answer) else f"status {r.status}" for r in results
              if not isinstance(r, Answer) or r.status != 302 or "/khoa-hoc-cua-toi/" not in r.headers.get(
                  "location", "")]
    return {"seconds": seconds, "errors": errors[:5], "error_count": len(errors), "wall_seconds": wall}
