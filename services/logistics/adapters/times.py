"""Times from carriers: ISO 8601 with an offset, or a local time whose zone the format fixes.

A time without a zone cannot be placed on a cross-border timeline, so formats that carry
one (DCSA, AfterShip, 17TRACK, our generic batch) must give it and an event without one
is refused. Formats whose specification fixes the zone are read in it: Kdniao and SF write
China Standard Time; Cargo-IMP writes the local time of the station named on the line.
"""

from __future__ import annotations

import datetime as dt
import re

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?P<zone>Z|z|[+-]\d{2}:?\d{2})?$")


class TimeError(ValueError):
    """Why a time cannot be read: ``zone`` True when only the zone is missing."""

    def __init__(self, message: str, *, zone: bool = False) -> None:
        super().__init__(message)
        self.zone = zone


def offset_minutes(value: dt.datetime) -> int | None:
    """The UTC offset the time was written in, in minutes."""
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def parse_iso(text: object) -> dt.datetime:
    """An ISO 8601 date-time that must carry its offset; the original offset is kept."""
    if not isinstance(text, str):
        raise TimeError("a time must be an ISO 8601 string")
    value = text.strip()
    match = _ISO.match(value)
    if not match:
        raise TimeError(f"{value[:40]!r} is not an ISO 8601 date-time")
    if match["zone"] is None:
        raise TimeError(f"{value[:40]!r} has no UTC offset", zone=True)
    if len(value) > 19 and value[-5] in "+-" and value[-3] != ":" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as exc:
        raise TimeError(f"{value[:40]!r} is not a valid date-time: {exc}") from None
    if parsed.tzinfo is None:  # pragma: no cover - the pattern requires a zone
        raise TimeError("no UTC offset", zone=True)
    return parsed


def parse_local(
    text: object, zone: dt.tzinfo, formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)
) -> dt.datetime:
    """A local time in ``zone`` (the format's own zone); an offset it carries wins."""
    if not isinstance(text, str) or not text.strip():
        raise TimeError("the time is missing")
    value = text.strip()
    match = _ISO.match(value)
    if match and match["zone"]:
        return parse_iso(value)
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    raise TimeError(f"{value[:40]!r} is not a time in {', '.join(formats)}")
