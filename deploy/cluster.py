"""``make run-cluster``: the production shape on one machine, every service replicated.

Starts, as real processes:

* Redis (its own ``redis-server``, with a password, on a loopback port);
* the tansu Kafka-protocol broker (in memory);
* per service, a database on the machine's PostgreSQL with its owner and its DML-only app
  user (``deploy/postgres/init-databases.sh``), then the production migration step
  (``python -m deploy.migrate_all``, as the owners);
* ``--replicas`` (default 2) processes of every service, in the ``production`` environment
  with keys generated once into ``<var>/secrets.env``;
* HAProxy (Debian's package) in front of them: one listener per service, health-checked on
  ``/readyz`` — the gateway's is the public door (plain HTTP, and TLS with a generated
  certificate), the others are what the gateways call, as a Kubernetes Service would be;
* the production bootstrap of the first platform administrator
  (``python -m services.gateway.admin bootstrap``), whose credential is written once to
  ``<var>/admin-credential.json`` (mode 0600).

Ctrl-C stops it all. ``--fresh`` drops the cluster's databases first. The tests in
``tests/cluster`` and ``bench/cluster_throughput.py`` drive the same :class:`Cluster`:
kill -9 a replica, drain one in HAProxy, roll a restart.

Settings the runner chooses (docs/operations.md "The cluster runner" says why): Kafka group
sessions of 6 s (a dead consumer's partitions move after about that), an Idempotency-Key
lock of 15 s over an upstream timeout of 10 s (a key held by a killed gateway is free again
after 15 s), and small database pools (ten processes share one PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from cryptography.hazmat.primitives import serialization

from deploy.catalogue import SERVICES, database_url_variable, port_of, secret_variables
from deploy.embedded import ROOT, _die_with_parent, port_free, start_broker, wait_for_port
from deploy.loadbalancer import AdminSocket, Backend, cluster_config, haproxy_binary, write_error_files
from deploy.secrets import TEMPLATE, fill, parse_env
from deploy.tls import self_signed_pem

#: Gateways last: they call the others.
START_ORDER = [s for s in SERVICES if s != "gateway"] + ["gateway"]
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init-databases.sh"
DEFAULT_POSTGRES = os.environ.get("DDT_CLUSTER_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Layout:
    """Where everything listens: ``base`` + the service's offset (gateway 0, declaration 1 …)."""

    base: int = 18000
    replicas: int = 2

    def lb_port(self, service: str) -> int:
        """HAProxy's listener for ``service``."""
        return self.base + port_of(service) - 8000

    def replica_port(self, service: str, index: int) -> int:
        """Replica ``index`` (1-based) of ``service``."""
        return self.base + 100 + (port_of(service) - 8000) * 10 + index

    @property
    def tls_port(self) -> int:
        """The gateway over TLS."""
        return self.base + 443

    @property
    def broker_port(self) -> int:
        """The tansu broker."""
        return self.base + 92

    @property
    def redis_port(self) -> int:
        """The cluster's own Redis."""
        return self.base + 79

    def all_ports(self) -> list[int]:
        """Every port the cluster needs free."""
        ports = [self.tls_port, self.broker_port, self.redis_port]
        for service in SERVICES:
            ports.append(self.lb_port(service))
            ports += [self.replica_port(service, i) for i in range(1, self.replicas + 1)]
        return ports


@dataclass
class Replica:
    """One process of one service."""

    service: str
    index: int
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        """``<service>-<index>``: also its server name in HAProxy."""
        return f"{self.service}-{self.index}"

    @property
    def url(self) -> str:
        """Its own address (not through the load balancer)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        """The process runs."""
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """``python -m services.<service> serve`` on its port."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", f"services.{self.service}", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        log.close()

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, as an orchestrator stops a pod (the service finishes its requests)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def readiness(self) -> dict[str, object] | None:
        """Its ``/readyz`` answer, or None if it does not answer."""
        try:
            response = httpx.get(f"{self.url}/readyz", timeout=2.0)
        except httpx.HTTPError:
            return None
        body: dict[str, object] = response.json()
        body["http_status"] = response.status_code
        return body

    def metric(self, name: str, **labels: str) -> float | None:
        """One sample of its ``/metrics`` (None if absent or unreachable)."""
        try:
            text = httpx.get(f"{self.url}/metrics", timeout=2.0).text
        except httpx.HTTPError:
            return None
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
                return float(line.rsplit(" ", 1)[1])
        return None


@dataclass
class Cluster:
    """The processes of one cluster run, and the operations the tests perform on them."""

    var: Path
    layout: Layout = field(default_factory=Layout)
    postgres_url: str = DEFAULT_POSTGRES
    database_prefix: str = "ddt_cluster_"
    db_pool_size: int = 3
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    infra: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_credential: dict[str, str] | None = None

    # --- addresses --------------------------------------------------------------------------

    @property
    def gateway_url(self) -> str:
        """The public door (through HAProxy)."""
        return f"http://127.0.0.1:{self.layout.lb_port('gateway')}"

    @property
    def gateway_tls_url(self) -> str:
        """The public door over TLS (self-signed certificate in ``<var>/tls``)."""
        return f"https://127.0.0.1:{self.layout.tls_port}"

    @property
    def tls_certificate(self) -> Path:
        """The PEM (certificate and key) HAProxy serves."""
        return self.var / "tls" / "gateway.pem"

    @property
    def broker(self) -> str:
        """Kafka bootstrap address."""
        return f"127.0.0.1:{self.layout.broker_port}"

    @property
    def lb(self) -> AdminSocket:
        """HAProxy's runtime API."""
        return AdminSocket(self.var / "haproxy.sock")

    def database_url(self, service: str, role: str = "app", *, driver: str = "postgresql+asyncpg") -> str:
        """``service``'s database as ``role`` (``app`` or ``owner``)."""
        secrets = self.secrets()
        password = secrets[f"DDT_PG_{service.upper()}_{role.upper()}_PASSWORD"]
        rest = self.postgres_url.split("://", 1)[1]
        host = rest.split("@", 1)[-1].rsplit("/", 1)[0]
        database = f"{self.database_prefix}{service}"
        return f"{driver}://{database}_{role}:{password}@{host}/{database}"

    # --- secrets and environment ------------------------------------------------------------

    def secrets(self) -> dict[str, str]:
        """The deployment's secrets: generated once (``deploy.secrets``), kept in ``<var>/secrets.env``."""
        path = self.var / "secrets.env"
        kept = parse_env(path.read_text("utf-8")) if path.exists() else {}
        template = TEMPLATE.read_text("utf-8")
        if set(parse_env(template)) - set(kept):
            # New, or a template that gained a secret since: generate only what is missing
            # (the kept keys seal data already stored).
            text, _missing = fill(template, {**self._customs_identity(), **kept})
            self.var.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            kept = parse_env(text)
        return kept

    @staticmethod
    def _customs_identity() -> dict[str, str]:
        # Production refuses the simulator and the development signer: the cluster signs with a
        # key of its own (software signer) and writes what goes to customs into a folder.
        from services.declaration.customs.core.signing.certificates import generate_rsa_test_identity

        identity = generate_rsa_test_identity(common_name="DDT LOCAL CLUSTER SIGNER")
        key = identity.key.private_key  # type: ignore[attr-defined]  # an RsaSigningKey
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "DDT_DECLARATION_CUSTOMS_SIGNER_CREDENTIAL": pem.replace("\n", "\\n"),
            "DDT_DECLARATION_CUSTOMS_SIGNER_CERTIFICATE": base64.b64encode(
                identity.certificate or b""
            ).decode(),
            "DDT_DECLARATION_CUSTOMS_DXP_SENDER_ID": "DXPENT0000000001",
            "DDT_DECLARATION_CUSTOMS_REMOTE_SIGNER_URL": "",
            "DDT_TLS_DIRECTORY": "",
        }

    def platform_env(self) -> dict[str, str]:
        """What every process of the cluster shares."""
        secrets = self.secrets()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DDT_", "OTEL_"))}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "DDT_ENVIRONMENT": "production",
                "DDT_KAFKA_BOOTSTRAP_SERVERS": self.broker,
                "DDT_IDENTITY_PUBLIC_KEY": secrets["DDT_IDENTITY_PUBLIC_KEY"],
                "DDT_KAFKA_SESSION_TIMEOUT_MS": "6000",
                "DDT_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
                "DDT_LOG_JSON": "true",
            }
        )
        if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"]
        return env

    def service_env(self, service: str, index: int) -> dict[str, str]:
        """The environment of replica ``index`` of ``service``: production settings."""
        secrets = self.secrets()
        prefix = f"DDT_{service.upper()}_"
        env = self.platform_env()
        env.update(
            {
                "DDT_VAR_DIR": str(self.var / f"{service}-{index}"),
                database_url_variable(service): self.database_url(service, "app"),
                f"{prefix}DB_POOL_SIZE": str(self.db_pool_size),
            }
        )
        # Every secret the service's settings refuse production without, from its settings class.
        missing = sorted(secret_variables(service) - set(secrets))
        if missing:
            raise ClusterError(f"deploy/env.example lacks {', '.join(missing)} ({service} needs them)")
        env.update({name: secrets[name].replace("\\n", "\n") for name in secret_variables(service)})
        if service == "gateway":
            env.update(
                {
                    "DDT_REDIS_URL": f"redis://:{secrets['REDIS_PASSWORD']}@127.0.0.1:{self.layout.redis_port}/0",
                    "DDT_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "10",
                    "DDT_GATEWAY_IDEMPOTENCY_LOCK_SECONDS": "15",
                    **{
                        f"DDT_GATEWAY_{s.upper()}_URL": f"http://127.0.0.1:{self.layout.lb_port(s)}"
                        for s in SERVICES
                        if s != "gateway"
                    },
                }
            )
        if service == "declaration":
            env.update(
                {
                    "DDT_DECLARATION_CUSTOMS_TRANSPORT": "directory",
                    "DDT_DECLARATION_CUSTOMS_DIRECTORY_ROOT": str(self.var / "customs-exchange"),
                    "DDT_DECLARATION_CUSTOMS_DXP_SENDER_ID": secrets["DDT_DECLARATION_CUSTOMS_DXP_SENDER_ID"],
                    "DDT_DECLARATION_CUSTOMS_SIGNER": "software",
                    "DDT_DECLARATION_CUSTOMS_SIGNER_CERTIFICATE": secrets[
                        "DDT_DECLARATION_CUSTOMS_SIGNER_CERTIFICATE"
                    ],
                }
            )
        env.update({k: v for k, v in self.extra_env.items() if k.startswith(("DDT_", "OTEL_"))})
        return env

    # --- start and stop ---------------------------------------------------------------------

    def start(self, *, fresh: bool = False, ready_timeout: float = 180.0) -> None:
        """Everything, in order; raises :class:`ClusterError` naming what did not come up."""
        haproxy = haproxy_binary()
        if haproxy is None:
            raise ClusterError("HAProxy is not installed (apt-get install haproxy; .ci/run does it)")
        busy = [p for p in self.layout.all_ports() if not port_free(p)]
        if busy:
            raise ClusterError(f"ports taken: {busy}; stop what uses them or pass --base-port")
        (self.var / "log").mkdir(parents=True, exist_ok=True)
        self.secrets()
        self._start_redis()
        self.infra["broker"] = start_broker(self.layout.broker_port, self.var / "log" / "broker.log")
        if not wait_for_port(self.layout.broker_port, 30):
            raise ClusterError("the broker did not start; see log/broker.log")
        self._provision_databases(fresh=fresh)
        self._migrate()
        self._start_haproxy(haproxy)
        for service in START_ORDER:
            self.replicas[service] = [
                Replica(
                    service,
                    i,
                    self.layout.replica_port(service, i),
                    self.service_env(service, i),
                    self.var / "log" / f"{service}-{i}.log",
                )
                for i in range(1, self.layout.replicas + 1)
            ]
        for service in START_ORDER:
            for replica in self.replicas[service]:
                replica.start()
        self.wait_ready(ready_timeout)
        self._bootstrap_admin()

    def _start_redis(self) -> None:
        password = self.secrets()["REDIS_PASSWORD"]
        config = self.var / "redis.conf"
        # The password goes in a 0600 file, not on the command line (ps would show it).
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(
                f"port {self.layout.redis_port}\nbind 127.0.0.1\nrequirepass {password}\n"
                f'save ""\nappendonly no\ndir {self.var}\n'
            )
        log = (self.var / "log" / "redis.log").open("ab")
        self.infra["redis"] = subprocess.Popen(  # noqa: S603 — Debian's redis-server
            ["redis-server", str(config)],  # noqa: S607 — found on PATH, like the tests' own
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        if not wait_for_port(self.layout.redis_port, 15):
            raise ClusterError("redis-server did not start; see log/redis.log")

    def _provision_databases(self, *, fresh: bool) -> None:
        if fresh:
            asyncio.run(self.drop_databases())
        secrets = self.secrets()
        rest = self.postgres_url.split("://", 1)[1]
        user, _, hostpart = rest.rpartition("@")
        host, _, port = hostpart.split("/", 1)[0].partition(":")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DDT_")},
            "PGHOST": host,
            "PGPORT": port or "5432",
            "PGUSER": user.split(":")[0] or "postgres",
            "POSTGRES_DB": self.postgres_url.rsplit("/", 1)[1] or "postgres",
            "DDT_PG_DATABASE_PREFIX": self.database_prefix,
            "DDT_PG_SERVICES": " ".join(SERVICES),
            **{k: v for k, v in secrets.items() if k.startswith("DDT_PG_")},
        }
        result = subprocess.run(  # noqa: S603 — our own script
            ["bash", str(INIT_SCRIPT)],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"init-databases.sh failed: {result.stderr.strip()}")

    async def drop_databases(self) -> None:
        """Drop the cluster's databases and users (``--fresh``, and the tests' clean-up)."""
        conn = await asyncpg.connect(self.postgres_url)
        try:
            for service in SERVICES:
                database = f"{self.database_prefix}{service}"
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                for role in ("app", "owner"):
                    await conn.execute(f'DROP ROLE IF EXISTS "{database}_{role}"')
        finally:
            await conn.close()

    def _migrate(self) -> None:
        env = self.platform_env()
        env.update({database_url_variable(s): self.database_url(s, "owner") for s in SERVICES})
        result = subprocess.run(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", "deploy.migrate_all"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        (self.var / "log" / "migrate.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise ClusterError(f"the migration step failed; see {self.var / 'log' / 'migrate.log'}")

    def _start_haproxy(self, binary: str) -> None:
        self.tls_certificate.parent.mkdir(parents=True, exist_ok=True)
        if not self.tls_certificate.exists():
            fd = os.open(self.tls_certificate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self_signed_pem("localhost"))
        errors = write_error_files(self.var / "haproxy-errors")
        config = cluster_config(
            [
                Backend(
                    s,
                    self.layout.lb_port(s),
                    [self.layout.replica_port(s, i) for i in range(1, self.layout.replicas + 1)],
                )
                for s in SERVICES
            ],
            errors=errors,
            admin_socket=self.var / "haproxy.sock",
            tls_port=self.layout.tls_port,
            tls_certificate=self.tls_certificate,
        )
        path = self.var / "haproxy.cfg"
        path.write_text(config)
        check = subprocess.run(  # noqa: S603 — the haproxy binary on its own file
            [binary, "-c", "-q", "-f", str(path)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise ClusterError(f"haproxy refused its configuration: {check.stdout}{check.stderr}")
        log = (self.var / "log" / "haproxy.log").open("ab")
        self.infra["haproxy"] = subprocess.Popen(  # noqa: S603 — Debian's haproxy
            [binary, "-db", "-f", str(path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        if not wait_for_port(self.layout.lb_port("gateway"), 15):
            raise ClusterError("haproxy did not start; see log/haproxy.log")

    def wait_ready(self, timeout: float, replicas: list[Replica] | None = None) -> None:
        """Until every (given) replica answers ``/readyz`` 200 and HAProxy has it UP."""
        pending = {r.name: r for r in (replicas or self.all_replicas())}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            states = self.lb.servers()
            for name, replica in list(pending.items()):
                if not replica.alive:
                    raise ClusterError(f"{name} exited; see {replica.log_path}")
                ready = replica.readiness()
                lb_state = states.get((replica.service, name), {}).get("status", "")
                if ready and ready["http_status"] == 200 and lb_state.startswith("UP"):
                    del pending[name]
            time.sleep(0.3)
        if pending:
            raise ClusterError(f"not ready in {timeout:.0f} s: {sorted(pending)}; logs in {self.var / 'log'}")

    def _bootstrap_admin(self) -> None:
        path = self.var / "admin-credential.json"
        if path.exists():
            self.admin_credential = json.loads(path.read_text())
            return
        env = self.service_env("gateway", 1)
        result = subprocess.run(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", "services.gateway.admin", "bootstrap", "--name", "Cluster operator"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode == 3:
            return  # an administrator exists (a database kept from an earlier run without its file)
        if result.returncode != 0:
            raise ClusterError(f"bootstrap failed: {result.stdout}{result.stderr}")
        credential = json.loads(result.stdout)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({**credential, "base_url": self.gateway_url}, handle, indent=2)
        self.admin_credential = credential

    def stop(self) -> None:
        """Gateways first, then the services, HAProxy, the broker and Redis (each tier side by side)."""
        gateways = self.replicas.get("gateway", [])
        others = [r for s in START_ORDER if s != "gateway" for r in self.replicas.get(s, [])]
        for tier in (gateways, others):
            if tier:
                with ThreadPoolExecutor(max_workers=len(tier)) as pool:
                    list(pool.map(lambda r: r.stop(), tier))
        for name in ("haproxy", "broker", "redis"):
            process = self.infra.get(name)
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    # --- what the tests and the operator do ---------------------------------------------------

    def all_replicas(self) -> list[Replica]:
        """Every replica of every service."""
        return [r for s in START_ORDER for r in self.replicas.get(s, [])]

    def replica(self, service: str, index: int) -> Replica:
        """Replica ``index`` (1-based) of ``service``."""
        return self.replicas[service][index - 1]

    def relay_leader(self, service: str) -> Replica | None:
        """The replica whose outbox relay publishes (its readiness says ``broker: ok``)."""
        for replica in self.replicas[service]:
            if replica.alive:
                ready = replica.readiness()
                checks = ready.get("checks", {}) if ready else {}
                if isinstance(checks, Mapping) and checks.get("broker") == "ok":
                    return replica
        return None

    def take_out(self, replicas: list[Replica], *, drain_timeout: float = 30.0) -> None:
        """Drain ``replicas`` in HAProxy, wait until their running requests finished, SIGTERM them.

        SIGTERM lets a replica finish what it does in the background (the relay flushes, the
        consumers commit and leave their group). The replicas are stopped side by side.
        """
        for replica in replicas:
            self.lb.set_state(replica.service, replica.name, "drain")
        deadline = time.monotonic() + drain_timeout
        busy = list(replicas)
        while busy and time.monotonic() < deadline:
            rows = self.lb.servers()
            busy = [r for r in busy if rows.get((r.service, r.name), {}).get("scur") not in ("0", None)]
            if busy:
                time.sleep(0.1)
        with ThreadPoolExecutor(max_workers=max(len(replicas), 1)) as pool:
            list(pool.map(lambda r: r.stop(), replicas))

    def put_back(self, replicas: list[Replica], *, ready_timeout: float = 120.0) -> None:
        """Start ``replicas`` again and give them traffic; returns once they are ready and UP."""
        for replica in replicas:
            replica.start()
        for replica in replicas:
            self.lb.set_state(replica.service, replica.name, "ready")
        self.wait_ready(ready_timeout, replicas)

    def restart(self, replica: Replica, *, drain_timeout: float = 30.0, ready_timeout: float = 120.0) -> None:
        """Replace one replica as an orchestrator would: drain, stop, start, wait ready, enable."""
        self.take_out([replica], drain_timeout=drain_timeout)
        self.put_back([replica], ready_timeout=ready_timeout)

    def rolling_restart(self, services: list[str] | None = None) -> None:
        """Every replica of every (given) service, one replica of each service at a time.

        As Kubernetes rolls each Deployment on its own: replica 1 of every service is replaced
        side by side, then replica 2 … — never two replicas of one service at once, so every
        service keeps serving throughout.
        """
        chosen = services or START_ORDER
        for index in range(1, self.layout.replicas + 1):
            wave = [self.replica(service, index) for service in chosen]
            self.take_out(wave)
            self.put_back(wave)


class ClusterError(RuntimeError):
    """A part of the cluster did not come up."""


@contextlib.contextmanager
def running_cluster(cluster: Cluster, *, fresh: bool = False) -> Iterator[Cluster]:
    """Start ``cluster``, yield it, stop it whatever happened."""
    try:
        cluster.start(fresh=fresh)
        yield cluster
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the cluster until Ctrl-C."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--base-port", type=int, default=18000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="a superuser connection")
    parser.add_argument("--database-prefix", default="ddt_cluster_")
    parser.add_argument("--fresh", action="store_true", help="drop the cluster's databases first")
    args = parser.parse_args(argv)
    cluster = Cluster(
        var=args.var.resolve(),
        layout=Layout(base=args.base_port, replicas=args.replicas),
        postgres_url=args.postgres_url,
        database_prefix=args.database_prefix,
    )

    def on_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"Starting the cluster ({args.replicas} replicas of every service) …", flush=True)
        cluster.start(fresh=args.fresh)
        print()
        print("Diandiantong cluster is running.")
        print(f"  Gateway (HAProxy):   {cluster.gateway_url}   and TLS {cluster.gateway_tls_url}")
        print(f"  TLS certificate:     {cluster.tls_certificate} (self-signed)")
        for service in START_ORDER:
            ports = ", ".join(str(r.port) for r in cluster.replicas[service])
            print(f"  {service:<12} LB :{cluster.layout.lb_port(service)}  replicas :{ports}")
        print(f"  HAProxy admin:       {cluster.var / 'haproxy.sock'} (runtime API)")
        print(f"  Admin credential:    {cluster.var / 'admin-credential.json'} (written once, mode 0600)")
        print(f"  Logs:                {cluster.var / 'log'}")
        print("Press Ctrl-C to stop.", flush=True)
        while True:
            for replica in cluster.all_replicas():
                if not replica.alive:
                    print(f"{replica.name} stopped (code {replica.process and replica.process.returncode})")
                    return 1
            time.sleep(1)
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
