"""Aggregator webhooks relayed to the platform: AfterShip and 17TRACK.

* AfterShip ``tracking_update``: ``msg`` is the tracking (``tracking_number``, ``slug``,
  ``checkpoints[]`` with ``checkpoint_time``, ``tag``, ``subtag``, ``message``, ``location``,
  ``country_region``/``country_iso3``, ``raw_tag``; ``expected_delivery`` or
  ``aftership_estimated_delivery_date``). Each checkpoint is an event; its sub-tag is looked
  up, then its tag.
* 17TRACK ``TRACKING_UPDATED``: ``data`` (one or a list) with ``number``, ``carrier``,
  ``track_info.tracking.providers[].events[]`` (``time_iso``, ``description``, ``location``,
  ``stage``, ``sub_status``, ``address``) and ``time_metrics.estimated_delivery_date
  {from, to}`` (an ETA range). Each provider event is an event; ``misc_info.local_number``
  (the last-mile carrier's number) is kept as another number of the parcel.

Their times carry offsets (checkpoint_time is carrier-local: without an offset it is refused).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
from services.logistics.adapters.times import TimeError, offset_minutes, parse_iso
from shared.events.logistics import Location

_ISO3_TO_2 = {
    "CHN": "CN",
    "KOR": "KR",
    "JPN": "JP",
    "USA": "US",
    "DEU": "DE",
    "GBR": "GB",
    "FRA": "FR",
    "NLD": "NL",
    "BEL": "BE",
    "RUS": "RU",
    "KAZ": "KZ",
    "POL": "PL",
    "ITA": "IT",
    "ESP": "ES",
    "SGP": "SG",
    "HKG": "HK",
    "THA": "TH",
    "MYS": "MY",
    "VNM": "VN",
    "AUS": "AU",
    "CAN": "CA",
    "ARE": "AE",
    "UZB": "UZ",
    "BLR": "BY",
}


def _country(value: Any) -> str | None:
    code = text(value, 3)
    if code is None:
        return None
    code = code.upper()
    return code if len(code) == 2 and code.isalpha() else _ISO3_TO_2.get(code)


def _eta(start: Any, end: Any) -> tuple[dt.datetime, dt.datetime] | None:
    """An ETA range from two ISO times (or dates: the whole day, UTC)."""

    def one(value: Any, last: bool) -> dt.datetime | None:
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip()
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time.max if last else dt.time.min, dt.UTC)
        return utc(parse_iso(value))

    try:
        earliest, latest = one(start, False), one(end if end else start, True)
    except (TimeError, ValueError):
        return None
    if earliest is None or latest is None or latest < earliest:
        return None
    return earliest, latest


def parse_aftership(body: bytes, limit: int) -> Parsed:
    """An AfterShip webhook → one candidate per checkpoint."""
    data = load_json(body)
    msg = data.get("msg") if isinstance(data, dict) else None
    if not isinstance(msg, dict) or not isinstance(msg.get("checkpoints", []), list):
        raise PushError(MALFORMED_PUSH, "an AfterShip webhook has msg.checkpoints", "/msg")
    number = text(msg.get("tracking_number"), 64)
    if number is None:
        raise PushError(MALFORMED_PUSH, "msg.tracking_number is required", "/msg/tracking_number")
    checkpoints = msg.get("checkpoints") or []
    check_size(len(checkpoints), limit)
    estimate = msg.get("aftership_estimated_delivery_date") or {}
    eta = _eta(
        estimate.get("estimated_delivery_date_min") or msg.get("expected_delivery"),
        estimate.get("estimated_delivery_date_max") or msg.get("expected_delivery"),
    )
    mapping = table("aftership")
    parsed = Parsed()
    last_mile: dict[str, Any] = msg["last_mile"] if isinstance(msg.get("last_mile"), dict) else {}
    numbers = (
        (("last_mile", str(last_mile["tracking_number"])[:64]),)
        if text(last_mile.get("tracking_number"), 64)
        else ()
    )
    for index, checkpoint in enumerate(checkpoints):
        pointer = f"/msg/checkpoints/{index}"
        if not isinstance(checkpoint, dict):
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, "a checkpoint is an object"))
            continue
        try:
            occurred = parse_iso(checkpoint.get("checkpoint_time"))
        except TimeError as exc:
            refuse_time(parsed, index, f"{pointer}/checkpoint_time", exc)
            continue
        tag, subtag = text(checkpoint.get("tag"), 32), text(checkpoint.get("subtag"), 40)
        place = text(checkpoint.get("location") or checkpoint.get("city"), 200)
        country = _country(checkpoint.get("country_region") or checkpoint.get("country_iso3"))
        parsed.candidates.append(
            Candidate(
                index=index,
                pointer=pointer,
                source="aftership",
                tracking_number=number,
                occurred_at=utc(occurred),
                utc_offset_minutes=offset_minutes(occurred),
                mapped=mapping.lookup(f"sub:{subtag}" if subtag else None, f"tag:{tag}" if tag else None),
                carrier=text(checkpoint.get("slug") or msg.get("slug"), 40),
                carrier_scheme="aftership",
                raw_code=subtag or tag or text(checkpoint.get("raw_tag"), 64),
                raw_text=text(checkpoint.get("message"), 500),
                location=Location(name=place, country=country) if place or country else None,
                eta=eta if index == len(checkpoints) - 1 else None,
                numbers=numbers,
            )
        )
    return parsed


def parse_17track(body: bytes, limit: int) -> Parsed:
    """A 17TRACK webhook → one candidate per provider event."""
    data = load_json(body)
    items = data.get("data") if isinstance(data, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise PushError(MALFORMED_PUSH, "a 17TRACK webhook has data", "/data")
    parsed = Parsed()
    mapping = table("17track")
    flat: list[tuple[str, dict[str, Any], Any, str | None, tuple[tuple[str, str], ...], Any]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not text(item.get("number"), 64):
            raise PushError(MALFORMED_PUSH, "each data item needs a number", f"/data/{i}/number")
        info = item.get("track_info") or {}
        misc = info.get("misc_info") or {}
        local: tuple[tuple[str, str], ...] = ()
        if text(misc.get("local_number"), 64):
            local = (("last_mile", str(misc["local_number"])[:64]),)
        metrics = (info.get("time_metrics") or {}).get("estimated_delivery_date") or {}
        eta = _eta(metrics.get("from"), metrics.get("to"))
        for p, provider in enumerate((info.get("tracking") or {}).get("providers") or []):
            key = (provider.get("provider") or {}).get("key") if isinstance(provider, dict) else None
            for e, event in enumerate((provider or {}).get("events") or []):
                where = f"/data/{i}/track_info/tracking/providers/{p}/events/{e}"
                carrier = key if key is not None else item.get("carrier")
                flat.append((where, event, carrier, str(item["number"]).strip(), local, eta))
    check_size(len(flat), limit)
    for index, (pointer, event, carrier, number, numbers, eta) in enumerate(flat):
        if not isinstance(event, dict) or number is None:
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, "an event is an object"))
            continue
        try:
            occurred = parse_iso(event.get("time_iso") or event.get("time_utc"))
        except TimeError as exc:
            refuse_time(parsed, index, f"{pointer}/time_iso", exc)
            continue
        sub, stage = text(event.get("sub_status"), 64), text(event.get("stage"), 64)
        main = sub.split("_", 1)[0] if sub else stage
        address: dict[str, Any] = event["address"] if isinstance(event.get("address"), dict) else {}
        place = text(event.get("location") or address.get("city"), 200)
        country = _country(address.get("country"))
        parsed.candidates.append(
            Candidate(
                index=index,
                pointer=pointer,
                source="17track",
                tracking_number=number,
                occurred_at=utc(occurred),
                utc_offset_minutes=offset_minutes(occurred),
                mapped=mapping.lookup(f"sub:{sub}" if sub else None, f"main:{main}" if main else None),
                carrier=str(carrier) if carrier is not None else None,
                carrier_scheme="17track",
                raw_code=sub or stage,
                raw_text=text(event.get("description"), 500),
                location=Location(name=place, country=country) if place or country else None,
                eta=eta if index == len(flat) - 1 else None,
                numbers=numbers,
            )
        )
    return parsed
