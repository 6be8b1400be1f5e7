"""UPU EMSEVT v3 events (post and EMS), as XML.

No public schema of an XML rendering of EMSEVT is available [no source]; we take the EMSEVT
data elements an office of exchange reports, one ``<Event>`` each::

    <EMSEVT version="3">
      <Event>
        <EventID>optional, the sender's id</EventID>
        <MailitemID>EA123456785CN</MailitemID>      S10 item id (check digit verified)
        <EventCode>EMB</EventCode>
        <EventDateTime>2026-05-01T10:00:00+08:00</EventDateTime>   local time with its offset
        <Office>CNLYGA</Office>  <OfficeName>Lianyungang OE</OfficeName>
        <ReasonCode/> <ActionCode/> <RetentionCode/> <NextOffice/>
      </Event>
    </EMSEVT>

The post that reports is named by the item id's country suffix (S10: two letters, eight
digits, a check digit, the issuing country).
"""

from __future__ import annotations

import re

from services.logistics.adapters.common import check_size, refuse_time, text, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    Candidate,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.tables import table
from services.logistics.adapters.times import TimeError, offset_minutes, parse_iso
from services.logistics.adapters.xml import child_text, local, parse_xml
from shared.events.logistics import Location
from shared.xml_security import XmlLimits

_S10 = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")
_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_OFFICE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}[A-Z0-9]?$")


def s10_valid(item_id: str) -> bool:
    """True if ``item_id`` is an S10 identifier with a correct check digit."""
    match = _S10.match(item_id)
    if not match:
        return False
    total = sum(int(d) * w for d, w in zip(match[1], _WEIGHTS, strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return check == int(match[2])


def parse(body: bytes, limit: int, limits: XmlLimits) -> Parsed:
    """EMSEVT XML → candidates and per-event refusals."""
    root = parse_xml(body, limits)
    if local(root) != "EMSEVT":
        raise PushError(MALFORMED_PUSH, f"the root element is {local(root)!r}, not EMSEVT")
    events = [child for child in root if local(child) == "Event"]
    check_size(len(events), limit)
    mapping = table("upu_emsevt")
    parsed = Parsed()
    for index, element in enumerate(events):
        pointer = f"/EMSEVT/Event[{index + 1}]"
        item = (child_text(element, "MailitemID") or "").upper()
        code = (child_text(element, "EventCode") or "").upper()
        if not s10_valid(item):
            parsed.refusals.append(
                Refusal(index, f"{pointer}/MailitemID", EVENT_INVALID, f"{item!r} is not an S10 item id")
            )
            continue
        if not re.fullmatch(r"[A-Z]{3}", code):
            parsed.refusals.append(
                Refusal(index, f"{pointer}/EventCode", EVENT_INVALID, "EventCode is three letters")
            )
            continue
        try:
            occurred = parse_iso(child_text(element, "EventDateTime"))
        except TimeError as exc:
            refuse_time(parsed, index, f"{pointer}/EventDateTime", exc)
            continue
        office = (child_text(element, "Office") or "").upper()
        location = Location(
            locode=office[:5] if _OFFICE.match(office) else None,
            name=text(child_text(element, "OfficeName"), 200),
            country=office[:2] if _OFFICE.match(office) else None,
            facility_code=office[:35] or None,
        )
        reason = "/".join(
            part for part in (child_text(element, "ReasonCode"), child_text(element, "ActionCode")) if part
        )
        parsed.candidates.append(
            Candidate(
                index=index,
                pointer=pointer,
                source="upu_emsevt",
                tracking_number=item,
                occurred_at=utc(occurred),
                utc_offset_minutes=offset_minutes(occurred),
                mapped=mapping.lookup(code),
                carrier=item[-2:],
                carrier_scheme="upu",
                native_id=text(child_text(element, "EventID"), 128),
                raw_code=code,
                raw_text=f"reason/action {reason}" if reason else None,
                location=location,
            )
        )
    return parsed
