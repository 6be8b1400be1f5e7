"""The Kubernetes manifests: rendered with Kustomize, validated against the Kubernetes schemas
offline (``kubernetes-validate``), and checked against the settings classes like compose."""

from __future__ import annotations

import subprocess
from functools import cache
from typing import Any

import kubernetes_validate
import pytest
import yaml

from deploy.catalogue import SERVICES, definition_of, port_of, secret_variables, settings_class
from deploy.kubernetes import BASE, KAFKA_CLIENT_SECRET, files
from shared.settings import Environment, KafkaSecurityProtocol
from tests.deploy.support import ROOT, build_settings, filled_env, require_tool

OVERLAYS = ["production", "small"]
KUBERNETES_VERSION = "1.30.0"


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    kubectl = require_tool("kubectl", "DDT_REQUIRE_KUBECTL")
    result = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )  # noqa: S603
    assert result.returncode == 0, result.stderr
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d)


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered(overlay) if d["kind"] == kind}


def test_the_committed_base_is_what_the_generator_writes() -> None:
    assert {p.name: p.read_text() for p in BASE.glob("*.yaml")} == files()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_manifest_is_valid_against_the_kubernetes_schemas(overlay: str) -> None:
    invalid = []
    for document in rendered(overlay):
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            invalid.append(f"{document['kind']}/{document['metadata']['name']}: {exc.message}")
    assert invalid == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_is_inlined_only_referenced(overlay: str) -> None:
    kinds = {d["kind"] for d in rendered(overlay)}
    assert "Secret" not in kinds


def container(overlay: str, service: str) -> dict[str, Any]:
    return of_kind(overlay, "Deployment")[f"ddt-{service}"]["spec"]["template"]["spec"]["containers"][0]


def pod_environment(overlay: str, service: str) -> dict[str, str]:
    """What the pod's process sees: the ConfigMap, literal values and each referenced secret
    filled from deploy/env.example as deploy.secrets fills it."""
    secrets = filled_env()
    config = of_kind(overlay, "ConfigMap")["ddt-platform"]["data"]
    env = dict(config)
    for item in container(overlay, service)["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        assert ref["name"] in (f"ddt-{service}-secrets", KAFKA_CLIENT_SECRET)
        key = ref["key"]
        if ref["name"] == KAFKA_CLIENT_SECRET:
            env[item["name"]] = f"kafka-{key}-from-its-secret"
        elif key == "database-url":
            env[item["name"]] = f"postgresql+asyncpg://ddt_{service}_app:pw@postgres:5432/ddt_{service}"
        elif key == "redis-url":
            env[item["name"]] = "redis://:pw@redis:6379/0"
        else:
            env[item["name"]] = secrets.get(key) or "operator-provided-value"
    return env


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_builds_its_production_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = pod_environment("production", service)
    assert build_settings(settings_class(service), monkeypatch, env).environment is Environment.PRODUCTION


@pytest.mark.parametrize("service", SERVICES)
def test_every_production_secret_comes_from_a_secret_reference(service: str) -> None:
    referenced = {item["name"] for item in container("production", service)["env"] if "valueFrom" in item}
    assert secret_variables(service) - referenced == set()


@pytest.mark.parametrize("service", SERVICES)
def test_probes_resources_and_a_disruption_budget(service: str) -> None:
    c = container("production", service)
    pdb = of_kind("production", "PodDisruptionBudget")[f"ddt-{service}"]
    assert (
        c["readinessProbe"]["httpGet"]["path"],
        c["livenessProbe"]["httpGet"]["path"],
        c["ports"][0]["containerPort"],
        bool(c["resources"]["limits"]) and bool(c["resources"]["requests"]),
        pdb["spec"]["minAvailable"],
    ) == ("/readyz", "/healthz", port_of(service), True, 1)


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_authenticates_to_kafka_over_tls_with_the_shared_client_secret(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = build_settings(
        settings_class(service), monkeypatch, pod_environment("production", service)
    ).platform
    assert (platform.kafka_security_protocol, platform.kafka_sasl_password.get_secret_value()) == (
        KafkaSecurityProtocol.SASL_SSL,
        "kafka-password-from-its-secret",
    )


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_mounts_the_brokers_ca_where_its_settings_look(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = build_settings(
        settings_class(service), monkeypatch, pod_environment("production", service)
    ).platform
    pod = of_kind("production", "Deployment")[f"ddt-{service}"]["spec"]["template"]["spec"]
    mounted = {
        f"{m['mountPath']}/{item['path']}"
        for m in pod["containers"][0]["volumeMounts"]
        for v in pod["volumes"]
        if v["name"] == m["name"] and "secret" in v
        for item in v["secret"].get("items", [])
        if v["secret"]["secretName"] == KAFKA_CLIENT_SECRET
    }
    assert str(platform.kafka_ssl_cafile) in mounted


def test_the_gateway_and_every_consumer_service_scale_automatically() -> None:
    wanted = {f"ddt-{s}" for s in SERVICES if s == "gateway" or definition_of(s).consumers}
    assert set(of_kind("production", "HorizontalPodAutoscaler")) == wanted


def test_a_migration_job_runs_the_migrate_step_with_every_owner_url() -> None:
    job = of_kind("production", "Job")["ddt-migrate"]["spec"]["template"]["spec"]["containers"][0]
    names = {e["name"] for e in job["env"]}
    wanted = {f"DDT_{s.upper()}_DATABASE_URL" for s in SERVICES} | {"DDT_KAFKA_SASL_PASSWORD"}
    assert (job["command"], wanted - names) == (["python", "-m", "deploy.migrate_all"], set())


def test_only_the_gateway_is_reachable_from_outside() -> None:
    policies = of_kind("production", "NetworkPolicy")
    open_to_anyone = {
        p["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/name", "*")
        for p in policies.values()
        for rule in p["spec"].get("ingress", [])
        if not rule.get("from")
    }
    deny_all = [p for p in policies.values() if "ingress" not in p["spec"]]
    assert (open_to_anyone, len(deny_all)) == ({"ddt-gateway"}, 1)


def test_tls_terminates_at_the_ingress_with_a_referenced_certificate() -> None:
    ingress = of_kind("production", "Ingress")["ddt-gateway"]
    assert ingress["spec"]["tls"][0]["secretName"] == "ddt-gateway-tls"


def test_the_small_overlay_uses_one_broker() -> None:
    config = of_kind("small", "ConfigMap")["ddt-platform"]["data"]
    assert (config["DDT_KAFKA_REPLICATION_FACTOR"], config["DDT_KAFKA_BOOTSTRAP_SERVERS"]) == (
        "1",
        "kafka:9092",
    )
