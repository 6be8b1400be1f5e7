"""CSV and XLSX exports carry the names the dashboard shows (districts, parks, partner countries,
directions, reward-subject kinds) in the language asked for, taken from the one source the page
reads too (``/v1/stats/dashboard/names.json``); JSON keeps the ids and codes, for programs."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from tests.stats.conftest import StatsApi
from tests.stats.support import at, facts, registered, released

PERIOD = {"from": "2026", "to": "2026"}
GROUPED = {**PERIOD, "group_by": "district,park,country,direction"}


async def load(stats: StatsApi) -> None:
    await stats.feed(
        [
            registered("EA", uscc="91320700MA1XYZ0001", district="haizhou", park="haizhou_cbec_park"),
            released(
                facts(
                    "A1",
                    "EA",
                    direction="export",
                    country="502",
                    district="haizhou",
                    park="haizhou_cbec_park",
                    value="100.00",
                ),
                at("2026-03-05 10:00"),
            ),
            released(
                facts("A2", "EA", direction="import", country="999", district="", park="", value="50.00"),
                at("2026-03-06 10:00"),
            ),
        ]
    )


async def csv_rows(stats: StatsApi, path: str, **params: Any) -> list[dict[str, str]]:
    response = await stats.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    lines = response.content.decode("utf-8-sig").splitlines()[1:]  # the title line goes
    return list(csv.DictReader(lines))


async def test_a_chinese_csv_names_districts_parks_countries_and_directions_in_chinese(
    stats: StatsApi,
) -> None:
    await load(stats)
    rows = await csv_rows(stats, "/v1/stats/totals", **GROUPED, lang="zh")
    exported = {(r["区县/功能区"], r["园区/孵化基地"], r["国别(地区)"], r["进出口"]) for r in rows}
    assert ("海州区", "海州区跨境电子商务产业园", "美国", "出口") in exported


async def test_an_english_xlsx_names_them_in_english(stats: StatsApi) -> None:
    await load(stats)
    response = await stats.get("/v1/stats/totals", params={**GROUPED, "format": "xlsx", "lang": "en"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    exported = {tuple(c.value for c in row[:4]) for row in sheet.iter_rows(min_row=4)}
    assert (
        "Haizhou District",
        "Haizhou Cross-border E-commerce Industrial Park",
        "United States",
        "Export",
    ) in (exported)


async def test_a_code_without_a_name_is_exported_as_itself_and_an_empty_one_as_unknown(
    stats: StatsApi,
) -> None:
    await load(stats)
    rows = await csv_rows(stats, "/v1/stats/totals", **GROUPED, lang="zh")
    exported = {(r["区县/功能区"], r["园区/孵化基地"], r["国别(地区)"], r["进出口"]) for r in rows}
    assert ("未知", "未知", "999", "进口") in exported


async def test_json_answers_keep_the_ids_and_codes(stats: StatsApi) -> None:
    await load(stats)
    rows = (await stats.get("/v1/stats/totals", params=GROUPED)).json()["rows"]
    assert {(r["district"], r["park"], r["country"], r["direction"]) for r in rows} == {
        ("haizhou", "haizhou_cbec_park", "502", "export"),
        (None, None, "999", "import"),
    }


async def test_the_exports_write_the_names_the_dashboard_reads(stats: StatsApi) -> None:
    await load(stats)
    names = (await stats.client.get("/v1/stats/dashboard/names.json")).json()
    ranking = await csv_rows(stats, "/v1/stats/rankings/districts", **PERIOD, lang="en")
    parks = await csv_rows(stats, "/v1/stats/rankings/parks", **PERIOD, lang="en")
    countries = await csv_rows(stats, "/v1/stats/rankings/countries", **PERIOD, lang="en")
    assert (ranking[0]["District"], parks[0]["Park or incubator"], countries[0]["Partner country"]) == (
        names["district"]["haizhou"]["en"],
        names["park"]["haizhou_cbec_park"]["en"],
        names["country"]["502"]["en"],
    )


async def test_the_dashboards_names_need_no_identity(stats: StatsApi) -> None:
    response = await stats.client.get("/v1/stats/dashboard/names.json")
    assert (response.status_code, response.json()["direction"]["export"]) == (
        200,
        {"zh": "出口", "en": "Export"},
    )


async def test_the_dashboard_icon_is_served(stats: StatsApi) -> None:
    response = await stats.client.get("/v1/stats/dashboard/static/favicon.svg")
    assert (response.status_code, response.headers["content-type"]) == (200, "image/svg+xml")
