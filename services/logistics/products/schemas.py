"""Request and response shapes of products (SKUs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.logistics.decimals import DecimalText
from services.logistics.products.rules import Battery, gtin_check_digit_ok, has_chinese
from services.logistics.reference.countries import CountryCode
from services.logistics.reference.currencies import CurrencyCode
from shared.kit.pagination import Page


def _chinese(value: str) -> str:
    if not has_chinese(value):
        raise ValueError("the declared Chinese name must be written in Chinese (e.g. 水晶手链)")
    return value


def _english(value: str) -> str:
    if has_chinese(value) or not value.isascii():
        raise ValueError("the declared English name must be plain ASCII English (e.g. Crystal bracelet)")
    return value


def _gtin(value: str) -> str:
    if not gtin_check_digit_ok(value):
        raise ValueError("not a GTIN-8/12/13/14 with a valid check digit")
    return value


SkuCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$")
]
NameZh = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_chinese)
]
NameEn = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_english)
]
HsCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6,10}$")]
Value = Annotated[Decimal, Field(gt=0, le=Decimal("100000000"), max_digits=14, decimal_places=4)]
Grams = Annotated[int, Field(ge=1, le=1_000_000, description="grams")]
Millimetres = Annotated[int, Field(ge=1, le=20_000, description="millimetres")]
Gtin = Annotated[str, AfterValidator(_gtin)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

_EXAMPLE: dict[str, Any] = {
    "sku": "CRY-BR-001",
    "name_zh": "水晶手链",
    "name_en": "Crystal bracelet",
    "hs_code": "7116100000",
    "declared_value": "12.50",
    "currency": "USD",
    "origin_country": "CN",
    "battery": "none",
    "weight_g": 60,
    "length_mm": 120,
    "width_mm": 80,
    "height_mm": 30,
    "barcode": "6901234567892",
    "brand": "东海晶艺",
    "material": "natural crystal",
    "purpose": "jewellery",
}


class ProductIn(BaseModel):
    """A new SKU with its customs fields (what a warehouse and a carrier declare the goods as)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    owner_party_id: str | None = Field(
        default=None,
        max_length=64,
        description="a platform acting for a merchant names it (default: the caller)",
    )
    sku: SkuCode
    name_zh: NameZh
    name_en: NameEn
    hs_code: HsCode = Field(description="HS code, 6 to 10 digits (China: 10)")
    declared_value: Value = Field(description="declared value of one unit")
    currency: CurrencyCode
    origin_country: CountryCode
    battery: Battery = Field(
        description="`none`, or how a lithium battery travels: in the equipment (UN3481 PI 967), "
        "packed with it (UN3481 PI 966), or alone (UN3480/UN3090)"
    )
    weight_g: Grams
    length_mm: Millimetres
    width_mm: Millimetres
    height_mm: Millimetres
    barcode: Gtin | None = None
    brand: Short | None = None
    material: Short | None = None
    purpose: Short | None = None


class ProductPatch(BaseModel):
    """Changing a SKU: only the fields sent change (the SKU code and owner never do)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"declared_value": "13.00"}]})

    name_zh: NameZh | None = None
    name_en: NameEn | None = None
    hs_code: HsCode | None = None
    declared_value: Value | None = None
    currency: CurrencyCode | None = None
    origin_country: CountryCode | None = None
    battery: Battery | None = None
    weight_g: Grams | None = None
    length_mm: Millimetres | None = None
    width_mm: Millimetres | None = None
    height_mm: Millimetres | None = None
    barcode: Gtin | None = None
    brand: Short | None = None
    material: Short | None = None
    purpose: Short | None = None
    status: Literal["active", "inactive"] | None = None


class ProductOut(BaseModel):
    """A SKU."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": "sku_x", **_EXAMPLE}]}
    )

    id: str
    owner_party_id: str
    sku: str
    name_zh: str
    name_en: str
    hs_code: str
    declared_value: DecimalText
    currency: str
    origin_country: str
    battery: Battery
    has_battery: bool
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    barcode: str | None
    brand: str | None
    material: str | None
    purpose: str | None
    status: Literal["active", "inactive"]
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


ProductPage = Page[ProductOut]
