"""Our own batch formats: JSON (``{"events": [...]}``) and CSV (a header row, one event a line).

The event states the platform's vocabulary directly (status, sub-status, reason), so
nothing is guessed; a carrier's own ``code`` and ``text`` are kept raw beside it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.logistics.adapters.common import check_size, each, load_json, refuse_time, text, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    Candidate,
    Mapped,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.times import TimeError, offset_minutes, parse_iso
from shared.events.logistics import (
    Classifier,
    Conveyance,
    Location,
    Reason,
    SubStatus,
    TrackingStatus,
)

CSV_COLUMNS = (
    "carrier",
    "tracking_number",
    "event_id",
    "occurred_at",
    "status",
    "sub_status",
    "reason",
    "classifier",
    "code",
    "text",
    "locode",
    "location_name",
    "country",
    "retracts",
)
_REQUIRED_CSV = {"tracking_number", "occurred_at", "status"}


class EtaIn(BaseModel):
    """An estimated arrival range."""

    model_config = ConfigDict(extra="forbid")

    earliest: str
    latest: str


class GenericEvent(BaseModel):
    """One event of our batch format."""

    model_config = ConfigDict(extra="forbid")

    carrier: str | None = Field(default=None, max_length=64, description="your code (default: yours)")
    tracking_number: str = Field(min_length=1, max_length=64)
    event_id: str | None = Field(
        default=None, max_length=128, description="your id; a resend is deduplicated"
    )
    occurred_at: str = Field(description="ISO 8601 with the UTC offset")
    status: TrackingStatus | None = None
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    classifier: Classifier = "actual"
    code: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=2000)
    location: Location | None = None
    retracts: str | None = Field(default=None, max_length=128, description="the event_id this withdraws")
    eta: EtaIn | None = None
    recorded_at: str | None = None
    conveyance: Conveyance | None = None
    numbers: dict[str, str] = Field(default_factory=dict, description="other numbers: {kind: number}")

    @field_validator("numbers")
    @classmethod
    def _few_numbers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 10 or any(len(k) > 20 or not 0 < len(v) <= 64 for k, v in value.items()):
            raise ValueError("at most 10 numbers, kinds ≤ 20 and numbers ≤ 64 characters")
        return value


def _candidate(index: int, pointer: str, event: GenericEvent, source: str) -> Candidate:
    if event.status is None and event.retracts is None:
        raise ValueError("an event needs a status (or names the event it retracts)")
    if (
        event.status is not None
        and event.sub_status is not None
        and event.sub_status.parent is not event.status
    ):
        raise ValueError(
            f"sub_status {event.sub_status} belongs to {event.sub_status.parent}, not {event.status}"
        )
    occurred = parse_iso(event.occurred_at)
    eta = None
    if event.eta is not None:
        eta = (utc(parse_iso(event.eta.earliest)), utc(parse_iso(event.eta.latest)))
        if eta[1] < eta[0]:
            raise ValueError("eta.latest is before eta.earliest")
    mapped = Mapped(event.status, event.sub_status, event.reason) if event.status is not None else None
    return Candidate(
        index=index,
        pointer=pointer,
        source="generic_csv" if source == "csv" else "generic_json",
        tracking_number=event.tracking_number.strip(),
        occurred_at=utc(occurred),
        mapped=mapped,
        carrier=text(event.carrier, 64),
        carrier_scheme="code",
        native_id=event.event_id,
        utc_offset_minutes=offset_minutes(occurred),
        recorded_at=utc(parse_iso(event.recorded_at)) if event.recorded_at else None,
        raw_code=event.code,
        raw_text=event.text,
        classifier=event.classifier,
        location=event.location,
        retracts=event.retracts,
        eta=eta,
        conveyance=event.conveyance,
        numbers=tuple(sorted(event.numbers.items())),
    )


def parse_json(body: bytes, limit: int) -> Parsed:
    """``{"events": [...]}`` (or a bare list) → candidates and per-event refusals."""
    data = load_json(body)
    base = "/events"
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        items: list[Any] = data["events"]
    elif isinstance(data, list):
        items, base = data, ""
    else:
        raise PushError(MALFORMED_PUSH, 'expected {"events": [...]} or a list of events', "/events")
    check_size(len(items), limit)
    parsed = Parsed()

    def read(index: int, pointer: str, item: Any) -> None:
        if not isinstance(item, dict):
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, "an event is a JSON object"))
            return
        parsed.candidates.append(_candidate(index, pointer, GenericEvent.model_validate(item), "json"))

    each(items, base, parsed, read)
    return parsed


def parse_csv(body: bytes, limit: int) -> Parsed:
    """A CSV batch with a header row (columns: :data:`CSV_COLUMNS`, any order, extra ones refused)."""
    try:
        content = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PushError(MALFORMED_PUSH, f"the CSV is not UTF-8 (byte {exc.start})") from None
    try:
        rows = list(csv.reader(io.StringIO(content)))
    except csv.Error as exc:
        raise PushError(MALFORMED_PUSH, f"not CSV: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise PushError(MALFORMED_PUSH, "the CSV is empty")
    header = [cell.strip() for cell in rows[0]]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = sorted(_REQUIRED_CSV - set(header))
    if unknown or missing or len(set(header)) != len(header):
        raise PushError(
            MALFORMED_PUSH,
            f"CSV header: unknown columns {unknown}, missing {missing} (columns: {', '.join(CSV_COLUMNS)})",
            "/lines/0",
        )
    lines = rows[1:]
    check_size(len(lines), limit)
    parsed = Parsed()
    for index, row in enumerate(lines):
        pointer = f"/lines/{index + 1}"
        if len(row) != len(header):
            parsed.refusals.append(
                Refusal(index, pointer, EVENT_INVALID, f"{len(row)} cells; the header has {len(header)}")
            )
            continue
        cells = {name: value.strip() for name, value in zip(header, row, strict=True) if value.strip()}
        location = None
        if any(k in cells for k in ("locode", "location_name", "country")):
            location = {
                "locode": cells.pop("locode", None),
                "name": cells.pop("location_name", None),
                "country": cells.pop("country", None),
            }
        record: dict[str, Any] = {**cells, "location": location}
        try:
            parsed.candidates.append(_candidate(index, pointer, GenericEvent.model_validate(record), "csv"))
        except TimeError as exc:
            refuse_time(parsed, index, f"{pointer}/occurred_at", exc)
        except ValidationError as exc:
            first = exc.errors()[0]
            column = str(first.get("loc", ("",))[0])
            parsed.refusals.append(Refusal(index, f"{pointer}/{column}", EVENT_INVALID, first.get("msg", "")))
        except ValueError as exc:
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, str(exc)[:300]))
    return parsed
