"""The internal document model of a CEB message.

A parsed message is its type, the root ``guid``/``version`` attributes, a list
of business records, and the transport blocks kept verbatim.  Each record is a
``head`` mapping (or, for flat records such as ``LogisticsStatus`` and all
receipts, the record's own fields) plus zero or more ``lines``.  Field names
are the XSD's own camelCase names (``acturalPaid``, ``POD`` …) and values are
typed by the XSD: :class:`~decimal.Decimal` for ``xs:decimal`` — never
``float`` —, ``int`` for ``xs:int``, ``str`` for everything else.  A missing
optional element is a missing key; an empty element is ``""``.

``ds:Signature`` and the ``ExtendMessage/Message`` payload are kept as
serialized XML.  Note that a signature only verifies against the bytes that
were signed: a message regenerated from the model is XSD-valid and carries the
same ``ds:Signature`` element, but the service should keep the original bytes
of signed messages for forwarding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from services.declaration.ceb.catalogue import MessageSpec, spec_for

FieldValue = str | int | Decimal
Fields = dict[str, FieldValue]


@dataclass(slots=True)
class Record:
    """One business record: head fields plus list lines (empty for head-only records)."""

    head: Fields
    lines: list[Fields] = field(default_factory=list)


@dataclass(slots=True)
class ExtendMessage:
    """The ``ExtendMessage`` block; ``message`` is the serialized child of ``<Message>``."""

    name: str
    version: str
    message: str | None = None


@dataclass(slots=True)
class CebMessage:
    """A whole CEB message, as the XML and JSON codecs exchange it."""

    message_type: str
    guid: str
    version: str
    records: list[Record]
    base_transfer: Fields | None = None
    base_subscribe: list[Fields] = field(default_factory=list)
    extend_message: ExtendMessage | None = None
    signature: str | None = None

    @property
    def spec(self) -> MessageSpec:
        """The catalogue entry of this message's type."""
        spec = spec_for(self.message_type)
        if spec is None:
            raise KeyError(f"unknown message type {self.message_type!r}")
        return spec

    def values(self) -> Iterator[tuple[str, FieldValue]]:
        """Every (JSON pointer, value) pair in the message, for audits and property tests."""
        for index, record in enumerate(self.records):
            for name, value in record.head.items():
                yield f"/records/{index}/head/{name}", value
            for line_index, line in enumerate(record.lines):
                for name, value in line.items():
                    yield f"/records/{index}/lines/{line_index}/{name}", value
        for name, value in (self.base_transfer or {}).items():
            yield f"/baseTransfer/{name}", value
        for index, block in enumerate(self.base_subscribe):
            for name, value in block.items():
                yield f"/baseSubscribe/{index}/{name}", value


def head_pointer(record_index: int, name: str) -> str:
    """JSON pointer to a head field: ``/records/0/head/acturalPaid``."""
    return f"/records/{record_index}/head/{name}"


def line_pointer(record_index: int, line_index: int, name: str) -> str:
    """JSON pointer to a line field: ``/records/0/lines/1/totalPrice``."""
    return f"/records/{record_index}/lines/{line_index}/{name}"
