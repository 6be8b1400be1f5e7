"""Plain test-data helpers of the exchange tests (a module, so it cannot clash with conftests)."""

from __future__ import annotations

from pathlib import Path

from services.declaration.ceb.model import CebMessage, ExtendMessage
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from tests.declaration.unit.ceb_testdata import inventory_message, official_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def unsigned_inventory(trade_mode: str = "9610", app_status: str = "2") -> bytes:
    """A linked CEB621 (from the CEB core's test data) without its placeholder signature."""
    message = inventory_message(trade_mode)
    message.signature = None
    message.records[0].head["appStatus"] = app_status
    return encode_xml(message)


def export_return_with_extend_message() -> bytes:
    """The official CEB213 sample plus an ExtendMessage, to check export signature placement."""
    decoded = decode_xml(official_bytes("export", "CEB213"))
    assert decoded.message is not None
    message: CebMessage = decoded.message
    message.signature = None
    message.extend_message = ExtendMessage(name="ddt", version="1.0", message="<note>x</note>")
    return encode_xml(message)


def sign_inventory(message: CebMessage, signer: object) -> bytes:
    """Encode a CEB621 without its placeholder signature and sign it."""
    message.signature = None
    return signer.sign_now(encode_xml(message))  # type: ignore[attr-defined]
