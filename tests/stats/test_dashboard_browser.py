"""The regulator dashboard in a real browser, served through the real gateway.

Stats and the gateway run as HTTP servers in this process; the page signs in with a
regulator credential at the gateway's OAuth2 token endpoint, and every figure it
shows comes from facts fed through the stats consumer. The page and its static files
pass the gateway without credentials (they hold no data); the page's data calls carry
the token it obtained at sign-in.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from services.gateway.app import create_app as gateway_app
from services.stats.app import create_app as stats_app
from tests.gateway.support import Gateway, PartyKey, gateway_settings, read_first_run
from tests.stats.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.stats.conftest import REGULATOR, StatsApi, stats_settings
from tests.stats.support import at, facts, feed, funds_month, registered, released
from tests.stats.test_claim_figures import claim
from tests.stats.test_logistics_figures import journey
from tests.stats.test_warehouses import month as warehouse_month
from tests.stats.test_warehouses import profiled
from tests.support.infra import free_port
from tests.support.services import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FERRY = "3207980001"
TRAIN = "3207980002"


@dataclass
class Platform:
    gateway_url: str
    regulator: PartyKey
    enterprise: PartyKey
    stats: StatsApi
    year_value: Decimal


def demo_events() -> tuple[list[Any], Decimal]:
    rows = [
        ("E1", "9610", "export", "502", "haizhou", "haizhou_cbec_park", "1200.00"),
        (
            "E2",
            "1210",
            "import",
            "116",
            "lyg_comprehensive_bonded_zone",
            "lyg_bonded_zone_cbec_park",
            "800.00",
        ),
        ("E3", "9710", "export", "303", "donghai", "donghai_crystal_export_incubator", "500.00"),
        ("E4", "9810", "export", "304", "ganyu", "ganyu_cbec_incubator", "300.00"),
    ]
    uscc = {
        "E1": "91320700MA1XYZ0001",
        "E2": "91320700MA1XYZ0002",
        "E3": "91320700MA1XYZ0003",
        "E4": "91320700MA1XYZ0004",
    }
    events: list[Any] = [
        registered(p, uscc=uscc[p], district=d, park=k) for p, _m, _dir, _c, d, k, _v in rows
    ]
    total = Decimal(0)
    for month in (1, 2, 3):
        for party, mode, direction, country, district, park, value in rows:
            doc = facts(
                f"{party}-{month}",
                party,
                mode=mode,
                direction=direction,
                country=country,
                district=district,
                park=park,
                value=value,
            )
            events.append(released(doc, at(f"2026-0{month}-10 10:00")))
            total += Decimal(value)
    return events, total


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    require_browser()
    var = tmp_path_factory.mktemp("dashboard")
    stats = stats_app(stats_settings(f"sqlite+aiosqlite:///{var / 'stats.db'}"))
    async with served(stats) as stats_url:
        api = StatsApi(stats, httpx.AsyncClient(base_url=stats_url))
        events, total = demo_events()
        await feed(api.db, events)
        # The funds side of February (from payments): E1 half paid, E3 fully.
        await feed(
            api.db,
            [
                funds_month("E1", "2026-02", "600.00", "600.00"),
                funds_month("E3", "2026-02", "500.00", "500.00"),
            ],
        )
        # Journeys: two on the Lianyungang–Incheon ferry (40 h and 60 h, one held by customs),
        # one China–Europe train through Khorgos (300 h).
        await feed(
            api.db,
            [
                journey("S1", transit="40", customs="4", exceptions={"customs_held": 1}, carrier=FERRY),
                journey("S2", transit="60", customs="8", carrier=FERRY),
                journey("R1", mode="rail", route="rail_khorgos", transit="300", carrier=TRAIN),
            ],
        )
        # Warehouses: WH1 public, certified municipal, two months filed (2 × 1,000 units in,
        # 300 + 200 orders = 1,000 units out; March: 7,500 of 12,000 m² used, stock 35.4 days old);
        # WH2 for its operator's own use, nothing filed.
        await feed(
            api.db,
            [
                profiled("WH1", "OP1"),
                profiled("WH2", "OP2", usage="own", name="WH2 自营仓"),
                warehouse_month("WH1", "OP1", "2026-02", orders=300, area_used="9000", age="40.25"),
                warehouse_month("WH1", "OP1", "2026-03", orders=200, area_used="7500", age="35.44"),
            ],
        )
        assessed = await api.post(
            "/v1/stats/warehouses/WH1/assessments",
            REGULATOR,
            json={
                "level": "municipal",
                "decision": "certified",
                "year": 2026,
                "certified_on": "2026-06-30",
                "basis": "连商务〔2026〕12号",
            },
        )
        assert assessed.status_code == 201, assessed.text
        # Claims: one against the ferry carrier (2 shipments), paid after 12 days: 50.0 %.
        await feed(
            api.db,
            [claim("K1", carrier=FERRY, revision=4, status="paid", approved="600.00", paid_after_days=12)],
        )
        run = await api.post(
            "/v1/stats/rewards/runs", REGULATOR, json={"policy": "lyg-cbec-rewards-2026-example"}
        )
        assert run.status_code == 201, run.text
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{var / 'gateway.db'}", f"127.0.0.1:{free_port()}", var, stats_url=stats_url
        )
        async with (
            served(gateway_app(settings)) as gateway_url,
            httpx.AsyncClient(base_url=gateway_url) as client,
        ):
            first = read_first_run(Path(var))["platform_admin"]
            admin = PartyKey(first["party_id"], first["key_id"], first["secret"], ["platform_admin"])
            gateway = Gateway(gateway_app, client, admin, settings)  # type: ignore[arg-type]
            regulator = await gateway.onboard("regulator", name="连云港市商务局")
            enterprise = await gateway.enterprise()
            yield Platform(gateway_url, regulator, enterprise, api, total)
        await api.client.aclose()


@pytest.fixture(scope="module")
async def browser(platform: Platform) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        instance = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        await instance.close()


def read_bytes(path: str) -> bytes:
    """A downloaded file's content (a plain function: the test's async code does no file I/O itself)."""
    return Path(path).read_bytes()


async def open_dashboard(
    browser: Any, platform: Platform, who: PartyKey, query: str = "", *, secret: str | None = None
) -> Any:
    context = await browser.new_context(accept_downloads=True, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{platform.gateway_url}/v1/stats/dashboard/?from=2026-01-01&to=2026-12-31{query}")
    await sign_in(page, who.key_id, who.secret if secret is None else secret)
    return page


async def sign_in(page: Any, key_id: str, secret: str) -> None:
    await page.fill("#key-id", key_id)
    await page.fill("#secret", secret)
    await page.click("#login-form button[type=submit]")


async def login_message(page: Any) -> str:
    await page.wait_for_function("() => document.getElementById('login-error').textContent !== ''")
    return await page.text_content("#login-error") or ""


async def wait_ready(page: Any, *charts: str) -> None:
    for name in charts:
        await page.wait_for_selector(f"#chart-{name}[data-state=ready]", timeout=30000)


async def wait_text(page: Any, selector: str, text: str) -> None:
    """Wait until the element's text is ``text`` (a redraw replaces the element)."""
    await page.wait_for_function(
        "([s, t]) => ((document.querySelector(s) || {}).textContent || '') === t",
        arg=[selector, text],
        timeout=30000,
    )


async def option(page: Any, chart: str) -> dict[str, Any]:
    return await page.evaluate(f"() => window.ddtDashboard.chart('{chart}').getOption()")  # type: ignore[no-any-return]


CHARTS = ("volume", "district", "country", "enterprises", "parks")


async def test_the_charts_show_the_real_figures(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, *CHARTS)
    await page.wait_for_selector("#reward[data-state=ready]")
    await page.wait_for_selector("#kpis[data-state=ready]", timeout=30000)
    volume = await option(page, "volume")
    shown = sum(Decimal(str(v)) for s in volume["series"] for v in s["data"])
    enterprises = await option(page, "enterprises")
    points = {name: int(await page.get_attribute(f"#chart-{name}", "data-points")) for name in CHARTS}
    assert (shown, sorted(s["name"] for s in volume["series"]), points) == (
        platform.year_value,
        ["1210", "9610", "9710", "9810"],
        {"volume": 12, "district": 4, "country": 4, "enterprises": 4, "parks": 4},
    )
    assert enterprises["yAxis"][0]["data"][0] == "连云港E1跨境电商有限公司"
    assert f"{platform.year_value:,.2f}" in (await page.text_content("#kpi-value") or "")
    assert "lyg-cbec-rewards-2026-example" in (await page.text_content("#reward-summary") or "")
    if os.environ.get("DDT_SCREENSHOT_DIR"):  # for a person to look at the page
        await page.set_viewport_size({"width": 1400, "height": 1700})
        await page.screenshot(
            path=str(Path(os.environ["DDT_SCREENSHOT_DIR"]) / "dashboard.png"), full_page=True
        )
    await page.context.close()


async def test_filters_change_the_data(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "volume")
    await page.select_option("#f-mode", "1210")
    await page.click("#apply")
    await page.wait_for_function(
        "() => { const o = window.ddtDashboard.chart('volume').getOption();"
        " return o.series.length === 1 && o.series[0].name === '1210'; }",
        timeout=30000,
    )
    await wait_ready(page, "enterprises")
    enterprises = await option(page, "enterprises")
    assert enterprises["yAxis"][0]["data"] == ["连云港E2跨境电商有限公司"]
    await page.context.close()


async def test_the_language_switches_to_english_and_back(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "volume")
    assert await page.text_content("#title") == "点点通跨境电商监管看板"
    await page.click("#lang")
    await wait_ready(page, "volume", "parks")
    english = (
        await page.text_content("#title"),
        await page.text_content("[data-chart=volume] h2"),
        (await option(page, "volume"))["yAxis"][0]["name"],
    )
    await page.click("#lang")
    await page.wait_for_function(
        "() => document.getElementById('title').textContent === '点点通跨境电商监管看板'"
    )
    assert english == (
        "Diandiantong Cross-border E-commerce Regulator Dashboard",
        "Trade over time by customs mode",
        "Value (CNY)",
    )
    await page.context.close()


async def test_export_buttons_download_csv_and_xlsx_with_the_names_on_screen(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "district")
    shown_districts = (await option(page, "district"))["yAxis"][0]["data"]
    async with page.expect_download() as csv_download:
        await page.click("[data-chart=district] button.export[data-format=csv]")
    csv_text = read_bytes(await (await csv_download.value).path()).decode("utf-8-sig")
    async with page.expect_download() as xlsx_download:
        await page.click("[data-chart=enterprises] button.export[data-format=xlsx]")
    sheet = load_workbook(io.BytesIO(read_bytes(await (await xlsx_download.value).path()))).active
    await page.wait_for_selector("#reward[data-state=ready]")
    async with page.expect_download(timeout=60000) as run_download:
        await page.click("#reward-export")
    run_book = load_workbook(io.BytesIO(read_bytes(await (await run_download.value).path())))
    assert csv_text.splitlines()[1].split(",")[:2] == ["排名", "区县/功能区"]
    assert csv_text.splitlines()[2].split(",")[:2] == ["1", "海州区"]
    assert [line.split(",")[1] for line in csv_text.splitlines()[2:]] == shown_districts
    assert [c.value for c in sheet[4]][:3] == [1, "E1", "连云港E1跨境电商有限公司"]
    assert {"Summary", "Amounts", "Explanations"} <= set(run_book.sheetnames)
    await page.context.close()


async def test_a_wrong_secret_shows_why_the_sign_in_failed(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.regulator, secret="ddts_" + "x" * 43)
    message = await login_message(page)
    assert (message, await page.is_visible("#login"), await page.is_hidden("#dashboard")) == (
        "登录失败：Key ID 或密钥不正确，或凭证已吊销、单位已停用。请核对后重试。",
        True,
        True,
    )
    await page.context.close()


async def test_a_refused_sign_in_is_not_answered_with_a_browser_login_challenge(
    browser: Any, platform: Platform
) -> None:
    # A Basic challenge on the token endpoint's 401 is what makes a browser open its own
    # login dialog over the page; the page authenticates in the form body, so none comes.
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{platform.gateway_url}/v1/stats/dashboard/")
    async with page.expect_response(lambda r: r.url.endswith("/oauth/token")) as answer:
        await sign_in(page, platform.regulator.key_id, "ddts_" + "x" * 43)
    response = await answer.value
    assert (response.status, "www-authenticate" in await response.all_headers()) == (401, False)
    await context.close()


async def test_the_sign_in_message_follows_the_language(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.regulator, secret="ddts_" + "x" * 43)
    await login_message(page)
    await page.click("#lang")
    assert (await page.text_content("#login-error") or "").startswith(
        "Sign-in failed: the key id or secret is wrong"
    )
    await page.context.close()


async def test_a_server_error_at_sign_in_says_so_with_its_status(browser: Any, platform: Platform) -> None:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.route("**/oauth/token", lambda route: route.fulfill(status=503, body="upstream down"))
    await page.goto(f"{platform.gateway_url}/v1/stats/dashboard/")
    await sign_in(page, platform.regulator.key_id, platform.regulator.secret)
    assert await login_message(page) == "登录失败：平台暂时无法签发令牌，请稍后重试。 (HTTP 503)"
    await context.close()


async def test_an_unreachable_platform_at_sign_in_says_so(browser: Any, platform: Platform) -> None:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.route("**/oauth/token", lambda route: route.abort("connectionrefused"))
    await page.goto(f"{platform.gateway_url}/v1/stats/dashboard/")
    await sign_in(page, platform.regulator.key_id, platform.regulator.secret)
    assert await login_message(page) == "登录失败：无法连接平台，请检查网络后重试。"
    await context.close()


async def test_the_page_icon_is_served(browser: Any, platform: Platform) -> None:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{platform.gateway_url}/v1/stats/dashboard/")
    href = await page.evaluate("() => document.querySelector('link[rel=icon]').href")
    icon = await context.request.get(href)
    assert (icon.status, icon.headers["content-type"]) == (200, "image/svg+xml")
    await context.close()


async def test_the_reward_table_names_its_rows_reward_subjects_in_both_languages(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await page.wait_for_selector("#reward[data-state=ready]", timeout=30000)
    chinese = await page.text_content("#reward-top th:first-child")
    await page.click("#lang")
    await page.wait_for_function(
        "() => ((document.querySelector('#reward-top th') || {}).textContent || '').startsWith('Reward')",
        timeout=30000,
    )
    english = await page.text_content("#reward-top th:first-child")
    assert (chinese, english) == (
        "奖励主体（企业、园区或孵化基地）",
        "Reward subject (enterprise, park or incubator)",
    )
    await page.context.close()


async def test_a_non_regulator_is_refused(browser: Any, platform: Platform) -> None:
    page = await open_dashboard(browser, platform, platform.enterprise)
    await page.wait_for_selector("#refused", state="visible", timeout=30000)
    assert (
        await page.is_hidden("#dashboard"),
        json.loads(await page.evaluate("() => JSON.stringify(Object.keys(window.ddtDashboard.charts))")),
    ) == (True, [])
    await page.context.close()


async def test_the_goods_funds_panel_flags_an_enterprise_and_explains_why(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator, "&month=2026-02")
    await page.wait_for_selector("#goods-funds[data-state=ready]", timeout=30000)
    flagged = await page.get_attribute("#goods-funds-table tr[data-party=E1]", "data-flagged")
    consistent = await page.get_attribute("#goods-funds-table tr[data-party=E3]", "data-flagged")
    explanation = await page.text_content("#goods-funds-table tr[data-party=E1] td.explanation") or ""
    assert (flagged, consistent) == ("true", "false")
    assert "50.0%" in explanation and "尚有 600.00 元未匹配" in explanation
    await page.click("#lang")
    cell = "#goods-funds-table tr[data-party=E1] td.explanation"
    await page.wait_for_function(
        f"() => ((document.querySelector('{cell}') || {{}}).textContent || '').includes('not yet matched')",
        timeout=30000,
    )
    header = await page.text_content("#goods-funds-panel h2")
    assert header == "Goods–funds consistency (per enterprise and month)"
    await page.context.close()


async def test_the_transit_panel_shows_each_routes_times_and_exceptions_in_both_languages(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "transit")
    transit = await option(page, "transit")
    ferry = "#transit-routes tr[data-route=ferry_lyg_inc]"
    assert (transit["yAxis"][0]["data"], transit["series"][0]["data"]) == (
        ["连云港—仁川海运快线", "中欧班列（霍尔果斯）"],
        [40, 300],  # nearest-rank medians: 40 of (40, 60); 300
    )
    assert await page.text_content(f"{ferry} td.exceptions") == "海关查扣 1"
    await page.click("#lang")
    cell = f"{ferry} td.exceptions"
    await page.wait_for_function(
        f"() => ((document.querySelector('{cell}') || {{}}).textContent || '') === 'held by customs 1'",
        timeout=30000,
    )
    assert await page.text_content("#transit-panel h2") == "Transit times and exceptions by mode and route"
    await page.context.close()


async def test_the_warehouse_panel_shows_each_warehouses_year_in_both_languages(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "warehouses")
    chart = await option(page, "warehouses")
    row = "#warehouses-rows tr[data-warehouse=WH1]"
    cells = {
        col: await page.text_content(f"{row} td[data-col={col}]") for col in ("whLevel", "whAreaUse", "whAge")
    }
    assert (chart["yAxis"][0]["data"], chart["series"][0]["data"], chart["series"][1]["data"]) == (
        ["WH1 公共海外仓", "WH2 自营仓"],
        [2000, 0],
        [1000, 0],
    )
    assert cells == {"whLevel": "市级", "whAreaUse": "62.5%", "whAge": "35.4"}
    summary = await page.text_content("#warehouses-summary") or ""
    assert summary.startswith("海外仓: 2 · 公共海外仓: 1 · 市级认定: 1")
    await page.click("#lang")
    await wait_text(page, f"{row} td[data-col=whLevel]", "municipal")
    assert await page.text_content("#warehouses-panel h2") == "Overseas warehouses"
    await page.context.close()


async def test_the_claims_panel_shows_each_carriers_rate_and_payout_time_in_both_languages(
    browser: Any, platform: Platform
) -> None:
    page = await open_dashboard(browser, platform, platform.regulator)
    await wait_ready(page, "claims")
    chart = await option(page, "claims")
    row = f"#claims-carriers tr[data-carrier='{FERRY}']"
    cells = {
        col: await page.text_content(f"{row} td[data-col={col}]") for col in ("clRate", "clP50", "clKinds")
    }
    assert (chart["yAxis"][0]["data"], chart["series"][0]["data"]) == ([FERRY, TRAIN], [50, 0])
    assert cells == {"clRate": "50.0%", "clP50": "12.0", "clKinds": "破损 1"}
    await page.click("#lang")
    await wait_text(page, f"{row} td[data-col=clKinds]", "damaged 1")
    assert await page.text_content("#claims-panel h2") == "Loss and damage claims by carrier"
    await page.context.close()
