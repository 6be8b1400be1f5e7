"""The push routes: one per source, each with the media types its senders use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from services.logistics.adapters import aggregators, dcsa, fsu, generic, kdniao, sf, upu
from services.logistics.adapters.model import Parsed
from shared.problems import UNSUPPORTED_MEDIA_TYPE, ProblemError
from shared.xml_security import XmlLimits

XML = ("application/xml", "text/xml")
JSON = ("application/json",)
FORM = ("application/x-www-form-urlencoded",)


@dataclass(frozen=True)
class PushContext:
    """What a parser may need besides the bytes."""

    limit: int
    xml_limits: XmlLimits
    now: dt.datetime


@dataclass(frozen=True)
class Source:
    """One native push format and how to read it."""

    slug: str
    title: str
    media_types: tuple[str, ...]
    read: Callable[[bytes, str, PushContext], Parsed]


SOURCES: dict[str, Source] = {
    s.slug: s
    for s in (
        Source(
            "upu-emsevt",
            "UPU EMSEVT events (post, EMS), XML",
            XML,
            lambda b, _m, c: upu.parse(b, c.limit, c.xml_limits),
        ),
        Source(
            "iata-fsu",
            "IATA Cargo-IMP FSU status messages (air), text",
            ("text/plain",),
            lambda b, _m, c: fsu.parse(b, c.limit, c.now),
        ),
        Source(
            "dcsa",
            "DCSA Track & Trace 2.x / 3 events (sea, ferry, rail), JSON",
            JSON,
            lambda b, _m, c: dcsa.parse(b, c.limit),
        ),
        Source(
            "kdniao",
            "Kdniao track push (instruction 101), JSON or RequestData form",
            JSON + FORM,
            lambda b, m, c: kdniao.parse(b, c.limit, form=m in FORM),
        ),
        Source(
            "sf",
            "SF Express route push (WaybillRoute), XML or JSON",
            XML + JSON,
            lambda b, m, c: sf.parse(b, c.limit, c.xml_limits, xml=m in XML),
        ),
        Source(
            "aftership",
            "AfterShip tracking_update webhook, JSON",
            JSON,
            lambda b, _m, c: aggregators.parse_aftership(b, c.limit),
        ),
        Source(
            "17track",
            "17TRACK TRACKING_UPDATED webhook, JSON",
            JSON,
            lambda b, _m, c: aggregators.parse_17track(b, c.limit),
        ),
        Source(
            "generic",
            "The platform's own batch: JSON {events:[…]} or CSV",
            JSON + ("text/csv",),
            lambda b, m, c: (generic.parse_csv if m == "text/csv" else generic.parse_json)(b, c.limit),
        ),
    )
}


def media_type(content_type: str) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return content_type.split(";", 1)[0].strip().lower()


def read_push(slug: str, body: bytes, content_type: str, ctx: PushContext) -> Parsed:
    """Parse a push of source ``slug``; 415 when its media type is not the source's."""
    source = SOURCES[slug]
    media = media_type(content_type)
    if media not in source.media_types:
        raise ProblemError(
            UNSUPPORTED_MEDIA_TYPE,
            f"{source.title} takes {', '.join(source.media_types)}, not {media or 'no content type'}.",
            errors=[
                {"pointer": "/headers/content-type", "detail": f"one of {', '.join(source.media_types)}"}
            ],
        )
    return source.read(body, media, ctx)
