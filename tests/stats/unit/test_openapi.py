"""The stats OpenAPI documents every answer, and its examples are answers the models accept."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from pydantic import BaseModel

from services.stats.app import create_app
from services.stats.exports.render import CSV_TYPE, XLSX_TYPE

SCHEMA_MODULES = [
    "services.stats.admin.schemas",
    "services.stats.exchange_rates.schemas",
    "services.stats.facts.schemas",
    "services.stats.queries.schemas",
    "services.stats.rewards.runs.schemas",
]


def _examples() -> list[tuple[str, type[BaseModel], dict[str, Any]]]:
    found = []
    for name in SCHEMA_MODULES:
        for _, model in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if not issubclass(model, BaseModel) or model.__module__ != name:
                continue
            extra = model.model_config.get("json_schema_extra")
            for example in (extra or {}).get("examples", []) if isinstance(extra, dict) else []:
                found.append((f"{model.__name__}", model, example))
    return found


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    schema: dict[str, Any] = create_app().openapi()
    return schema


def test_every_response_model_of_an_answer_has_an_example(openapi: dict[str, Any]) -> None:
    answered = {
        content["schema"]["$ref"].rsplit("/", 1)[1]
        for operations in openapi["paths"].values()
        for operation in operations.values()
        for status, response in operation.get("responses", {}).items()
        if str(status).startswith("2")
        for content in (response.get("content") or {}).values()
        if "$ref" in content.get("schema", {})
    }
    with_example = {name for name, _model, _example in _examples()}
    ours = {
        model.__name__
        for name in SCHEMA_MODULES
        for _, model in inspect.getmembers(importlib.import_module(name), inspect.isclass)
        if issubclass(model, BaseModel) and model.__module__ == name
    }
    assert sorted((answered & ours) - with_example) == []


@pytest.mark.parametrize(
    ("name", "model", "example"), _examples(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_an_example_is_an_answer_its_model_accepts(
    name: str, model: type[BaseModel], example: dict[str, Any]
) -> None:
    assert model.model_validate(example).model_dump(by_alias=True, exclude_unset=True) == example


def test_a_table_route_documents_its_json_csv_and_xlsx_answers(openapi: dict[str, Any]) -> None:
    for path in ("/v1/stats/totals", "/v1/stats/rankings/{what}", "/v1/stats/rewards/runs/{run_id}/amounts"):
        content = openapi["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ResultTableOut"}
        assert set(content) == {"application/json", CSV_TYPE, XLSX_TYPE}


def test_a_run_step_documents_its_answer_and_its_refusals(openapi: dict[str, Any]) -> None:
    responses = openapi["paths"]["/v1/stats/rewards/runs/{run_id}/publish"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RunOut"
    }
    assert {"401", "403", "404", "409", "422"} <= set(responses)
