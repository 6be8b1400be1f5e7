"""The currencies a value may be declared in: the ISO 4217 codes the platform can convert to
CNY (:mod:`shared.currencies`, the customs monthly rate table's currencies)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from shared.currencies import ISO_TO_CUSTOMS


def _convertible(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_TO_CUSTOMS:
        known = ", ".join(sorted(ISO_TO_CUSTOMS))
        raise ValueError(f"{value!r} is not an ISO 4217 code the platform converts to CNY ({known})")
    return code


#: A request field holding a currency: ISO 4217, one the customs rate table covers.
CurrencyCode = Annotated[str, AfterValidator(_convertible)]

__all__ = ["CurrencyCode"]
