"""Prometheus and the Grafana dashboards checked against the code that exports the metrics."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from deploy.catalogue import SERVICES, port_of
from deploy.monitoring.dashboards import FOLDER, render
from tests.deploy.support import ROOT

MONITORING = ROOT / "deploy" / "monitoring"
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exported_series() -> set[str]:
    """Every series name the code registers (shared.metrics and the services' own)."""
    for service in SERVICES:
        importlib.import_module(f"services.{service}.app")
    names: set[str] = set()
    for family in REGISTRY.collect():
        for suffix in _SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def panel_metrics(dashboard: dict[str, Any]) -> set[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    return {m for e in exprs for m in re.findall(r"\b(ddt_[a-z_]+)", e)}


@pytest.mark.parametrize("service", SERVICES)
def test_every_metric_a_dashboard_panel_names_is_exported_by_the_code(service: str) -> None:
    dashboard = json.loads((FOLDER / f"{service}.json").read_text())
    named = panel_metrics(dashboard)
    assert named and named - exported_series() == set()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_provisioned_dashboard_as_generated(service: str) -> None:
    assert (FOLDER / f"{service}.json").read_text() == render(service)


@pytest.mark.parametrize("service", SERVICES)
def test_the_dashboard_shows_traffic_errors_latency_outbox_consumers_and_dead_letters(service: str) -> None:
    titles = [p["title"] for p in json.loads((FOLDER / f"{service}.json").read_text())["panels"]]
    assert titles == ["Request rate", "Errors", "Latency", "Outbox lag", "Consumer lag", "Dead letters"]


def test_every_alert_names_exported_metrics() -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    named = {m for r in rules for m in re.findall(r"\b(ddt_[a-z_]+)", r["expr"])}
    assert named - exported_series() == set()


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert {
        s: (jobs[s]["dns_sd_configs"][0]["names"], jobs[s]["dns_sd_configs"][0]["port"]) for s in SERVICES
    } == {s: ([s], port_of(s)) for s in SERVICES}


def test_grafana_provisions_the_datasource_the_dashboards_name() -> None:
    source = yaml.safe_load((MONITORING / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uids = {
        t["datasource"]["uid"]
        for s in SERVICES
        for p in json.loads((FOLDER / f"{s}.json").read_text())["panels"]
        for t in p["targets"]
    }
    assert uids == {source["datasources"][0]["uid"]}


def test_compose_mounts_the_monitoring_files_that_exist() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = [
        v.split(":")[0]
        for name in ("prometheus", "grafana")
        for v in compose["services"][name]["volumes"]
        if v.startswith("./")
    ]
    assert [m for m in mounts if not (ROOT / m).exists()] == []
