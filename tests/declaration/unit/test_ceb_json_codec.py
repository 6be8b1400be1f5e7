"""JSON codec: spec names, decimals as strings, strict typing, hostile embedded XML refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.json_codec import message_from_json, message_to_json
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_codec import decode_xml, validate_model
from tests.declaration.unit.ceb_testdata import official_bytes

Linked = Callable[[str], dict[str, CebMessage]]


def order_json(linked: Linked) -> dict:
    return json.loads(json.dumps(message_to_json(linked("1210")["order"]), ensure_ascii=False))


def test_json_uses_the_spec_camel_case_names(linked: Linked) -> None:
    assert "acturalPaid" in order_json(linked)["records"][0]["head"]


def test_decimals_are_strings_in_json(linked: Linked) -> None:
    assert order_json(linked)["records"][0]["head"]["acturalPaid"] == "532.60"


def test_ints_are_json_numbers(linked: Linked) -> None:
    assert order_json(linked)["records"][0]["lines"][0]["gnum"] == 1


def test_float_amount_is_refused_with_a_pointer(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["head"]["acturalPaid"] = 532.6
    (issue,) = message_from_json(data).issues
    assert (issue.code, issue.pointer) == (codes.JSON_BAD_VALUE, "/records/0/head/acturalPaid")


def test_exponent_and_nan_decimals_are_refused(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["head"]["freight"] = "1E+2"
    data["records"][0]["head"]["discount"] = "NaN"
    assert {i.pointer for i in message_from_json(data).issues} == {
        "/records/0/head/freight",
        "/records/0/head/discount",
    }


def test_unknown_field_is_reported(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["lines"][0]["colour"] = "red"
    (issue,) = message_from_json(data).issues
    assert (issue.code, issue.pointer) == (codes.JSON_UNKNOWN_FIELD, "/records/0/lines/0/colour")


def test_boolean_is_not_an_int(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["lines"][0]["gnum"] = True
    assert message_from_json(data).issues[0].code == codes.JSON_BAD_VALUE


def test_unknown_message_type_is_reported() -> None:
    assert message_from_json({"messageType": "CEB999"}).issues[0].code == codes.XML_UNKNOWN_MESSAGE


def test_embedded_signature_with_a_doctype_is_refused(linked: Linked) -> None:
    data = order_json(linked)
    data["signature"] = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    (issue,) = message_from_json(data).issues
    assert (issue.code, issue.pointer) == (codes.XML_DOCTYPE_FORBIDDEN, "/signature")


def test_field_order_from_the_client_does_not_matter(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["head"] = dict(reversed(list(data["records"][0]["head"].items())))
    message = message_from_json(data).message
    assert message == linked("1210")["order"] and validate_model(message) == []


def test_json_built_message_with_schema_problems_is_caught_by_validate_model(linked: Linked) -> None:
    data = order_json(linked)
    data["records"][0]["head"]["orderType"] = "II"
    issue = validate_model(message_from_json(data).message)[0]
    assert (issue.code, issue.element) == (codes.SCHEMA_INVALID, "ceb:orderType")


def test_model_never_holds_floats_for_any_official_sample() -> None:
    from tests.declaration.unit.test_ceb_official_samples import VALID

    values = [v for d, c in VALID for _, v in decode_xml(official_bytes(d, c)).message.values()]
    assert values and all(isinstance(v, str | int | Decimal) and not isinstance(v, float) for v in values)
