"""The declaration OpenAPI: a CEB311 filing's examples are real, the old cursor names documented."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.declaration.app import create_app
from services.declaration.ceb.receipt_events import events_from_message
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.intake.examples import CEB311_ANSWER, CEB311_JSON, CEB311_XML, CEB312_RECEIPT
from services.declaration.intake.parsing import parse_json
from services.declaration.intake.schemas import FilingAnswer
from services.declaration.prechecks.rules import check_message


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    schema: dict[str, Any] = create_app().openapi()
    return schema


def test_the_xml_example_is_a_schema_and_business_valid_ceb311() -> None:
    decoded = decode_xml(CEB311_XML.encode())
    assert decoded.ok and decoded.message is not None
    assert [i for i in check_message(decoded.message) if i.is_error] == []


def test_the_json_example_is_the_same_message() -> None:
    body = json.dumps(CEB311_JSON, ensure_ascii=False).encode()
    parsed = parse_json(body, "CEB311", XmlLimits(), platform_signs=True)
    decoded = decode_xml(CEB311_XML.encode())
    assert parsed.ok and parsed.message is not None and decoded.message is not None
    assert parsed.message.records == decoded.message.records


def test_the_answer_examples_are_a_valid_answer_and_an_xsd_valid_ceb312() -> None:
    answer = FilingAnswer.model_validate(CEB311_ANSWER)
    assert (
        answer.accepted and answer.records[0].keys["orderNo"] == CEB311_JSON["records"][0]["head"]["orderNo"]
    )
    receipt = decode_xml(CEB312_RECEIPT.encode())
    assert receipt.ok and receipt.message is not None
    assert [event.return_status for event in events_from_message(receipt.message)] == ["2"]


def test_the_ceb311_resource_shows_both_formats_of_request_and_answer(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/v1/customs/import/orders"]["post"]
    body = operation["requestBody"]["content"]
    assert body["application/xml"]["example"] == CEB311_XML
    assert body["application/json"]["example"] == CEB311_JSON
    answer = operation["responses"]["200"]["content"]
    assert answer["application/json"] == {
        "schema": {"$ref": "#/components/schemas/FilingAnswer"},
        "example": CEB311_ANSWER,
    }
    assert answer["application/xml"]["example"] == CEB312_RECEIPT
    assert openapi["components"]["schemas"]["FilingAnswer"]["examples"] == [CEB311_ANSWER]


def test_the_old_cursor_names_are_documented_as_deprecated(openapi: dict[str, Any]) -> None:
    for path, old in (("/v1/customs/documents", "before"), ("/v1/customs/changes", "after")):
        parameters = {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"]}
        assert parameters[old].get("deprecated") is True and "cursor" in parameters


def test_every_resource_shows_its_worked_examples(openapi: dict[str, Any]) -> None:
    from services.declaration.documents.kinds import all_types
    from services.declaration.intake.examples import answer_example, json_example, xml_example

    for doc_type in all_types():
        operation = openapi["paths"][doc_type.path]["post"]
        body = operation["requestBody"]["content"]
        assert body["application/json"]["example"] == json_example(doc_type.message_type)
        assert body["application/xml"]["example"] == xml_example(doc_type.message_type)
        assert body["application/json"]["schema"]["properties"]["baseTransfer"]
        answer = operation["responses"]["200"]["content"]["application/json"]["example"]
        assert answer == answer_example(doc_type.message_type)
    generic = openapi["paths"]["/v1/customs/messages"]["post"]["requestBody"]["content"]
    assert set(generic["application/xml"]["examples"]) == {t.message_type for t in all_types()}
