"""IATA Cargo-IMP FSU status messages (air), as text.

A message is the ``FSU/<version>`` line, the air waybill line and one status line per
event; a push may hold several messages separated by blank lines::

    FSU/14
    784-12345675PVGFRA/T2K35.0
    RCS/01MAY0830/PVG/T2K35.0
    MAN/CZ431/02MAY/PVGFRA/T2K35.0
    DEP/CZ431/02MAY1130/PVGFRA/T2K35.0

Status line fields are read by their shape (flight ``CZ431``, day ``02MAY`` with an
optional ``hhmm``, station ``PVG`` or pair ``PVGFRA``, pieces and weight ``T2K35.0``), so a
sender's field order within a line does not matter. Cargo-IMP times are the local time of
the station, without a year: the station's zone comes from ``data/airports.csv`` (a station
not listed is refused: its time has no zone) and the year is the latest that does not put the
day more than a month ahead of now. The AWB serial's eighth digit is its check digit (the first seven mod 7).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from zoneinfo import ZoneInfo

from services.logistics.adapters.common import check_size, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    TIME_WITHOUT_ZONE,
    Candidate,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.tables import MappingTable, reference, table
from services.logistics.adapters.times import offset_minutes
from shared.events.logistics import Conveyance, Location

_AWB = re.compile(r"^(\d{3})-(\d{8})([A-Z]{3})([A-Z]{3})(/.*)?$")
_STATUS = re.compile(r"^[A-Z]{3}$")
_FLIGHT = re.compile(r"^([A-Z0-9]{2})(\d{1,4}[A-Z]?)$")
_DAY = re.compile(r"^(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{4})?$")
_TIME = re.compile(r"^[A-Z]?(\d{4})$")
_STATION = re.compile(r"^[A-Z]{3}$")
_PAIR = re.compile(r"^([A-Z]{3})([A-Z]{3})$")
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
#: Statuses reported at the arrival station of a station pair (the rest at the departure one).
_AT_ARRIVAL = frozenset({"ARR", "RCF", "NFD", "AWD", "DLV", "CCD", "CRC"})


@cache
def stations() -> dict[str, dict[str, str]]:
    """IATA code → airport row (name, country, tz, locode)."""
    return {row["iata"]: row for row in reference("airports")}


def awb_valid(serial: str) -> bool:
    """The AWB serial's check digit: its first seven digits mod 7."""
    return len(serial) == 8 and serial.isdigit() and int(serial[:7]) % 7 == int(serial[7])


def _year(day: int, month: int, now: dt.datetime) -> int:
    """Cargo-IMP days have no year: the latest year that does not put the day more than a
    month ahead of now (status messages report what happened; estimates are not FSU's)."""
    horizon = now.date() + dt.timedelta(days=31)
    for year in (now.year + 1, now.year, now.year - 1):
        try:
            if dt.date(year, month, day) <= horizon:
                return year
        except ValueError:  # 29 February of a year without it
            continue
    return now.year - 1


def parse(body: bytes, limit: int, now: dt.datetime) -> Parsed:
    """FSU text → candidates and per-event refusals (one event per status line)."""
    try:
        content = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PushError(MALFORMED_PUSH, f"Cargo-IMP is ASCII text (byte {exc.start} is not)") from None
    blocks = [
        [line.strip() for line in block.splitlines() if line.strip()]
        for block in re.split(r"\n\s*\n", content.replace("\r\n", "\n"))
    ]
    blocks = [block for block in blocks if block]
    if not blocks:
        raise PushError(MALFORMED_PUSH, "no FSU message in the body")
    total = sum(max(len(block) - 2, 0) for block in blocks)
    check_size(total, limit)
    mapping = table("iata_fsu")
    parsed = Parsed()
    index = 0
    for m, block in enumerate(blocks):
        if not block[0].startswith("FSU"):
            raise PushError(
                MALFORMED_PUSH, f"message {m + 1} does not start with FSU/", f"/messages/{m}/lines/0"
            )
        awb = _AWB.match(block[1]) if len(block) > 1 else None
        if awb is None:
            raise PushError(
                MALFORMED_PUSH,
                f"message {m + 1}: line 2 is not an air waybill (ppp-ssssssssOOODDD/…)",
                f"/messages/{m}/lines/1",
            )
        prefix, serial, origin, destination = awb[1], awb[2], awb[3], awb[4]
        for n, line in enumerate(block[2:], start=2):
            pointer = f"/messages/{m}/lines/{n}"
            if not awb_valid(serial):
                parsed.refusals.append(
                    Refusal(
                        index,
                        f"/messages/{m}/lines/1",
                        EVENT_INVALID,
                        f"AWB {prefix}-{serial}: bad check digit",
                    )
                )
                index += 1
                continue
            refusal_or_candidate = _status_line(
                index, pointer, line, prefix, serial, origin, destination, now, mapping
            )
            if isinstance(refusal_or_candidate, Refusal):
                parsed.refusals.append(refusal_or_candidate)
            else:
                parsed.candidates.append(refusal_or_candidate)
            index += 1
    return parsed


def _status_line(
    index: int,
    pointer: str,
    line: str,
    prefix: str,
    serial: str,
    origin: str,
    destination: str,
    now: dt.datetime,
    mapping: MappingTable,
) -> Candidate | Refusal:
    fields = line.split("/")
    code = fields[0]
    if not _STATUS.match(code):
        return Refusal(index, pointer, EVENT_INVALID, f"{code[:10]!r} is not a three-letter status code")
    flight = day = clock = None
    station: str | None = None
    pair: tuple[str, str] | None = None
    for field in fields[1:]:
        if (found := _DAY.match(field)) is not None:
            day = found
        elif pair is None and (found_pair := _PAIR.match(field)) is not None:
            pair = (found_pair[1], found_pair[2])
        elif station is None and _STATION.match(field):
            station = field
        elif flight is None and _FLIGHT.match(field) and not field.isdigit():
            flight = field
        elif clock is None and (found_time := _TIME.match(field)) is not None:
            clock = found_time[1]
    if day is None:
        return Refusal(index, pointer, EVENT_INVALID, f"{code} has no day (DDMMM[hhmm])")
    if station is None:
        if pair is not None:
            station = pair[1] if code in _AT_ARRIVAL else pair[0]
        else:
            station = destination if code in _AT_ARRIVAL else origin
    airport = stations().get(station)
    if airport is None:
        return Refusal(
            index,
            pointer,
            TIME_WITHOUT_ZONE,
            f"station {station} is not in the airport table, so its local time has no zone",
        )
    hhmm = day[3] or clock or "0000"
    try:
        local_time = dt.datetime(
            _year(int(day[1]), _MONTHS[day[2]], now),
            _MONTHS[day[2]],
            int(day[1]),
            int(hhmm[:2]),
            int(hhmm[2:]),
            tzinfo=ZoneInfo(airport["tz"]),
        )
    except ValueError as exc:
        return Refusal(index, pointer, EVENT_INVALID, f"{code}: {exc}")
    return Candidate(
        index=index,
        pointer=pointer,
        source="iata_fsu",
        tracking_number=f"{prefix}-{serial}",
        occurred_at=utc(local_time),
        utc_offset_minutes=offset_minutes(local_time),
        mapped=mapping.lookup(code),
        carrier=prefix,
        carrier_scheme="iata",
        raw_code=code,
        raw_text=line[:200],
        location=Location(
            locode=airport["locode"] or None,
            name=airport["name"],
            country=airport["country"] or None,
            facility_code=station,
            facility_type="AIRP",
        ),
        conveyance=Conveyance(traf_mode="5", voyage_no=flight, traf_name=flight, bill_no=f"{prefix}-{serial}")
        if flight
        else Conveyance(traf_mode="5", bill_no=f"{prefix}-{serial}"),
    )
