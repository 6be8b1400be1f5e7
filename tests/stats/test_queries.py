"""Regulator queries over every dimension, growth, activity counts, platform figures, exports and
object-level access (an enterprise sees only its own figures, through every query and export)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.stats.conftest import ADMIN, StatsApi, enterprise
from tests.stats.support import at, facts, registered, released, returned, status, traffic

# (document, party, mode, direction, country, district, park, currency, value, Beijing release time)
ROWS = [
    (
        "A1",
        "EA",
        "9610",
        "export",
        "502",
        "haizhou",
        "haizhou_cbec_park",
        "142",
        "1000.00",
        "2025-03-05 10:00",
    ),
    (
        "A2",
        "EA",
        "9610",
        "export",
        "502",
        "haizhou",
        "haizhou_cbec_park",
        "142",
        "1500.00",
        "2026-03-05 10:00",
    ),
    (
        "A3",
        "EA",
        "9710",
        "export",
        "303",
        "haizhou",
        "haizhou_cbec_park",
        "502",
        "100.00",
        "2026-04-01 00:30",
    ),
    (
        "B1",
        "EB",
        "1210",
        "import",
        "116",
        "lyg_comprehensive_bonded_zone",
        "lyg_bonded_zone_cbec_park",
        "142",
        "700.00",
        "2026-02-10 10:00",
    ),
    (
        "B2",
        "EB",
        "1210",
        "import",
        "116",
        "lyg_comprehensive_bonded_zone",
        "lyg_bonded_zone_cbec_park",
        "142",
        "300.00",
        "2026-03-20 10:00",
    ),
    (
        "C1",
        "EC",
        "9810",
        "export",
        "304",
        "donghai",
        "donghai_crystal_export_incubator",
        "142",
        "2000.00",
        "2026-04-15 10:00",
    ),
]
VALUE = {r[0]: Decimal(r[8]) * (Decimal("7.1") if r[7] == "502" else 1) for r in ROWS}
DIMS = {"party": 1, "mode": 2, "direction": 3, "country": 4, "district": 5, "park": 6, "currency": 7}


async def load(stats: StatsApi) -> None:
    events: list[Any] = [
        registered(p, uscc=u, district=d, park=k)
        for p, u, d, k in (
            ("EA", "91320700MA1XYZ0001", "haizhou", "haizhou_cbec_park"),
            ("EB", "91320700MA1XYZ0002", "lyg_comprehensive_bonded_zone", "lyg_bonded_zone_cbec_park"),
            ("EC", "91320700MA1XYZ0003", "donghai", "donghai_crystal_export_incubator"),
        )
    ]
    for doc, party, mode, direction, country, district, park, currency, value, when in ROWS:
        fact = facts(
            doc,
            party,
            mode=mode,
            direction=direction,
            country=country,
            district=district,
            park=park,
            currency=currency,
            value=value,
            rate="7.1" if currency == "502" else "1",
            chapters=[("71" if party == "EC" else "61", value)],
        )
        events.append(released(fact, at(when)))
    cancelled = facts("X1", "EA", value="999.00")
    events += [
        released(cancelled, at("2026-03-06 10:00")),
        status(cancelled, "cancelled", at("2026-03-07 10:00")),
    ]
    events += [
        traffic("EA", dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC), 40, 2),
        traffic("EB", dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC), 10, 0),
    ]
    await stats.feed(events)


def expected(where: dict[str, str], first: str = "2026-01-01", last: str = "2026-12-31") -> Decimal:
    total = Decimal(0)
    for row in ROWS:
        day = dt.date.fromisoformat(row[9][:10])
        if not (dt.date.fromisoformat(first) <= day <= dt.date.fromisoformat(last)):
            continue
        if all(row[DIMS[k]] == v for k, v in where.items()):
            total += VALUE[row[0]]
    return total


async def rows(stats: StatsApi, path: str, who: Any = None, **params: Any) -> list[dict[str, Any]]:
    response = await stats.get(path, who, params=params) if who else await stats.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("dim", list(DIMS))
async def test_totals_filter_and_group_by_every_dimension(stats: StatsApi, dim: str) -> None:
    await load(stats)
    values = sorted({r[DIMS[dim]] for r in ROWS})
    grouped = await rows(stats, "/v1/stats/totals", **{"from": "2026", "to": "2026", "group_by": dim})
    by_group = {r[dim if dim != "party" else "party_id"]: Decimal(r["value"]) for r in grouped}
    filtered = {
        v: Decimal(
            (await rows(stats, "/v1/stats/totals", **{"from": "2026", "to": "2026", dim: v}))[0]["value"]
        )
        if expected({dim: v})
        else None
        for v in values
    }
    assert by_group == {v: expected({dim: v}) for v in values if expected({dim: v})}
    assert {v: x for v, x in filtered.items() if x is not None} == by_group


async def test_series_buckets_and_growth(stats: StatsApi) -> None:
    await load(stats)
    month = {
        r["bucket"]: r for r in await rows(stats, "/v1/stats/series", **{"from": "2026-01", "to": "2026-04"})
    }
    quarter = await rows(
        stats, "/v1/stats/series", granularity="quarter", **{"from": "2026", "to": "2026-06"}
    )
    year = await rows(stats, "/v1/stats/series", granularity="year", **{"from": "2025", "to": "2026"})
    day = await rows(
        stats, "/v1/stats/series", granularity="day", **{"from": "2026-03-31", "to": "2026-04-01"}
    )
    growth = {
        r["figure"]: r for r in await rows(stats, "/v1/stats/growth", at="2026-03-15", **{"from": "2026"})
    }
    assert {k: (v["value"], v["mom"], v["yoy"]) for k, v in month.items()} == {
        "2026-01": ("0.00", None, None),
        "2026-02": ("700.00", None, None),
        "2026-03": ("1800.00", "1.5714", "0.8000"),
        "2026-04": ("2710.00", "0.5056", None),
    }
    assert [(r["bucket"], r["value"]) for r in quarter] == [("2026-Q1", "2500.00"), ("2026-Q2", "2710.00")]
    assert [(r["bucket"], r["value"], r["yoy"]) for r in year] == [
        ("2025", "1000.00", None),
        ("2026", "5210.00", "4.2100"),
    ]
    # 2026-04-01 00:30 Beijing is 2026-03-31 16:30 UTC: the fact belongs to 1 April.
    assert [(r["bucket"], r["value"]) for r in day] == [("2026-03-31", "0.00"), ("2026-04-01", "710.00")]
    assert (
        growth["value"]["current"],
        growth["value"]["previous"],
        growth["value"]["last_year"],
        growth["orders"]["current"],
    ) == ("1800.00", "700.00", "1000.00", "2")


async def test_rankings_of_enterprises_countries_and_chapters(stats: StatsApi) -> None:
    await load(stats)
    top = await rows(stats, "/v1/stats/rankings/enterprises", limit=2, **{"from": "2026", "to": "2026"})
    countries = await rows(stats, "/v1/stats/rankings/countries", **{"from": "2026", "to": "2026"})
    chapters = await rows(stats, "/v1/stats/rankings/chapters", **{"from": "2026-01-15", "to": "2026-12-31"})
    by_orders = await rows(stats, "/v1/stats/rankings/modes", by="orders", **{"from": "2026", "to": "2026"})
    assert [(r["party_id"], r["name"], r["value"]) for r in top] == [
        ("EA", "连云港EA跨境电商有限公司", "2210.00"),
        ("EC", "连云港EC跨境电商有限公司", "2000.00"),
    ]
    assert [(r["country"], r["value"], r["share"]) for r in countries] == [
        ("304", "2000.00", "0.3839"),
        ("502", "1500.00", "0.2879"),
        ("116", "1000.00", "0.1919"),
        ("303", "710.00", "0.1363"),
    ]
    assert [(r["chapter"], r["value"]) for r in chapters] == [("61", "3210.00"), ("71", "2000.00")]
    assert [(r["mode"], r["orders"]) for r in by_orders][0] == ("1210", 2)


async def test_active_and_newly_active_enterprises_by_district_and_park(stats: StatsApi) -> None:
    await load(stats)
    active = await rows(
        stats,
        "/v1/stats/enterprises/active",
        granularity="quarter",
        group_by="park",
        **{"from": "2026", "to": "2026-06"},
    )
    new = await rows(
        stats,
        "/v1/stats/enterprises/new",
        granularity="year",
        group_by="district",
        **{"from": "2025", "to": "2026"},
    )
    listed = await rows(stats, "/v1/stats/enterprises/new/list", **{"from": "2026", "to": "2026"})
    assert {(r["bucket"], r["park"], r["enterprises"]) for r in active} == {
        ("2026-Q1", "haizhou_cbec_park", 1),
        ("2026-Q1", "lyg_bonded_zone_cbec_park", 1),
        ("2026-Q2", "haizhou_cbec_park", 1),
        ("2026-Q2", "donghai_crystal_export_incubator", 1),
    }
    assert [(r["bucket"], r["district"], r["enterprises"]) for r in new] == [
        ("2025", "haizhou", 1),
        ("2026", "donghai", 1),
        ("2026", "lyg_comprehensive_bonded_zone", 1),
    ]
    assert [(r["party_id"], r["first_day"]) for r in listed] == [("EB", "2026-02-10"), ("EC", "2026-04-15")]


async def test_platform_operating_figures(stats: StatsApi) -> None:
    await load(stats)
    figures = {
        r["figure"]: r["current"]
        for r in await rows(stats, "/v1/stats/platform", **{"from": "2026", "to": "2026"})
    }
    assert (
        figures["connected_parties"],
        figures["api_calls"],
        figures["api_errors"],
        figures["trade_inventories"],
        figures["trade_value_cny"],
    ) == ("3", "50", "2", "5", "5210.00")


async def test_an_enterprise_sees_only_its_own_figures(stats: StatsApi) -> None:
    await load(stats)
    a = enterprise("EA")
    period = {"from": "2026", "to": "2026"}
    totals = await rows(stats, "/v1/stats/totals", a, group_by="party", **period)
    ranking = await rows(stats, "/v1/stats/rankings/enterprises", a, **period)
    countries = await rows(stats, "/v1/stats/rankings/countries", a, **period)
    series = await rows(stats, "/v1/stats/series", a, granularity="year", **period)
    csv = (
        await stats.get("/v1/stats/totals", a, params={"group_by": "party", "format": "csv", **period})
    ).text
    summary = (await stats.get("/v1/stats/summary", a)).json()
    refused = {
        path: (await stats.get(path, a, params=params)).status_code
        for path, params in (
            ("/v1/stats/totals", {"party": "EB"}),
            ("/v1/stats/rankings/enterprises", {"party": "EA,EB"}),
            ("/v1/stats/enterprises/active", {}),
            ("/v1/stats/enterprises/new", {}),
            ("/v1/stats/enterprises/new/list", {}),
            ("/v1/stats/platform", {}),
            ("/v1/stats/rewards/runs", {}),
            ("/v1/stats/rewards/policies", {}),
            ("/v1/stats/exchange-rates", {}),
            ("/v1/stats/facts/B1", {}),
        )
    }
    assert [(r["party_id"], r["value"]) for r in totals] == [("EA", "2210.00")]
    assert [r["party_id"] for r in ranking] == ["EA"]
    assert {r["country"] for r in countries} == {"502", "303"}
    assert [r["value"] for r in series] == ["2210.00"]
    assert "EB" not in csv and "EA" in csv
    assert (summary["scope"], summary["valueCny"]) == ("EA", "3210.00")
    assert refused == {
        "/v1/stats/totals": 403,
        "/v1/stats/rankings/enterprises": 403,
        "/v1/stats/enterprises/active": 403,
        "/v1/stats/enterprises/new": 403,
        "/v1/stats/enterprises/new/list": 403,
        "/v1/stats/platform": 403,
        "/v1/stats/rewards/runs": 403,
        "/v1/stats/rewards/policies": 403,
        "/v1/stats/exchange-rates": 403,
        "/v1/stats/facts/B1": 404,
    }
    assert (await stats.get("/v1/stats/facts/A2", a)).status_code == 200


QUERIES = [
    ("/v1/stats/totals", {"group_by": "mode,country"}),
    ("/v1/stats/series", {"split": "mode"}),
    ("/v1/stats/rankings/enterprises", {}),
    ("/v1/stats/rankings/chapters", {}),
    ("/v1/stats/growth", {}),
    ("/v1/stats/enterprises/active", {"group_by": "district"}),
    ("/v1/stats/enterprises/new", {"group_by": "park"}),
    ("/v1/stats/enterprises/new/list", {}),
    ("/v1/stats/platform", {}),
    ("/v1/stats/platform/traffic", {}),
]


async def test_every_query_exports_as_csv_and_xlsx(stats: StatsApi) -> None:
    await load(stats)
    seen = []
    for path, params in QUERIES:
        base = {"from": "2026", "to": "2026", **params}
        json_rows = (await stats.get(path, params=base)).json()["rows"]
        csv = await stats.get(path, params={**base, "format": "csv", "lang": "en"})
        xlsx = await stats.get(path, params={**base, "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        csv_lines = csv.content.decode("utf-8-sig").strip().splitlines()
        seen.append(
            (
                path,
                csv.headers["content-type"].split(";")[0],
                len(csv_lines) - 2,
                sheet.max_row - 3,
                "attachment" in xlsx.headers["content-disposition"],
            )
        )
        assert len(json_rows) == len(csv_lines) - 2 == sheet.max_row - 3, path
    assert all(ctype == "text/csv" and attached for _p, ctype, _c, _x, attached in seen)


async def test_text_that_looks_like_a_formula_stays_text_in_exports(stats: StatsApi) -> None:
    await stats.feed(
        [
            registered("EV", uscc="91320700MA1XYZ0009", name='=HYPERLINK("http://x")'),
            released(facts("V1", "EV"), at("2026-05-01 10:00")),
        ]
    )
    params = {"from": "2026", "to": "2026", "group_by": "party"}
    csv = (await stats.get("/v1/stats/totals", params={**params, "format": "csv"})).content.decode(
        "utf-8-sig"
    )
    xlsx = (await stats.get("/v1/stats/totals", params={**params, "format": "xlsx"})).content
    cell = load_workbook(io.BytesIO(xlsx)).active.cell(row=4, column=2)
    assert "'=HYPERLINK" in csv
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


async def test_exchange_rates_load_with_errors_as_problems(stats: StatsApi) -> None:
    await stats.feed([released(facts("R1", value="10.00", currency="502", rate="7"), at("2026-06-01 10:00"))])
    bad = await stats.post("/v1/stats/exchange-rates", ADMIN, json={"csv": "502,2026-06,-1\n"})
    good = await stats.post(
        "/v1/stats/exchange-rates", ADMIN, json={"csv": "502,2026-06,7.0500\n", "source": "GACC"}
    )
    fact = (await stats.get("/v1/stats/facts/R1")).json()
    assert (bad.status_code, bad.headers["content-type"], bad.json()["code"]) == (
        422,
        "application/problem+json",
        "request.validation_failed",
    )
    assert (good.json()["factsRevalued"], fact["valueCny"], fact["cnyRate"], fact["rateMonth"]) == (
        1,
        "70.50",
        "7.05000",
        "2026-06",
    )


async def test_returns_show_in_totals_of_their_documents_month(stats: StatsApi) -> None:
    doc = facts("T1", value="100.00")
    await stats.feed(
        [released(doc, at("2026-07-30 10:00")), returned(doc, "R1", "40.00", at("2026-08-02 10:00"))]
    )
    months = {
        r["bucket"]: (r["value"], r["returned"])
        for r in await rows(stats, "/v1/stats/series", **{"from": "2026-07", "to": "2026-08"})
    }
    assert months == {"2026-07": ("60.00", "40.00"), "2026-08": ("0.00", "0.00")}


async def test_unknown_dimensions_and_bad_dates_are_problems(stats: StatsApi) -> None:
    bad = {
        path: (await stats.get(path, params=params)).json()["code"]
        for path, params in (
            ("/v1/stats/totals", {"group_by": "colour"}),
            ("/v1/stats/totals", {"from": "soon"}),
            ("/v1/stats/series", {"granularity": "week"}),
            ("/v1/stats/rankings/planets", {}),
        )
    }
    assert set(bad.values()) == {"request.validation_failed"}


async def test_a_rate_file_is_loaded_at_start_up(sqlite_url: str, tmp_path: Any) -> None:
    from services.stats.app import create_app
    from tests.stats.conftest import stats_settings
    from tests.support.services import running_app

    rates = tmp_path / "gacc-2026-11.csv"
    rates.write_text(
        "# customs monthly rates, November 2026\ncurrency,month,cny_per_unit\n502,2026-11,7.1234\n"
    )
    app = create_app(stats_settings(sqlite_url, exchange_rates_file=rates))
    async with running_app(app) as client:
        api = StatsApi(app, client)
        loaded = [
            r for r in (await api.get("/v1/stats/exchange-rates")).json()["rates"] if r["month"] == "2026-11"
        ]
        await api.feed([released(facts("F1", value="1.00", currency="502"), at("2026-11-20 10:00"))])
        fact = (await api.get("/v1/stats/facts/F1")).json()
    assert [(r["currency"], r["rate"], r["source"]) for r in loaded] == [("502", "7.12340", str(rates))]
    assert (fact["valueCny"], fact["rateMonth"], fact["rateSource"]) == ("7.12", "2026-11", "table")
