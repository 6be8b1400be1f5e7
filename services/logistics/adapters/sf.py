"""SF Express route pushes (RoutePushService ``WaybillRoute``), XML or JSON.

XML: ``<Request service="RoutePushService"><Body><WaybillRoute id mailno orderid acceptTime
acceptAddress remark opCode reasonCode reasonName/></Body></Request>``; JSON: the same
attributes under ``{"Body": {"WaybillRoute": [...]}}`` (or a bare ``WaybillRoute`` list).
opCodes are coarse, so the remark's phrase is looked up when the opCode is not in the
table. SF writes China Standard Time.
"""

from __future__ import annotations

from typing import Any

from services.logistics.adapters.common import check_size, load_json, refuse_time, text, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    Candidate,
    Mapped,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.tables import MappingTable, table
from services.logistics.adapters.times import BEIJING, TimeError, offset_minutes, parse_local
from services.logistics.adapters.xml import local, parse_xml
from shared.events.logistics import Location
from shared.xml_security import XmlLimits


def _routes_xml(body: bytes, limits: XmlLimits) -> list[dict[str, Any]]:
    root = parse_xml(body, limits)
    if local(root) != "Request":
        raise PushError(MALFORMED_PUSH, f"the root element is {local(root)!r}, not Request")
    return [dict(el.attrib) for el in root.iter() if isinstance(el.tag, str) and local(el) == "WaybillRoute"]


def _routes_json(body: bytes) -> list[Any]:
    data = load_json(body)
    if isinstance(data, dict):
        data = (
            (data.get("Body") or data).get("WaybillRoute")
            if isinstance(data.get("Body") or data, dict)
            else None
        )
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise PushError(MALFORMED_PUSH, "expected Body.WaybillRoute", "/Body/WaybillRoute")
    return data


def mapped_route(mapping: MappingTable, op_code: str | None, remark: str | None) -> Mapped:
    """The opCode's row, else the first remark phrase found, else the fallback."""
    found = mapping.find(f"op:{op_code}") if op_code else None
    if found is not None:
        return found
    for key in sorted(mapping.keys):
        if key.startswith("text:") and remark and key[5:] in remark:
            return mapping.rows[key].mapped
    return mapping.lookup()


def parse(body: bytes, limit: int, limits: XmlLimits, *, xml: bool) -> Parsed:
    """SF route push → candidates and per-route refusals."""
    routes = _routes_xml(body, limits) if xml else _routes_json(body)
    check_size(len(routes), limit)
    mapping = table("sf")
    parsed = Parsed()
    for index, route in enumerate(routes):
        pointer = f"/Body/WaybillRoute/{index}"
        if not isinstance(route, dict) or not text(route.get("mailno"), 64):
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, "mailno is required"))
            continue
        try:
            occurred = parse_local(route.get("acceptTime"), BEIJING)
        except TimeError as exc:
            refuse_time(parsed, index, f"{pointer}/acceptTime", exc)
            continue
        op_code = text(route.get("opCode"), 8)
        remark = text(route.get("remark"), 500)
        place = text(route.get("acceptAddress"), 200)
        order = text(route.get("orderid"), 64)
        parsed.candidates.append(
            Candidate(
                index=index,
                pointer=pointer,
                source="sf",
                tracking_number=str(route["mailno"]).strip()[:64],
                occurred_at=utc(occurred),
                utc_offset_minutes=offset_minutes(occurred),
                mapped=mapped_route(mapping, op_code, remark),
                carrier="SF",
                carrier_scheme="sf",
                native_id=text(route.get("id"), 128),
                raw_code=op_code,
                raw_text=remark,
                location=Location(name=place) if place else None,
                numbers=(("shipper_order", order),) if order else (),
            )
        )
    return parsed
