"""The Kubernetes base manifests, written from the code: ``python -m deploy.kubernetes``.

Writes ``deploy/k8s/base/`` (plain manifests; the overlays under ``deploy/k8s/overlays/``
are Kustomize files kept by hand). Generated because they must stay in step with the
services: each Deployment gets exactly the secrets its settings class refuses production
without (as ``secretKeyRef``s — no Secret is ever inlined), every service with consumers
gets a HorizontalPodAutoscaler, and ``tests/deploy/test_kubernetes.py`` fails if the
committed files differ from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from deploy.catalogue import SERVICES, database_url_variable, definition_of, port_of, secret_variables

BASE = Path(__file__).resolve().parent / "k8s" / "base"
PART_OF = "diandiantong"
IMAGE = "diandiantong"
#: Public settings every pod shares (ConfigMap ``ddt-platform``); overlays patch them.
PLATFORM_CONFIG = {
    "DDT_ENVIRONMENT": "production",
    "DDT_KAFKA_BOOTSTRAP_SERVERS": "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092",
    "DDT_KAFKA_REPLICATION_FACTOR": "3",
    "DDT_KAFKA_ENABLE_IDEMPOTENCE": "true",
    # Every client authenticates over TLS, as in the production compose profile; SCRAM rather
    # than PLAIN because Kubernetes Kafka operators (Strimzi) offer SCRAM-SHA-512 listeners.
    "DDT_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "DDT_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "DDT_KAFKA_SASL_USERNAME": "ddt",
    "DDT_KAFKA_SSL_CAFILE": "/etc/ddt/kafka-tls/ca.pem",
    "DDT_LOG_LEVEL": "INFO",
    # Tracing: an OTLP/HTTP collector, e.g. http://otel-collector.observability:4318 (docs/operations.md).
    "OTEL_EXPORTER_OTLP_ENDPOINT": "",
}
RESOURCES = {
    "gateway": ({"cpu": "250m", "memory": "256Mi"}, {"cpu": "1", "memory": "768Mi"}),
    "declaration": ({"cpu": "250m", "memory": "384Mi"}, {"cpu": "1", "memory": "1Gi"}),
}
DEFAULT_RESOURCES = ({"cpu": "100m", "memory": "256Mi"}, {"cpu": "1", "memory": "768Mi"})
#: The Secret (made by the operator) with the Kafka client's SCRAM password (key ``password``)
#: and the CA the brokers' certificates chain to (key ``ca.pem``), shared by every pod.
KAFKA_CLIENT_SECRET = "ddt-kafka-client"  # noqa: S105 — a Secret's name, not its value


def labels(service: str) -> dict[str, str]:
    """The labels selecting ``service``'s pods."""
    return {"app.kubernetes.io/name": f"ddt-{service}", "app.kubernetes.io/part-of": PART_OF}


def secret_name(service: str) -> str:
    """The Secret (made by the operator, never committed) holding ``service``'s keys."""
    return f"ddt-{service}-secrets"


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def kafka_client_env() -> dict[str, Any]:
    """The Kafka client password, from the shared client Secret (the rest is in the ConfigMap)."""
    return _secret_env("DDT_KAFKA_SASL_PASSWORD", KAFKA_CLIENT_SECRET, "password")


def kafka_tls_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    """The volume and mount putting the brokers' CA where ``DDT_KAFKA_SSL_CAFILE`` points."""
    volume = {
        "name": "kafka-tls",
        "secret": {"secretName": KAFKA_CLIENT_SECRET, "items": [{"key": "ca.pem", "path": "ca.pem"}]},
    }
    return volume, {"name": "kafka-tls", "mountPath": "/etc/ddt/kafka-tls", "readOnly": True}


def service_env(service: str) -> list[dict[str, Any]]:
    """Environment of ``service``'s container: secrets by reference, the rest literal."""
    env = [_secret_env(database_url_variable(service), secret_name(service), "database-url")]
    env.append(kafka_client_env())
    env += [_secret_env(name, secret_name(service), name) for name in sorted(secret_variables(service))]
    if service == "gateway":
        env.append(_secret_env("DDT_REDIS_URL", secret_name("gateway"), "redis-url"))
        env += [
            {"name": f"DDT_GATEWAY_{s.upper()}_URL", "value": f"http://ddt-{s}:{port_of(s)}"}
            for s in SERVICES
            if s != "gateway"
        ]
    if service == "declaration":
        env += [
            {"name": "DDT_DECLARATION_CUSTOMS_TRANSPORT", "value": "directory"},
            {"name": "DDT_DECLARATION_CUSTOMS_DIRECTORY_ROOT", "value": "/var/lib/ddt/customs-exchange"},
            {"name": "DDT_DECLARATION_CUSTOMS_SIGNER", "value": "remote"},
        ]
        env += [
            _secret_env(name, secret_name(service), name)
            for name in (
                "DDT_DECLARATION_CUSTOMS_DXP_SENDER_ID",
                "DDT_DECLARATION_CUSTOMS_REMOTE_SIGNER_URL",
                "DDT_DECLARATION_CUSTOMS_SIGNER_CERTIFICATE",
            )
        ]
    return env


def deployment(service: str) -> dict[str, Any]:
    """A Deployment of ``service``: two replicas, probes, resources, non-root, read-only root."""
    port = port_of(service)
    requests, limits = RESOURCES.get(service, DEFAULT_RESOURCES)
    volumes: list[dict[str, Any]] = [{"name": "var", "emptyDir": {}}]
    mounts: list[dict[str, Any]] = [{"name": "var", "mountPath": "/app/var"}]
    kafka_volume, kafka_mount = kafka_tls_volume()
    volumes.append(kafka_volume)
    mounts.append(kafka_mount)
    if service == "declaration":
        volumes.append(
            {"name": "customs-exchange", "persistentVolumeClaim": {"claimName": "ddt-customs-exchange"}}
        )
        mounts.append({"name": "customs-exchange", "mountPath": "/var/lib/ddt/customs-exchange"})
    probe = {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5, "failureThreshold": 3}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"ddt-{service}", "labels": labels(service)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels(service)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": labels(service),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001},
                    "containers": [
                        {
                            "name": service,
                            "image": IMAGE,
                            "command": ["python", "-m", f"services.{service}", "serve", "--host", "0.0.0.0"],  # noqa: S104 — in its pod
                            "ports": [{"name": "http", "containerPort": port}],
                            "envFrom": [{"configMapRef": {"name": "ddt-platform"}}],
                            "env": service_env(service),
                            "readinessProbe": probe,
                            "livenessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "periodSeconds": 10,
                                "failureThreshold": 3,
                            },
                            "startupProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "periodSeconds": 2,
                                "failureThreshold": 60,
                            },
                            # Leave the Service's endpoints before SIGTERM, so no new request
                            # reaches a stopping pod (the cluster runner drains HAProxy alike).
                            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                            "resources": {"requests": requests, "limits": limits},
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": mounts,
                        }
                    ],
                    "volumes": volumes,
                },
            },
        },
    }


def service(name: str) -> dict[str, Any]:
    """The ClusterIP Service the gateway (or, for the gateway, the Ingress) calls."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"ddt-{name}", "labels": labels(name)},
        "spec": {
            "selector": labels(name),
            "ports": [{"name": "http", "port": port_of(name), "targetPort": "http"}],
        },
    }


def disruption_budget(name: str) -> dict[str, Any]:
    """At least one pod of every service stays up through node drains."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": f"ddt-{name}", "labels": labels(name)},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(name)}},
    }


def autoscaler(name: str) -> dict[str, Any]:
    """CPU-driven scaling for the gateway and the services with consumers."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": f"ddt-{name}", "labels": labels(name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"ddt-{name}"},
            "minReplicas": 2,
            "maxReplicas": 10 if name == "gateway" else 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
    }


def migration_job() -> dict[str, Any]:
    """``python -m deploy.migrate_all`` as each database's owner: run it before the Deployments."""
    env = [_secret_env(database_url_variable(s), secret_name(s), "owner-database-url") for s in SERVICES]
    env.append(_secret_env("DDT_IDENTITY_PUBLIC_KEY", secret_name("gateway"), "DDT_IDENTITY_PUBLIC_KEY"))
    # The platform settings it loads refuse SASL_SSL without the password, though it never
    # connects to a broker.
    env.append(kafka_client_env())
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "ddt-migrate",
            "labels": {"app.kubernetes.io/name": "ddt-migrate", "app.kubernetes.io/part-of": PART_OF},
        },
        "spec": {
            "backoffLimit": 3,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {
                    "labels": {"app.kubernetes.io/name": "ddt-migrate", "app.kubernetes.io/part-of": PART_OF}
                },
                "spec": {
                    "restartPolicy": "OnFailure",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "containers": [
                        {
                            "name": "migrate",
                            "image": IMAGE,
                            "command": ["python", "-m", "deploy.migrate_all"],
                            "envFrom": [{"configMapRef": {"name": "ddt-platform"}}],
                            "env": env,
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "256Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                            },
                        }
                    ],
                },
            },
        },
    }


def network_policies() -> list[dict[str, Any]]:
    """Nothing reaches a pod unless allowed: the gateway from outside, services from the gateway."""
    everyone = {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}
    policies: list[dict[str, Any]] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "ddt-default-deny-ingress"},
            "spec": {"podSelector": everyone, "policyTypes": ["Ingress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "ddt-gateway-from-outside"},
            "spec": {
                "podSelector": {"matchLabels": labels("gateway")},
                "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"port": port_of("gateway"), "protocol": "TCP"}]}],
            },
        },
    ]
    for name in SERVICES:
        if name == "gateway":
            continue
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"ddt-{name}-from-gateway"},
                "spec": {
                    "podSelector": {"matchLabels": labels(name)},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [{"podSelector": {"matchLabels": labels("gateway")}}],
                            "ports": [{"port": port_of(name), "protocol": "TCP"}],
                        }
                    ],
                },
            }
        )
    policies.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "ddt-metrics-from-monitoring"},
            "spec": {
                "podSelector": everyone,
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                                }
                            }
                        ],
                        "ports": [{"port": port_of(s), "protocol": "TCP"} for s in SERVICES],
                    }
                ],
            },
        }
    )
    return policies


def ingress() -> dict[str, Any]:
    """TLS terminates at the ingress controller; the certificate is the Secret ``ddt-gateway-tls``."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "ddt-gateway",
            "labels": labels("gateway"),
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "16m"},
        },
        "spec": {
            "tls": [{"hosts": ["api.diandiantong.example"], "secretName": "ddt-gateway-tls"}],
            "rules": [
                {
                    "host": "api.diandiantong.example",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "ddt-gateway", "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


def files() -> dict[str, str]:
    """File name → content of the base."""

    def dump(*docs: dict[str, Any]) -> str:
        return "# Generated by `python -m deploy.kubernetes`; do not edit by hand.\n" + "---\n".join(
            yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in docs
        )

    out = {
        "platform.yaml": dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "ddt-platform"},
                "data": PLATFORM_CONFIG,
            },
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "ddt-customs-exchange"},
                "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "20Gi"}}},
            },
        ),
        "migrate-job.yaml": dump(migration_job()),
        "network-policies.yaml": dump(*network_policies()),
        "ingress.yaml": dump(ingress()),
    }
    for name in SERVICES:
        docs = [deployment(name), service(name), disruption_budget(name)]
        if name == "gateway" or definition_of(name).consumers:
            docs.append(autoscaler(name))
        out[f"{name}.yaml"] = dump(*docs)
    resources = [
        "platform.yaml",
        "migrate-job.yaml",
        *[f"{s}.yaml" for s in SERVICES],
        "network-policies.yaml",
        "ingress.yaml",
    ]
    out["kustomization.yaml"] = (
        "# Generated by `python -m deploy.kubernetes`; do not edit by hand.\n"
        + yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": resources,
            },
            sort_keys=False,
        )
    )
    return out


def main() -> int:
    """Write the base."""
    BASE.mkdir(parents=True, exist_ok=True)
    for name, content in files().items():
        (BASE / name).write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
