"""The catalogue covers the whole 202205 edition and is derived from the XSDs."""

from __future__ import annotations

import pytest

from services.declaration.ceb.catalogue import CATALOGUE, Direction, Role, SignatureRule, spec_for
from services.declaration.ceb.xsd_fields import SchemaEdition, ValueKind, root_names

ENTERPRISE_IMPORT = ["311", "411", "511", "513", "621", "623", "625", "711"]
ENTERPRISE_EXPORT = ["303", "403", "505", "507", "509", "603", "605", "607", "213", "215", "701"]
CUSTOMS_SENT = [
    "312",
    "412",
    "512",
    "514",
    "622",
    "624",
    "626",
    "712",
    "816",
    "818",
    "900",
    "304",
    "404",
    "506",
    "508",
    "510",
    "604",
    "606",
    "608",
    "702",
    "214",
    "216",
    "792",
]


def test_catalogue_lists_exactly_the_messages_the_xsds_declare() -> None:
    declared = {name.removesuffix("Message") for edition in SchemaEdition for name in root_names(edition)}
    assert (
        set(CATALOGUE)
        == declared
        == {f"CEB{c}" for c in ENTERPRISE_IMPORT + ENTERPRISE_EXPORT + CUSTOMS_SENT}
    )


@pytest.mark.parametrize("code", ENTERPRISE_IMPORT + ENTERPRISE_EXPORT)
def test_every_declaration_has_a_receipt_that_answers_it(code: str) -> None:
    spec = spec_for(f"CEB{code}")
    assert spec.role is Role.DECLARATION and spec_for(spec.answered_by).answers == spec.code


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_every_key_field_exists_in_the_record_head(code: str) -> None:
    spec = CATALOGUE[code]
    assert set(spec.key_fields) <= set(spec.head_field_map)


def test_inventory_621_requires_a_signature_and_311_does_not() -> None:
    assert (spec_for("CEB621").signature, spec_for("CEB311").signature) == (
        SignatureRule.REQUIRED,
        SignatureRule.OPTIONAL,
    )


def test_export_xsd_places_signature_before_extend_message() -> None:
    assert [c.name for c in spec_for("CEB603").trailer][-2:] == ["ds:Signature", "ExtendMessage"]


def test_import_xsd_places_signature_last() -> None:
    assert [c.name for c in spec_for("CEB311").trailer][-1] == "ds:Signature"


def test_record_structure_is_derived_from_the_xsd() -> None:
    order = spec_for("CEB311")
    assert (order.record_element, order.head_element, order.list_element) == (
        "Order",
        "OrderHead",
        "OrderList",
    )


def test_flat_records_have_no_head_element() -> None:
    assert (spec_for("CEB513").record_element, spec_for("CEB513").head_element) == ("LogisticsStatus", None)


def test_field_types_come_from_the_xsd() -> None:
    fields = spec_for("CEB311").head_field_map
    assert (fields["acturalPaid"].kind, fields["acturalPaid"].notation, fields["orderNo"].notation) == (
        ValueKind.DECIMAL,
        "N19,5",
        "C1..60",
    )


def test_directions_are_import_export_or_both_for_ceb900() -> None:
    assert (spec_for("CEB621").direction, spec_for("CEB603").direction, spec_for("CEB900").direction) == (
        Direction.IMPORT,
        Direction.EXPORT,
        Direction.BOTH,
    )


def test_time_fields_know_their_format_from_the_annotations() -> None:
    assert spec_for("CEB304").head_field_map["returnTime"].time_format.value == "YYYYMMDDhhmmssSSS"


def test_lookup_accepts_code_or_root_name() -> None:
    assert spec_for("CEB311Message") is spec_for("CEB311") and spec_for("CEB999") is None
