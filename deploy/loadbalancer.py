"""HAProxy in front of the replicas: its configuration, its error answers, its runtime API.

Compose uses ``deploy/haproxy/compose.cfg`` (TLS, replicas found by Docker's DNS); the
cluster runner (:mod:`deploy.cluster`) writes a configuration with :func:`cluster_config`
for the replicas it started on loopback ports. Both answer 502/503/504 with the
problem+json documents of :func:`error_file` (codes ``lb.*`` of the gateway's registry),
never with HAProxy's HTML pages, so a client handles them like any other problem.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.gateway.problems import LB_NO_ANSWER, LB_TIMEOUT, LB_UNAVAILABLE
from shared.problems import ProblemType

ERROR_PROBLEMS: dict[int, ProblemType] = {502: LB_NO_ANSWER, 503: LB_UNAVAILABLE, 504: LB_TIMEOUT}
_REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
ERRORS_DIR = Path(__file__).resolve().parent / "haproxy" / "errors"


def haproxy_binary() -> str | None:
    """Path of ``haproxy`` (Debian's package puts it in /usr/sbin), or None."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def error_file(status: int) -> bytes:
    """The raw HTTP answer HAProxy sends for ``status``: problem+json, Retry-After, no caching."""
    kind = ERROR_PROBLEMS[status]
    body = json.dumps(
        {
            "type": kind.type_uri,
            "title": kind.title,
            "status": status,
            "code": kind.code,
            "detail": kind.description,
        },
        separators=(",", ":"),
    ).encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        "Content-Type: application/problem+json\r\n"
        "Cache-Control: no-store\r\n"
        "Retry-After: 1\r\n"
        "Connection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def write_error_files(folder: Path) -> dict[int, Path]:
    """Write the three error answers into ``folder``; returns their paths by status."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for status in ERROR_PROBLEMS:
        path = folder / f"{status}.http"
        path.write_bytes(error_file(status))
        paths[status] = path
    return paths


@dataclass(frozen=True)
class Backend:
    """A service's replicas behind one listening address."""

    name: str
    listen_port: int
    replica_ports: Sequence[int]


def cluster_config(
    backends: Sequence[Backend],
    *,
    errors: Mapping[int, Path],
    admin_socket: Path,
    tls_port: int | None = None,
    tls_certificate: Path | None = None,
    public: str = "gateway",
    check_interval_ms: int = 1000,
) -> str:
    """An HAProxy configuration for replicas on loopback ports (the cluster runner's).

    Every backend is health-checked on ``/readyz``. A connection that never reached a
    replica is retried on another; a request that reached one is never resent (it may have
    been applied; the client's Idempotency-Key makes its own retry safe). The ``public``
    backend is also served over TLS on ``tls_port`` when a certificate is given.
    """
    lines = [
        "# Written by deploy/cluster.py; see deploy/loadbalancer.py.",
        "global",
        "    maxconn 4000",  # within the file-descriptor limit of an ordinary shell
        f"    stats socket {admin_socket} mode 600 level admin",
        "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
        "",
        "defaults",
        "    mode http",
        "    option redispatch",
        "    retry-on conn-failure",
        "    retries 3",
        "    timeout connect 1s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-request 15s",
        "    timeout http-keep-alive 15s",
        *(f"    errorfile {status} {path}" for status, path in sorted(errors.items())),
        "",
    ]
    for backend in backends:
        lines += [
            f"frontend {backend.name}_in",
            f"    bind 127.0.0.1:{backend.listen_port}",
        ]
        if backend.name == public and tls_port and tls_certificate:
            lines.append(f"    bind 127.0.0.1:{tls_port} ssl crt {tls_certificate} alpn http/1.1")
        lines += [
            f"    default_backend {backend.name}",
            "",
            f"backend {backend.name}",
            "    balance leastconn",
            "    option httpchk GET /readyz",
            "    http-check expect status 200",
            f"    default-server inter {check_interval_ms} fastinter {max(check_interval_ms // 4, 100)} "
            "fall 2 rise 1",
        ]
        lines += [
            f"    server {backend.name}-{i} 127.0.0.1:{port} check"
            for i, port in enumerate(backend.replica_ports, start=1)
        ]
        lines.append("")
    return "\n".join(lines)


class AdminSocket:
    """HAProxy's runtime API over its unix socket (drain, ready, state of the servers)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def command(self, line: str) -> str:
        """Send one command; returns HAProxy's answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def set_state(self, backend: str, server: str, state: str) -> None:
        """``ready``, ``drain`` (no new requests, running ones finish) or ``maint``."""
        answer = self.command(f"set server {backend}/{server} state {state}").strip()
        if answer:
            raise RuntimeError(f"haproxy refused 'set server {backend}/{server} state {state}': {answer}")

    def servers(self) -> dict[tuple[str, str], dict[str, str]]:
        """``show stat`` by (backend, server): status (UP/DOWN/DRAIN/MAINT), scur (sessions now) …"""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            (row["pxname"], row["svname"]): row
            for row in rows
            if row.get("svname") not in (None, "FRONTEND", "BACKEND")
        }
