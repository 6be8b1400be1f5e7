"""docker-compose.yml checked against the code, since Docker does not run on our machines."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.messaging.topics import SERVICES
from shared.settings import PlatformSettings, ServiceSettings, known_env_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = list(SERVICES)


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    return next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    )


def env_of(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in (COMPOSE["services"][name].get("environment") or {}).items()}


def test_every_service_is_in_the_compose_file() -> None:
    assert set(APP_SERVICES) <= set(COMPOSE["services"])


@pytest.mark.parametrize("service", APP_SERVICES + ["migrate"])
def test_images_are_built_from_deploy(service: str) -> None:
    build = COMPOSE["services"][service]["build"]
    assert (build["dockerfile"], (ROOT / build["context"] / build["dockerfile"]).is_file()) == (
        "deploy/Dockerfile",
        True,
    )


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_runs_its_own_module(service: str) -> None:
    assert COMPOSE["services"][service]["command"][:3] == ["python", "-m", f"services.{service}"]


@pytest.mark.parametrize("service", [*APP_SERVICES, "migrate"])
def test_every_ddt_variable_set_is_one_the_settings_know(service: str) -> None:
    known = known_env_names(PlatformSettings, *(settings_class(s) for s in APP_SERVICES))
    unknown = {k for k in env_of(service) if k.startswith("DDT_")} - known
    assert unknown == set()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_production_secret_of_a_service_is_provided(service: str) -> None:
    cls = settings_class(service)
    required = {
        f"{cls.model_config['env_prefix']}{name}".upper()
        for name, field in cls.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("secret")
    } | {"DDT_IDENTITY_PUBLIC_KEY"}
    assert required - set(env_of(service)) == set()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_has_its_own_database(service: str) -> None:
    url = env_of(service)[f"DDT_{service.upper()}_DATABASE_URL"]
    init = (ROOT / "deploy/postgres/init-databases.sql").read_text()
    database = url.rsplit("/", 1)[1]
    assert (url.startswith("postgresql+asyncpg://"), f"CREATE DATABASE {database};" in init) == (True, True)


def test_kafka_is_apache_kafka_in_kraft_mode() -> None:
    kafka = COMPOSE["services"]["kafka"]
    assert (
        kafka["image"].startswith("apache/kafka:"),
        "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"],
    ) == (True, True)


@pytest.mark.parametrize("service", [*APP_SERVICES, "postgres", "kafka", "redis"])
def test_long_running_services_have_health_checks(service: str) -> None:
    assert "test" in COMPOSE["services"][service]["healthcheck"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_services_start_after_their_dependencies_and_migrations(service: str) -> None:
    depends = COMPOSE["services"][service]["depends_on"]
    assert (
        depends["postgres"]["condition"],
        depends["kafka"]["condition"],
        depends["migrate"]["condition"],
    ) == ("service_healthy", "service_healthy", "service_completed_successfully")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_health_checks_probe_the_services_own_port(service: str) -> None:
    port = settings_class(service).default_port
    assert f"localhost:{port}/readyz" in " ".join(COMPOSE["services"][service]["healthcheck"]["test"])


def test_only_the_gateway_is_published() -> None:
    published = sorted(name for name, spec in COMPOSE["services"].items() if spec.get("ports"))
    assert published == ["gateway"]


def test_gateway_routes_to_the_services_by_their_compose_names() -> None:
    env = env_of("gateway")
    assert all(
        re.fullmatch(rf"http://{s}:\d+", env[f"DDT_GATEWAY_{s.upper()}_URL"])
        for s in APP_SERVICES
        if s != "gateway"
    )


def test_the_production_environment_is_declared_everywhere() -> None:
    assert {env_of(s)["DDT_ENVIRONMENT"] for s in [*APP_SERVICES, "migrate"]} == {"production"}


def test_the_dockerfile_runs_as_a_non_root_user() -> None:
    assert re.search(r"^USER \w+", (ROOT / "deploy/Dockerfile").read_text(), re.MULTILINE)
