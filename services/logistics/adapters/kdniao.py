"""Kdniao (快递鸟) track pushes (instruction 101), JSON or ``RequestData=`` form-encoded.

``{"EBusinessID", "PushTime", "Count", "Data": [{"ShipperCode", "LogisticCode", "OrderCode",
"State", "StateEx", "Traces": [{"AcceptTime", "AcceptStation", "Location", "Action"}]}]}``.
Each trace is an event; its ``Action`` (a StateEx code) is looked up, and a trace without
one is the parcel's ``StateEx``/``State`` when it is the latest, else plain "in transit".
Kdniao writes China Standard Time without a zone; an explicit offset wins.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from services.logistics.adapters.common import check_size, load_json, refuse_time, text, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    Candidate,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.tables import table
from services.logistics.adapters.times import BEIJING, TimeError, offset_minutes, parse_local
from shared.events.logistics import Location


def _body(body: bytes, form: bool) -> Any:
    if not form:
        return load_json(body)
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PushError(MALFORMED_PUSH, f"not a form body: {exc}") from None
    if "RequestData" not in fields:
        raise PushError(MALFORMED_PUSH, "the form has no RequestData field", "/RequestData")
    return load_json(fields["RequestData"][0].encode())


def parse(body: bytes, limit: int, *, form: bool = False) -> Parsed:
    """A Kdniao push → candidates (one per trace) and per-trace refusals."""
    data = _body(body, form)
    parcels = data.get("Data") if isinstance(data, dict) else None
    if not isinstance(parcels, list):
        raise PushError(MALFORMED_PUSH, "a Kdniao push has a Data list", "/Data")
    check_size(sum(len(p.get("Traces") or []) for p in parcels if isinstance(p, dict)), limit)
    mapping = table("kdniao")
    parsed = Parsed()
    index = 0
    for p, parcel in enumerate(parcels):
        if not isinstance(parcel, dict) or not isinstance(parcel.get("Traces") or [], list):
            parsed.refusals.append(
                Refusal(index, f"/Data/{p}", EVENT_INVALID, "a parcel is an object with Traces")
            )
            index += 1
            continue
        number = text(parcel.get("LogisticCode"), 64)
        traces = parcel.get("Traces") or []
        for t, trace in enumerate(traces):
            pointer = f"/Data/{p}/Traces/{t}"
            if number is None or not isinstance(trace, dict):
                parsed.refusals.append(
                    Refusal(index, pointer, EVENT_INVALID, "LogisticCode and the trace are required")
                )
                index += 1
                continue
            try:
                occurred = parse_local(trace.get("AcceptTime"), BEIJING)
            except TimeError as exc:
                refuse_time(parsed, index, f"{pointer}/AcceptTime", exc)
                index += 1
                continue
            action = text(trace.get("Action"), 8)
            latest = t == len(traces) - 1
            code = action or (
                text(parcel.get("StateEx"), 8) or text(parcel.get("State"), 8) if latest else "2"
            )
            place = text(trace.get("Location"), 200)
            parsed.candidates.append(
                Candidate(
                    index=index,
                    pointer=pointer,
                    source="kdniao",
                    tracking_number=number,
                    occurred_at=utc(occurred),
                    utc_offset_minutes=offset_minutes(occurred),
                    mapped=mapping.lookup(code),
                    carrier=text(parcel.get("ShipperCode"), 16),
                    carrier_scheme="kdniao",
                    raw_code=code,
                    raw_text=text(trace.get("AcceptStation"), 500),
                    location=Location(name=place, country="CN") if place else None,
                    numbers=(("shipper_order", str(parcel["OrderCode"])[:64]),)
                    if text(parcel.get("OrderCode"), 64)
                    else (),
                )
            )
            index += 1
    return parsed
