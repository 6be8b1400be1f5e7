"""Which fields of a record are personal, and how a record is split, merged and masked.

The personal fields are the ones :mod:`services.declaration.personal_data.masking` knows
(buyer, payer and consignee names, phones, ID numbers, registration numbers and
addresses); in the 202205 edition they only ever occur in a record's head. A stored
record keeps its head without them; they travel in one sealed blob beside it.
"""

from __future__ import annotations

from typing import Any

from services.declaration.personal_data.masking import PERSONAL_FIELDS, masked

JsonRecord = dict[str, Any]


def split_personal(head: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(head without personal fields, the personal fields) — both JSON-able."""
    clean = {name: value for name, value in head.items() if name not in PERSONAL_FIELDS}
    personal = {name: str(value) for name, value in head.items() if name in PERSONAL_FIELDS}
    return clean, personal


def merge_personal(record: JsonRecord, personal: dict[str, str], head_order: list[str]) -> JsonRecord:
    """The record with its personal fields put back, head fields in XSD order."""
    head = {**record.get("head", {}), **personal}
    ordered = {name: head[name] for name in head_order if name in head}
    return {**record, "head": ordered}


def mask_record(record: JsonRecord, personal: dict[str, str], head_order: list[str]) -> JsonRecord:
    """The record with masked personal values (for anyone but the filer)."""
    shown = {name: masked(name, value) for name, value in personal.items()}
    return merge_personal(record, {k: v for k, v in shown.items() if v is not None}, head_order)


def is_personal(field_name: str) -> bool:
    """True for fields never stored, logged or published in clear."""
    return field_name in PERSONAL_FIELDS
