"""Numbers the platform gives documents."""

from __future__ import annotations

import datetime as dt

from services.declaration.ceb.customs_time import CUSTOMS_TZ


def pre_no(seq: int, accepted_at: dt.datetime) -> str:
    """The platform's pre-entry number: ``D`` + Beijing date + 9-digit sequence (18 chars, like preNo).

    The e-port's own preNo starts with ``B``; ours marks a record that passed the
    platform's pre-check and is what the pre-check receipt carries until customs
    answers (part 2 keeps the e-port's number beside it).
    """
    return f"D{accepted_at.astimezone(CUSTOMS_TZ):%Y%m%d}{seq % 1_000_000_000:09d}"
