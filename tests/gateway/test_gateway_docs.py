"""Docs the gateway serves: the merged OpenAPI, Swagger UI from its own assets, problem types."""

from __future__ import annotations

from pathlib import Path

from services.gateway.docs.openapi import merge_documents
from shared.problems import CATALOGUE_EXTENSION
from tests.gateway.support import running_gateway_with_stats
from tests.support.infra import Broker


async def test_openapi_merges_the_services_paths_with_the_gateways(broker: Broker, tmp_path: Path) -> None:
    async with running_gateway_with_stats(broker.bootstrap, tmp_path) as gw:
        document = (await gw.client.get("/openapi.json")).json()
    assert "/v1/stats/summary" in document["paths"]
    assert "/v1/parties" in document["paths"] and "/oauth/token" in document["paths"]
    assert "ddtSignature" in document["components"]["securitySchemes"]
    assert "declaration" in document["x-ddt-unavailable"]


def test_same_schema_name_with_different_shapes_is_renamed_per_service() -> None:
    gateway = {"paths": {}, "components": {"schemas": {"Item": {"type": "string"}}}}
    stats = {
        "paths": {"/v1/stats/x": {"get": {"$ref": "#/components/schemas/Item"}}},
        "components": {"schemas": {"Item": {"type": "integer"}}},
    }
    merged = merge_documents(gateway, {"stats": stats})
    assert merged["components"]["schemas"]["StatsItem"] == {"type": "integer"}
    assert merged["paths"]["/v1/stats/x"]["get"]["$ref"] == "#/components/schemas/StatsItem"


async def test_swagger_ui_is_served_from_the_platform_itself(gateway) -> None:  # type: ignore[no-untyped-def]
    page = await gateway.client.get("/docs")
    assert page.status_code == 200
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN: every asset is relative
    for asset in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css", "/docs/init.js"):
        assert (await gateway.client.get(asset)).status_code == 200
    assert (await gateway.client.get("/docs/static/../../settings.py")).status_code == 404


async def test_every_problem_code_is_documented_at_its_type_uri(gateway) -> None:  # type: ignore[no-untyped-def]
    refused = await gateway.call("GET", "/v1/parties/me", None)
    doc = await gateway.client.get(refused.json()["type"])
    assert doc.json()["code"] == "auth.missing_header"
    assert doc.json()["status"] == 401
    catalogue = {p["code"] for p in (await gateway.client.get("/problems")).json()}
    assert {"idempotency.payload_mismatch", "rate.limited", "upstream.circuit_open"} <= catalogue


def test_the_merged_document_lists_the_problem_types_of_every_service() -> None:
    entry = {"code": "stats.only_here", "status": 422, "title": "t", "description": "", "type": "/problems/x"}
    shared = {"code": "request.malformed_json", "status": 400, "title": "Malformed JSON body"}
    gateway = {"paths": {}, CATALOGUE_EXTENSION: [shared]}
    merged = merge_documents(gateway, {"stats": {"paths": {}, CATALOGUE_EXTENSION: [entry, shared]}})
    assert [e["code"] for e in merged[CATALOGUE_EXTENSION]] == ["request.malformed_json", "stats.only_here"]


async def test_a_service_document_lists_the_problem_types_it_declares(broker: Broker, tmp_path: Path) -> None:
    async with running_gateway_with_stats(broker.bootstrap, tmp_path) as gw:
        stats_url = gw.settings.stats_url
        document = (await gw.client.get(f"{stats_url}/openapi.json")).json()
    assert "stats.assessment_invalid" in {e["code"] for e in document[CATALOGUE_EXTENSION]}


def test_the_merged_document_declares_the_problems_every_operation_can_answer() -> None:
    # Found by the fuzzer (tests/fuzz, ST103/ST105): the gateway's 401/403/429 and the shared
    # handlers' problem+json 422 were answered on operations that did not declare them.
    service = {
        "paths": {
            "/v1/stats/things/{thing_id}": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {
                        "200": {"description": "ok"},
                        "422": {
                            "description": "Validation Error",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/HTTPValidationError"}
                                }
                            },
                        },
                    },
                }
            }
        }
    }
    merged = merge_documents({"paths": {}}, {"stats": service})
    responses = merged["paths"]["/v1/stats/things/{thing_id}"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422", "429", "503"} <= set(responses)
    assert set(responses["422"]["content"]) == {"application/problem+json"}
    assert "ProblemDetails" in merged["components"]["schemas"]
    assert "FieldError" in merged["components"]["schemas"]
