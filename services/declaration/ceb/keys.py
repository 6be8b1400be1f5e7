"""Natural keys of CEB records, for duplicate detection and document linking.

Keys are pure functions of one record.  ``document_key`` identifies the
record itself (what a duplicate check must look up); ``link_keys`` gives the
keys by which it refers to the other documents of the same transaction:

* ``order``     (ebpCode, orderNo) — orderNo is unique per platform (XSD);
* ``waybill``   (logisticsCode, logisticsNo);
* ``payment``   (payCode, payTransactionId);
* ``inventory`` (agentCode, copNo), and ``invtNo`` once customs assigned it.

Duplicate orders are customs ``-301010``, payments ``-401007``, waybills
``-504012``, inventories ``-621004``; the service owns the store, so it raises
those codes itself after looking the key up.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.model import Fields, Record

_LINKS: dict[str, tuple[str, ...]] = {
    "order": ("ebpCode", "orderNo"),
    "waybill": ("logisticsCode", "logisticsNo"),
    "payment": ("payCode", "payTransactionId"),
    "inventory": ("agentCode", "copNo"),
    "invtNo": ("invtNo",),
}
DUPLICATE_CODES = {
    "CEB311": "-301010",
    "CEB303": "-301010",
    "CEB411": "-401007",
    "CEB511": "-504012",
    "CEB505": "-504012",
    "CEB621": "-621004",
    "CEB603": "-621004",
    "CEB625": "-625033",
}


@dataclass(frozen=True, slots=True, order=True)
class NaturalKey:
    """A typed, hashable key: ``kind`` plus the key field values in a fixed order."""

    kind: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.kind}:" + "+".join(self.parts)


def document_key(message_type: str, record: Record) -> NaturalKey:
    """The key identifying ``record`` itself (catalogue ``key_fields``)."""
    spec = spec_for(message_type)
    if spec is None:
        raise KeyError(f"unknown message type {message_type!r}")
    return NaturalKey(spec.code, tuple(str(record.head.get(name, "")) for name in spec.key_fields))


def link_keys(record: Record) -> dict[str, NaturalKey]:
    """Every cross-document key the record carries (only those fully present)."""
    return {
        kind: key for kind, names in _LINKS.items() if (key := _key(kind, names, record.head)) is not None
    }


def order_key(record: Record) -> NaturalKey | None:
    """(ebpCode, orderNo), if the record has both."""
    return _key("order", _LINKS["order"], record.head)


def waybill_key(record: Record) -> NaturalKey | None:
    """(logisticsCode, logisticsNo), if the record has both."""
    return _key("waybill", _LINKS["waybill"], record.head)


def _key(kind: str, names: tuple[str, ...], head: Fields) -> NaturalKey | None:
    values = tuple(str(head.get(name, "")).strip() for name in names)
    return NaturalKey(kind, values) if all(values) else None
