"""A list's own page sizes and its old cursor name, kept as a deprecated alias of ``cursor``."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, FastAPI

from shared.kit.pagination import PageRequest, page_request_for

app = FastAPI()


@app.get("/things")
async def things(
    page: Annotated[PageRequest, Depends(page_request_for(alias="before", default_limit=7, max_limit=9))],
) -> dict[str, object]:
    return {"cursor": page.cursor, "limit": page.limit, "parameter": page.parameter}


@app.get("/plain")
async def plain(
    page: Annotated[PageRequest, Depends(page_request_for(default_limit=3))],
) -> dict[str, object]:
    return {"cursor": page.cursor, "limit": page.limit}


async def get(path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get(path)


async def test_the_old_name_takes_the_cursor_and_errors_will_name_it() -> None:
    answer = (await get("/things?before=abc")).json()
    assert answer == {"cursor": "abc", "limit": 7, "parameter": "before"}


async def test_cursor_wins_over_the_old_name() -> None:
    answer = (await get("/things?before=old&cursor=new&limit=9")).json()
    assert answer == {"cursor": "new", "limit": 9, "parameter": "cursor"}


async def test_the_list_keeps_its_own_bounds() -> None:
    assert (await get("/things?limit=10")).status_code == 422


def test_the_old_name_is_documented_as_deprecated_and_only_where_given() -> None:
    paths = app.openapi()["paths"]
    names = {p["name"]: p.get("deprecated", False) for p in paths["/things"]["get"]["parameters"]}
    assert names == {"cursor": False, "limit": False, "before": True}
    assert {p["name"] for p in paths["/plain"]["get"]["parameters"]} == {"cursor", "limit"}
