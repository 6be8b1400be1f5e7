"""Every gateway list answers ``{"items", "next_cursor"}`` with opaque cursors: a walk sees each
item once, filters never cut a page short, a bad cursor is a 422 naming its parameter, and the
old parameter names (``after``, ``before``) still take the cursor."""

from __future__ import annotations

from typing import Any

from tests.gateway.support import Gateway, PartyKey


async def _walk(gw: Gateway, who: PartyKey, path: str, param: str = "cursor") -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        sep = "&" if "?" in path else "?"
        response = await gw.call("GET", path + (f"{sep}{param}={cursor}" if cursor else ""), who)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the walk does not end"


async def test_a_role_filtered_listing_returns_every_party_of_the_role_across_pages(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    # Interleave the roles so that pages of the unfiltered order hold both.
    banks = set()
    for n in range(7):
        party = await gw.onboard("bank" if n % 2 == 0 else "regulator", name=f"P{n}")
        if n % 2 == 0:
            banks.add(party.party_id)
    pages = await _walk(gw, gw.admin, "/v1/parties?role=bank&limit=2")
    listed = [p["id"] for page in pages for p in page]
    assert len(listed) == len(set(listed)) and banks <= set(listed)
    assert all("bank" in p["roles"] for page in pages for p in page)
    assert all(len(page) == 2 for page in pages[:-1])  # no page cut short by the filter


async def test_parties_are_listed_in_id_order_and_the_deprecated_after_walks_the_same(
    gateway: Gateway,
) -> None:
    for _ in range(3):
        await gateway.onboard("regulator")
    by_cursor = await _walk(gateway, gateway.admin, "/v1/parties?limit=2")
    by_after = await _walk(gateway, gateway.admin, "/v1/parties?limit=2", param="after")
    ids = [p["id"] for page in by_cursor for p in page]
    assert ids == sorted(ids) and ids == [p["id"] for page in by_after for p in page]


async def test_the_audit_log_walks_newest_first_with_each_row_once(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    for _ in range(4):
        await gateway.call("GET", "/v1/parties/me", ent)
    await gateway.flush_audit()
    pages = await _walk(gateway, ent, "/v1/audit?limit=2", param="before")
    ids = [row["id"] for page in pages for row in page]
    assert len(ids) >= 4 and ids == sorted(set(ids), reverse=True)


async def test_a_cursor_the_audit_log_did_not_issue_is_a_422_naming_the_parameter(gateway: Gateway) -> None:
    answers = [
        await gateway.call("GET", f"/v1/audit?{param}=28991149296251566030848", gateway.admin)
        for param in ("before", "cursor")
    ]
    assert [(a.status_code, a.json()["errors"][0]["pointer"]) for a in answers] == [
        (422, "/query/before"),
        (422, "/query/cursor"),
    ]


async def test_own_credentials_page_newest_first(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    second = await gateway.call("POST", "/v1/credentials", ent, json_body={"label": "rotation"})
    pages = await _walk(gateway, ent, "/v1/credentials?limit=1")
    assert [page[0]["key_id"] for page in pages] == [second.json()["key_id"], ent.key_id]
