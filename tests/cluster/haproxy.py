"""HAProxy in front of the app servers: its configuration, and what its stats socket says.

Health checks ask ``GET /readyz`` every half second (two failures take a server out, two successes put it
back); a request whose connection to a server fails is tried again (``retries 3``), on another server for
the last try (``option redispatch``). Every answer names the server that gave it (``X-Served-By``), so the
client sees where its traffic went without asking the stats socket.
"""

from __future__ import annotations

import csv
import io
import socket
from dataclasses import dataclass
from pathlib import Path

HAPROXY = "/usr/sbin/haproxy"
BACKEND = "app"

CONFIG = """\
global
    stats socket {socket} mode 600 level admin
    maxconn 1000

defaults
    mode http
    log stdout format raw local0 info
    option httplog
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout check 2s
    retries 3
    option redispatch
    option forwardfor

frontend city
    bind 127.0.0.1:{port}
    default_backend {backend}

backend {backend}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


@dataclass
class Backend:
    name: str
    port: int


def config(*, port: int, socket_path: Path, servers: list[Backend]) -> str:
    lines = "\n".join(f"    server {server.name} 127.0.0.1:{server.port} check" for server in servers)
    return CONFIG.format(socket=socket_path, port=port, backend=BACKEND, servers=lines)


def command(config_path: Path) -> list[str]:
    # -db: in the foreground, so that the rehearsal owns (and ends) the process.
    return [HAPROXY, "-db", "-f", str(config_path)]


def ask(socket_path: Path, line: str) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(socket_path))
        connection.sendall(line.encode() + b"\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def servers(socket_path: Path) -> dict[str, dict[str, str]]:
    """Each server of the backend: its status (UP, DOWN, …) and counters (``stot`` sessions in all)."""
    text = ask(socket_path, "show stat").lstrip("# ")
    rows = csv.DictReader(io.StringIO(text))
    return {row["svname"]: row for row in rows if row["pxname"] == BACKEND and row["svname"] not in
            ("FRONTEND", "BACKEND")}


def status(socket_path: Path) -> dict[str, str]:
    return {name: row["status"] for name, row in servers(socket_path).items()}


def sessions(socket_path: Path) -> dict[str, int]:
    return {name: int(row["stot"] or 0) for name, row in servers(socket_path).items()}
