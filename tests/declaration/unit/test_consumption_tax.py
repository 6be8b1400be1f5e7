"""Consumption tax of the shipped rate table, heading by heading, with hand-computed amounts.

Within the limits tariff is 0 and VAT and consumption tax are levied at 70 %; an ad valorem
line of value P at rate c pays ``P × c / (1 − c) × 0.7`` consumption tax and
``P × 0.13 / (1 − c) × 0.7`` VAT; a specific duty S joins the base:
``((P + S) × c / (1 − c) + S) × 0.7`` and ``(P + S) × 0.13 / (1 − c) × 0.7``.
Each amount is rounded half-up to the fen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.declaration.ceb.model import Record
from services.declaration.tax.rules import (
    HsRateTable,
    LineTax,
    Measure,
    TaxPolicy,
    Treatment,
    assess_inventory,
    default_rate_table,
)

D = Decimal
# JGS-20 units: 瓶, 罐, 升, 毫升, 克, 千克, 片, 只.
BOTTLE, CAN, LITRE, MILLILITRE = "142", "122", "095", "096"
GRAM, KILOGRAM, SHEET, PIECE = "036", "035", "020", "008"


def line_tax(
    gcode: str,
    total: Decimal,
    qty: Decimal = D("1"),
    unit: str = BOTTLE,
    qty1: Decimal | None = None,
    unit1: str | None = None,
    policy: TaxPolicy | None = None,
) -> tuple[Treatment, LineTax]:
    """Assess a one-line inventory of the shipped table (legal unit = trade unit unless given)."""
    record = Record(
        head={"freight": D("0"), "insuredFee": D("0")},
        lines=[
            {
                "gnum": 1,
                "gcode": gcode,
                "qty": qty,
                "unit": unit,
                "qty1": qty if qty1 is None else qty1,
                "unit1": unit if unit1 is None else unit1,
                "price": total / qty,
                "totalPrice": total,
            }
        ],
    )
    assessment = assess_inventory(record, policy)
    return assessment.treatment, assessment.lines[0]


def consumption_of(gcode: str, total: Decimal, **units: object) -> Decimal:
    return line_tax(gcode, total, **units)[1].consumption_tax  # type: ignore[arg-type]


# --- cosmetics: high-end only (财税〔2016〕103号) -------------------------------------------


def test_a_100_ml_serum_at_1200_cny_owes_consumption_tax() -> None:
    # 12 CNY/ml ≥ 10: 1200 × 0.15 / 0.85 × 0.7 = 148.235… → 148.24; VAT 1200 × 0.13 / 0.85 × 0.7 = 128.47.
    _, line = line_tax("3304990099", D("1200"), D("100"), MILLILITRE, D("0.1"), KILOGRAM)
    assert (line.consumption_tax, line.value_added_tax) == (D("148.24"), D("128.47"))


def test_a_200_ml_lotion_at_300_cny_owes_no_consumption_tax_and_9_1_percent_vat() -> None:
    # 1.5 CNY/ml < 10: VAT only, 300 × 0.091 = 27.30.
    _, line = line_tax("3304990099", D("300"), D("200"), MILLILITRE, D("0.2"), KILOGRAM)
    assert (line.consumption_tax, line.value_added_tax) == (D("0.00"), D("27.30"))


def test_a_cream_at_exactly_10_cny_per_gram_is_high_end() -> None:
    # 50 g at 500.00: 500 × 0.15 / 0.85 × 0.7 = 61.764… → 61.76.
    assert consumption_of("3304990099", D("500"), qty1=D("0.05"), unit1=KILOGRAM) == D("61.76")


def test_a_cream_a_fen_below_10_cny_per_gram_is_not_high_end() -> None:
    assert consumption_of("3304990099", D("499.99"), qty1=D("0.05"), unit1=KILOGRAM) == D("0.00")


def test_the_legal_quantity_decides_when_the_trade_unit_is_a_bottle() -> None:
    # One bottle, legal quantity 0.03 kg: 600 / 30 g = 20 CNY/g; 600 × 0.15 / 0.85 × 0.7 = 74.117… → 74.12.
    assert consumption_of("3304990099", D("600"), qty1=D("0.03"), unit1=KILOGRAM) == D("74.12")


def test_masks_at_20_cny_a_sheet_are_high_end_although_cheap_by_weight() -> None:
    # 10 片 at 200 (20 CNY/片 ≥ 15; 250 g is 0.8 CNY/g): 200 × 0.15 / 0.85 × 0.7 = 24.705… → 24.71.
    assert consumption_of(
        "3304990099", D("200"), qty=D("10"), unit=SHEET, qty1=D("0.25"), unit1=KILOGRAM
    ) == D("24.71")


def test_masks_at_12_cny_a_sheet_owe_no_consumption_tax() -> None:
    assert consumption_of(
        "3304990099", D("120"), qty=D("10"), unit=SHEET, qty1=D("0.25"), unit1=KILOGRAM
    ) == D("0.00")


def test_a_cosmetic_declared_only_in_bottles_is_charged_as_high_end() -> None:
    # No ml, g or 片 anywhere on the line: the cheaper reading is not assumed.
    # 120 × 0.15 / 0.85 × 0.7 = 14.823… → 14.82.
    assert consumption_of("3304990099", D("120"), unit=BOTTLE, unit1=BOTTLE) == D("14.82")


def test_a_30_ml_perfume_at_600_cny_owes_consumption_tax() -> None:
    # 20 CNY/ml: 600 × 0.15 / 0.85 × 0.7 = 74.12.
    assert consumption_of("3303000000", D("600"), qty1=D("30"), unit1=MILLILITRE) == D("74.12")


# --- alcohol ----------------------------------------------------------------------------


def test_24_cans_of_beer_at_240_cny_are_class_a_at_250_cny_a_tonne() -> None:
    # 7.92 L = 7.92/988 t; 240 CNY per 0.008016 t ≥ 3,000 → 250 CNY/t: S = 2.004049.
    # Consumption 2.004049 × 0.7 = 1.4028 → 1.40; VAT (240 + 2.004049) × 0.091 = 22.0224 → 22.02.
    _, line = line_tax("2203000000", D("240"), D("24"), CAN, D("7.92"), LITRE)
    assert (line.consumption_tax, line.value_added_tax) == (D("1.40"), D("22.02"))


def test_beer_below_3000_cny_a_tonne_is_class_b_at_220_cny_a_tonne() -> None:
    # 100 L at 250 CNY: 2,470 CNY/t < 3,000 → S = 220 × 100/988 = 22.267206.
    # Consumption 22.267206 × 0.7 = 15.587 → 15.59; VAT 272.267206 × 0.091 = 24.776 → 24.78.
    _, line = line_tax("2203000000", D("250"), D("100"), LITRE)
    assert (line.consumption_tax, line.value_added_tax) == (D("15.59"), D("24.78"))


def test_a_bottle_of_wine_pays_10_percent_ad_valorem() -> None:
    # 300 × 0.10 / 0.90 × 0.7 = 23.33; VAT 300 × 0.13 / 0.90 × 0.7 = 30.33.
    _, line = line_tax("2204210000", D("300"), qty1=D("0.75"), unit1=LITRE)
    assert (line.consumption_tax, line.value_added_tax) == (D("23.33"), D("30.33"))


def test_a_700_ml_whisky_pays_20_percent_plus_half_a_yuan_per_500_ml() -> None:
    # S = 0.5 × 700/500 = 0.70; consumption ((500 + 0.7) × 0.2 / 0.8 + 0.7) × 0.7 = 88.1125 → 88.11;
    # VAT (500 + 0.7) × 0.13 / 0.8 × 0.7 = 56.9546 → 56.95.
    _, line = line_tax("2208300000", D("500"), qty1=D("0.7"), unit1=LITRE)
    assert (line.consumption_tax, line.value_added_tax) == (D("88.11"), D("56.95"))


def test_the_specific_duty_on_spirits_may_be_counted_by_weight() -> None:
    # 1 kg: S = 0.5 × 1000/500 = 1.00; ((100 + 1) × 0.25 + 1) × 0.7 = 18.375 → 18.38.
    assert consumption_of("2208909000", D("100"), qty1=D("1"), unit1=KILOGRAM) == D("18.38")


# --- refined oil: per litre, mass converted by the statutory litres per tonne ------------------


def test_engine_oil_declared_by_weight_is_converted_to_litres() -> None:
    # 3.5 kg × 1126 L/t = 3.941 L; S = 1.52 × 3.941 = 5.99032; consumption 5.99032 × 0.7 = 4.19;
    # VAT (200 + 5.99032) × 0.091 = 18.745 → 18.75.
    _, line = line_tax("2710199100", D("200"), qty1=D("3.5"), unit1=KILOGRAM)
    assert (line.consumption_tax, line.value_added_tax) == (D("4.19"), D("18.75"))


def test_engine_oil_declared_in_litres_pays_1_52_cny_a_litre() -> None:
    # 4 L: S = 6.08; consumption 6.08 × 0.7 = 4.256 → 4.26.
    assert consumption_of("2710199100", D("200"), qty1=D("4"), unit1=LITRE) == D("4.26")


# --- watches: high-end only (≥ 10,000 CNY each) -------------------------------------------


def test_a_watch_within_the_single_limit_is_never_high_end() -> None:
    assert consumption_of("9102110000", D("4800"), unit=PIECE) == D("0.00")


def test_a_single_12000_cny_watch_pays_20_percent_at_full_general_rates() -> None:
    # Tariff 12000 × 0.08 = 960; consumption (12000 + 960) × 0.2 / 0.8 = 3240;
    # VAT (12960 + 3240) × 0.13 = 2106.
    treatment, line = line_tax("9102110000", D("12000"), unit=PIECE)
    assert (treatment, line.customs_tax, line.consumption_tax, line.value_added_tax) == (
        Treatment.SINGLE_ITEM_GENERAL,
        D("960.00"),
        D("3240.00"),
        D("2106.00"),
    )


def test_a_single_9999_99_cny_watch_pays_no_consumption_tax() -> None:
    # Tariff 799.9992 → 800.00; VAT (9999.99 + 799.9992) × 0.13 = 1403.9986 → 1404.00.
    _, line = line_tax("9101210000", D("9999.99"), unit=PIECE)
    assert (line.customs_tax, line.consumption_tax, line.value_added_tax) == (
        D("800.00"),
        D("0.00"),
        D("1404.00"),
    )


# --- ad valorem headings on a 1,000 CNY line within the limits ------------------------------


@pytest.mark.parametrize(
    ("gcode", "expected"),
    [
        pytest.param("9506310000", "77.78", id="golf clubs 10%: 1000 × 0.1/0.9 × 0.7"),
        pytest.param("9506320000", "77.78", id="golf balls 10%"),
        pytest.param("7116100000", "77.78", id="pearl and jade articles 10% at import"),
        pytest.param("7101220000", "77.78", id="cultured pearls 10% at import"),
        pytest.param("7113200000", "77.78", id="jewellery clad with precious metal 10%"),
        pytest.param("7113191100", "0.00", id="gold jewellery: at retail, not import"),
        pytest.param("7113110000", "0.00", id="silver jewellery: at retail, not import"),
        pytest.param("7102391000", "0.00", id="diamonds: at retail, not import"),
        pytest.param("8903320000", "77.78", id="motorboats 7.5-24 m 10%"),
        pytest.param("4418750000", "36.84", id="multilayer wood flooring 5%: 1000 × 0.05/0.95 × 0.7"),
        pytest.param("3209100000", "29.17", id="coatings 4%: 1000 × 0.04/0.96 × 0.7"),
        pytest.param("8507100000", "29.17", id="lead-acid batteries 4%"),
        pytest.param("8507600000", "0.00", id="lithium-ion batteries exempt"),
        pytest.param("8507500000", "0.00", id="nickel-metal hydride batteries exempt"),
        pytest.param("8506101100", "0.00", id="mercury-free primary cells exempt"),
        pytest.param("8506300000", "29.17", id="mercuric oxide cells 4%"),
        pytest.param("8703210000", "7.07", id="cars up to 1.0 L 1%: 1000 × 0.01/0.99 × 0.7"),
        pytest.param("8703220000", "21.65", id="cars 1.0-1.5 L 3%: 1000 × 0.03/0.97 × 0.7"),
        pytest.param("8703230000", "95.45", id="cars 1.5-3.0 L upper band 12%: 1000 × 0.12/0.88 × 0.7"),
        pytest.param("8703240000", "466.67", id="cars over 3.0 L upper band 40%: 1000 × 0.4/0.6 × 0.7"),
        pytest.param("8703320000", "69.23", id="diesel cars 1.5-2.5 L upper band 9%: 1000 × 0.09/0.91 × 0.7"),
        pytest.param("8703800000", "0.00", id="electric cars: no consumption tax"),
        pytest.param("8702100000", "36.84", id="light commercial buses 5%"),
        pytest.param("8711300000", "77.78", id="motorcycles over 250 ml 10%"),
        pytest.param("8711200000", "0.00", id="motorcycles up to 250 ml abolished"),
        pytest.param("2207100000", "0.00", id="ethyl alcohol abolished"),
        pytest.param("2402200000", "890.91", id="cigarettes 56%: 1000 × 0.56/0.44 × 0.7"),
        pytest.param("2402100000", "393.75", id="cigars 36%: 1000 × 0.36/0.64 × 0.7"),
        pytest.param("2403190000", "300.00", id="smoking tobacco 30%: 1000 × 0.3/0.7 × 0.7"),
        pytest.param("8543400000", "393.75", id="e-cigarettes 36%"),
    ],
)
def test_each_ad_valorem_heading_pays_its_statutory_rate_at_70_percent(gcode: str, expected: str) -> None:
    assert consumption_of(gcode, D("1000")) == D(expected)


# --- the table format ---------------------------------------------------------------------


def _row(**changes: str) -> dict[str, str]:
    return {"hs_prefix": "3304", "tariff_rate": "0", "vat_rate": "0.13", "consumption_rate": "0.15"} | changes


def test_a_price_condition_without_its_measure_is_refused_with_the_row_number() -> None:
    with pytest.raises(ValueError, match=r"row 2 \(3304\): min_price and min_price_per go together"):
        HsRateTable.from_rows([_row(min_price="10")])


def test_alternatives_of_one_prefix_must_agree_on_tariff_and_vat() -> None:
    with pytest.raises(ValueError, match="tariff and VAT differ"):
        HsRateTable.from_rows([_row(min_price="10", min_price_per="1 g"), _row(vat_rate="0.09")])


def test_an_unknown_measure_is_refused() -> None:
    with pytest.raises(ValueError, match="units must be among"):
        Measure.parse("1 ounce")


def test_no_row_may_follow_an_unconditional_row_of_its_prefix() -> None:
    with pytest.raises(ValueError, match="follows an unconditional row"):
        HsRateTable.from_rows([_row(), _row(min_price="10", min_price_per="1 g")])


# --- properties -----------------------------------------------------------------------------

cosmetic_price = st.decimals(min_value=D("1"), max_value=D("4900"), places=2)
grams = st.decimals(min_value=D("1"), max_value=D("1000"), places=3)


@given(price=cosmetic_price, weight=grams)
def test_a_cosmetic_owes_consumption_tax_exactly_when_it_costs_10_cny_a_gram_or_more(
    price: Decimal, weight: Decimal
) -> None:
    taxed = consumption_of("3304990099", price, qty1=weight, unit1=GRAM) > 0
    assert taxed is (price / weight >= 10)


@given(price=cosmetic_price, weight=grams)
def test_every_tax_amount_is_a_decimal_at_two_places(price: Decimal, weight: Decimal) -> None:
    _, line = line_tax("3304990099", price, qty1=weight, unit1=GRAM)
    amounts = (line.customs_tax, line.value_added_tax, line.consumption_tax)
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)


@given(price=cosmetic_price, weight=grams)
def test_within_the_limits_consumption_tax_is_70_percent_of_the_statutory_amount(
    price: Decimal, weight: Decimal
) -> None:
    full = TaxPolicy(default_rate_table(), retail_share=D("1"))
    statutory = line_tax("3304990099", price, qty1=weight, unit1=GRAM, policy=full)[1].consumption_tax
    retail = consumption_of("3304990099", price, qty1=weight, unit1=GRAM)
    assert abs(retail - statutory * D("0.7")) <= D("0.01")


@given(litres=st.decimals(min_value=D("0.1"), max_value=D("200"), places=2))
def test_beer_consumption_tax_grows_with_volume_not_price(litres: Decimal) -> None:
    # Class A at any retail price above 3,000 CNY/t: the tax is 250 CNY per 988 L, at 70 %.
    price = (litres * 10).quantize(D("0.01"))
    expected = (D("250") * litres / D("988") * D("0.7")).quantize(D("0.01"))
    assert consumption_of("2203000000", price, qty1=litres, unit1=LITRE) == expected
