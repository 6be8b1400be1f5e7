"""docker-compose.yml checked against the code, since Docker does not run on our machines.

The central check builds every container's settings from exactly the environment compose
would give it — the file's own values, interpolated with ``deploy/env.example`` as
``python -m deploy.secrets`` fills it — and fails if any would refuse to start.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.catalogue import SERVICES, database_url_variable, port_of, secret_variables, settings_class
from deploy.loadbalancer import ERRORS_DIR, error_file
from deploy.migrate_all import database_urls
from services.gateway.settings import GatewaySettings
from shared.settings import Environment, PlatformSettings, known_env_names
from tests.deploy.support import (
    ROOT,
    build_settings,
    exactly_this_environment,
    filled_env,
    interpolate,
    require_tool,
)

RAW: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = list(SERVICES)
KAFKA_NODES = ["kafka-1", "kafka-2", "kafka-3"]


def compose() -> dict[str, Any]:
    """The compose file as compose sees it with the filled .env."""
    return interpolate(RAW, filled_env())  # type: ignore[no-any-return]


def env_of(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in (compose()["services"][name].get("environment") or {}).items()}


def profiles_of(name: str) -> list[str]:
    return list(RAW["services"][name].get("profiles") or [])


# --- every container starts with what it is given ---------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_builds_its_production_settings_from_the_compose_environment(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = build_settings(settings_class(service), monkeypatch, env_of(service))
    assert settings.environment is Environment.PRODUCTION


def test_the_gateway_does_not_create_a_first_admin_by_itself_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = build_settings(GatewaySettings, monkeypatch, env_of("gateway"))
    assert isinstance(settings, GatewaySettings) and settings.should_bootstrap is False


def test_the_migrate_step_gets_every_database_and_the_kafka_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = env_of("migrate")
    with exactly_this_environment(monkeypatch, env):
        platform = PlatformSettings()
        urls = database_urls(env)
    assert (platform.environment, sorted(urls)) == (Environment.PRODUCTION, sorted(APP_SERVICES))


def test_the_migrate_step_holds_no_service_key() -> None:
    keys = set().union(*(secret_variables(s) for s in APP_SERVICES)) - {"DDT_IDENTITY_PUBLIC_KEY"}
    assert keys & set(env_of("migrate")) == set()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_production_secret_of_a_service_is_provided(service: str) -> None:
    assert secret_variables(service) - set(env_of(service)) == set()


@pytest.mark.parametrize("service", [*APP_SERVICES, "migrate"])
def test_every_ddt_variable_set_is_one_the_settings_know(service: str) -> None:
    known = known_env_names(PlatformSettings, *(settings_class(s) for s in APP_SERVICES))
    unknown = {k for k in env_of(service) if k.startswith("DDT_")} - known
    assert unknown == set()


def test_the_production_environment_is_declared_everywhere() -> None:
    assert {env_of(s)["DDT_ENVIRONMENT"] for s in [*APP_SERVICES, "migrate"]} == {"production"}


def test_the_template_leaves_no_variable_the_file_needs_unset() -> None:
    needed = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert needed - set(filled_env()) == set()


# --- images and commands -----------------------------------------------------------------------


def test_every_service_is_in_the_compose_file() -> None:
    assert set(APP_SERVICES) <= set(RAW["services"])


@pytest.mark.parametrize("service", [*APP_SERVICES, "migrate"])
def test_images_are_built_from_deploy(service: str) -> None:
    build = RAW["services"][service]["build"]
    assert (build["dockerfile"], (ROOT / build["context"] / build["dockerfile"]).is_file()) == (
        "deploy/Dockerfile",
        True,
    )


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_runs_its_own_module(service: str) -> None:
    assert RAW["services"][service]["command"][:3] == ["python", "-m", f"services.{service}"]


def test_the_dockerfile_runs_as_a_non_root_user() -> None:
    assert re.search(r"^USER \w+", (ROOT / "deploy/Dockerfile").read_text(), re.MULTILINE)


def test_the_build_context_leaves_out_the_virtualenv_data_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "var", ".env", ".git"} <= ignored


def test_the_env_file_is_not_committed() -> None:
    result = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False, capture_output=True)  # noqa: S603, S607
    assert result.returncode == 0


# --- dependencies and health -------------------------------------------------------------------


@pytest.mark.parametrize("service", [*APP_SERVICES, "postgres", "redis", "kafka", *KAFKA_NODES, "proxy"])
def test_long_running_services_have_health_checks(service: str) -> None:
    assert "test" in RAW["services"][service]["healthcheck"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_services_start_after_their_dependencies_and_migrations(service: str) -> None:
    depends = RAW["services"][service]["depends_on"]
    assert (
        depends["postgres"]["condition"],
        {depends[k]["condition"] for k in ["kafka", *KAFKA_NODES]},
        {depends[k].get("required") for k in ["kafka", *KAFKA_NODES]},
        depends["migrate"]["condition"],
    ) == ("service_healthy", {"service_healthy"}, {False}, "service_completed_successfully")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_health_checks_probe_the_services_own_port(service: str) -> None:
    port = port_of(service)
    assert f"localhost:{port}/readyz" in " ".join(RAW["services"][service]["healthcheck"]["test"])


def test_gateway_routes_to_the_services_by_their_compose_names() -> None:
    env = env_of("gateway")
    assert {s: env[f"DDT_GATEWAY_{s.upper()}_URL"] for s in APP_SERVICES if s != "gateway"} == {
        s: f"http://{s}:{port_of(s)}" for s in APP_SERVICES if s != "gateway"
    }


# --- only TLS faces outside; the gateway scales ------------------------------------------------


def _host_ports(spec: dict[str, Any]) -> list[str]:
    return [str(p) for p in spec.get("ports") or []]


def test_only_the_tls_proxy_is_published_beyond_the_host() -> None:
    published = sorted(
        name
        for name, spec in RAW["services"].items()
        if any(not p.startswith("127.0.0.1:") for p in _host_ports(spec))
    )
    assert published == ["proxy"]


def test_the_gateway_publishes_no_port_so_it_can_be_scaled() -> None:
    assert "ports" not in RAW["services"]["gateway"]


def test_the_proxy_reads_its_certificate_path_from_a_setting() -> None:
    config = (ROOT / "deploy/haproxy/compose.cfg").read_text()
    assert (
        'ssl crt "${DDT_TLS_CERTIFICATE}"' in config,
        env_of("proxy")["DDT_TLS_CERTIFICATE"].startswith("/etc/ddt/tls/"),
    ) == (True, True)


def test_the_proxy_configuration_is_valid_haproxy(tmp_path: Path) -> None:
    haproxy = require_tool("haproxy", "DDT_REQUIRE_LOADBALANCER", "/usr/sbin/haproxy")
    from deploy.tls import self_signed_pem

    certificate = tmp_path / "gateway.pem"
    certificate.write_bytes(self_signed_pem("gateway.diandiantong.example"))
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        (ROOT / "deploy/haproxy/compose.cfg")
        .read_text()
        .replace("/usr/local/etc/haproxy/errors", str(ERRORS_DIR))
    )
    env = {**env_of("proxy"), "DDT_TLS_CERTIFICATE": str(certificate)}
    result = subprocess.run(
        [haproxy, "-c", "-f", str(config)], env=env, capture_output=True, text=True, check=False
    )  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("status", [502, 503, 504])
def test_the_proxy_answers_its_own_errors_as_problems(status: int) -> None:
    assert (ERRORS_DIR / f"{status}.http").read_bytes() == error_file(status)


# --- Kafka: three KRaft brokers in production, one on a laptop ---------------------------------


def test_production_runs_three_kraft_brokers_with_replication_three_and_two_in_sync() -> None:
    nodes = [env_of(n) for n in KAFKA_NODES]
    voters = {n["KAFKA_CONTROLLER_QUORUM_VOTERS"] for n in nodes}
    assert (
        [profiles_of(n) for n in KAFKA_NODES],
        sorted(n["KAFKA_NODE_ID"] for n in nodes),
        voters,
        {n["KAFKA_DEFAULT_REPLICATION_FACTOR"] for n in nodes},
        {n["KAFKA_MIN_INSYNC_REPLICAS"] for n in nodes},
        {n["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] for n in nodes},
        {n["CLUSTER_ID"] for n in nodes} != {""},
    ) == (
        [["production"]] * 3,
        ["1", "2", "3"],
        {"1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"},
        {"3"},
        {"2"},
        {"3"},
        True,
    )


def test_services_create_topics_with_the_production_replication_factor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with exactly_this_environment(monkeypatch, env_of("stats")):
        platform = PlatformSettings()
    assert (platform.kafka_replication_factor, platform.kafka_bootstrap_servers) == (
        3,
        "kafka-1:9092,kafka-2:9092,kafka-3:9092",
    )


def _mounted_from(container: str, variable: str) -> dict[str, str]:
    """Container folder → host folder of ``container``'s mounts whose source is ``${variable}``."""
    mounts = {}
    raw_volumes = RAW["services"][container].get("volumes") or []
    resolved_volumes = compose()["services"][container].get("volumes") or []
    for raw, resolved in zip(raw_volumes, resolved_volumes, strict=True):
        if str(raw).startswith(f"${{{variable}"):
            source, target = str(resolved).split(":")[:2]
            mounts[target] = source
    return mounts


def test_production_brokers_accept_only_sasl_ssl_with_the_mounted_certificates() -> None:
    nodes = {n: env_of(n) for n in KAFKA_NODES}
    host_tls = filled_env()["DDT_KAFKA_TLS_DIRECTORY"]
    seen = []
    for name, env in nodes.items():
        protocols = {pair.split(":")[1] for pair in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")}
        mounted = _mounted_from(name, "DDT_KAFKA_TLS_DIRECTORY")
        files = [env["KAFKA_SSL_KEYSTORE_LOCATION"], env["KAFKA_SSL_TRUSTSTORE_LOCATION"]]
        seen.append(
            (
                protocols,
                env["KAFKA_ADVERTISED_LISTENERS"],
                env["KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM"],
                all(
                    any(f.startswith(t + "/") and src == host_tls for t, src in mounted.items())
                    for f in files
                ),
                bool(env["KAFKA_SSL_KEY_PASSWORD"]),
            )
        )
    assert seen == [({"SASL_SSL"}, f"CLIENT://{n}:9092", "https", True, True) for n in KAFKA_NODES]


def test_the_brokers_know_the_user_and_password_every_service_connects_with() -> None:
    broker = env_of("kafka-1")["KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG"]
    users = dict(re.findall(r'user_(\w+)="([^"]*)"', broker))
    clients = {
        (env_of(c)["DDT_KAFKA_SASL_USERNAME"], env_of(c)["DDT_KAFKA_SASL_PASSWORD"])
        for c in [*APP_SERVICES, "migrate"]
    }
    [(username, password)] = clients
    assert (users.get(username), len(password) >= 32, users.get("broker") != password) == (
        password,
        True,
        True,
    )


@pytest.mark.parametrize("container", [*APP_SERVICES, "migrate"])
def test_each_client_talks_sasl_ssl_and_trusts_the_mounted_ca(
    container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with exactly_this_environment(monkeypatch, env_of(container)):
        platform = PlatformSettings()
    mounted = _mounted_from(container, "DDT_KAFKA_TLS_DIRECTORY")
    cafile = str(platform.kafka_ssl_cafile)
    assert (
        platform.kafka_security_protocol,
        platform.kafka_sasl_mechanism,
        any(cafile.startswith(t + "/") for t in mounted),
    ) == ("SASL_SSL", "PLAIN", True)


def test_the_laptop_profile_keeps_plaintext(monkeypatch: pytest.MonkeyPatch) -> None:
    single = RAW["services"]["kafka"]["environment"]
    laptop = {**env_of("stats"), "DDT_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}  # as env.example says
    with exactly_this_environment(monkeypatch, laptop):
        platform = PlatformSettings()
    assert (single["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"], platform.kafka_security_protocol) == (
        "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "PLAINTEXT",
    )


def test_a_laptop_profile_keeps_one_broker() -> None:
    single = RAW["services"]["kafka"]
    assert (profiles_of("kafka"), single["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"]) == (
        ["laptop"],
        "1@kafka:9093",
    )


# --- PostgreSQL: a database and two users per service; Redis with a password -----------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_connects_as_its_own_dml_user_and_migrates_as_the_owner(service: str) -> None:
    runs = env_of(service)[database_url_variable(service)]
    migrates = env_of("migrate")[database_url_variable(service)]
    pattern = r"postgresql\+asyncpg://(?P<user>\w+):(?P<password>[0-9a-f]{48})@postgres:5432/(?P<db>\w+)"
    run, mig = re.fullmatch(pattern, runs), re.fullmatch(pattern, migrates)
    assert run and mig
    assert (run["user"], mig["user"], run["db"], mig["db"], run["password"] != mig["password"]) == (
        f"ddt_{service}_app",
        f"ddt_{service}_owner",
        f"ddt_{service}",
        f"ddt_{service}",
        True,
    )


def test_the_postgres_init_script_creates_every_service_database_with_its_passwords() -> None:
    script = (ROOT / "deploy/postgres/init-databases.sh").read_text()
    default = re.search(r"DDT_PG_SERVICES:-([a-z ]+)\}", script)
    env = env_of("postgres")
    passwords = {f"DDT_PG_{s.upper()}_{kind}_PASSWORD" for s in APP_SERVICES for kind in ("OWNER", "APP")}
    assert default and (default.group(1).split(), passwords - set(env)) == (APP_SERVICES, set())


def test_redis_requires_a_password_and_the_gateway_sends_it() -> None:
    redis = RAW["services"]["redis"]
    password = filled_env()["REDIS_PASSWORD"]
    assert (
        "--requirepass" in " ".join(redis["command"]),
        env_of("gateway")["DDT_REDIS_URL"],
    ) == (True, f"redis://:{password}@redis:6379/0")


# --- resources ----------------------------------------------------------------------------------


@pytest.mark.parametrize("container", sorted(RAW["services"]))
def test_every_container_has_cpu_and_memory_limits(container: str) -> None:
    limits = RAW["services"][container]["deploy"]["resources"]["limits"]
    assert (bool(limits.get("cpus")), bool(limits.get("memory"))) == (True, True)
