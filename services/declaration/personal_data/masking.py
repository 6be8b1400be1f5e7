"""Masking of personal data before it goes into any report, log or receipt.

Names, phone numbers, identity numbers, platform registration numbers and
addresses of buyers, payers and consignees are personal information under
PIPL; reports keep just enough to let an operator recognise the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.declaration.ceb.model import FieldValue


def mask_name(value: str) -> str:
    """Keep the first character: ``张三丰`` → ``张**``."""
    value = value.strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: ``13812345678`` → ``138****5678``."""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """Keep the first 4 and last 4 characters of an identity number."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first 6 characters (province/city), hide the rest."""
    value = value.strip()
    return value[:6] + "***" if len(value) > 6 else value[:2] + "***"


PERSONAL_FIELDS: Mapping[str, Callable[[str], str]] = {
    "buyerName": mask_name,
    "payerName": mask_name,
    "consignee": mask_name,
    "buyerTelephone": mask_phone,
    "consigneeTelephone": mask_phone,
    "telephone": mask_phone,
    "buyerIdNumber": mask_id_number,
    "payerIdNumber": mask_id_number,
    "buyerRegNo": mask_id_number,
    "consigneeAddress": mask_address,
}


def is_personal(field_name: str) -> bool:
    """True for fields that carry personal data."""
    return field_name in PERSONAL_FIELDS


def masked(field_name: str, value: FieldValue | None) -> str | None:
    """Display form of a field value, masked when the field is personal."""
    if value is None:
        return None
    text = format(value, "f") if not isinstance(value, str | int) else str(value)
    masker = PERSONAL_FIELDS.get(field_name)
    return masker(text) if masker else text
