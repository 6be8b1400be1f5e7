"""The intake's orchestration on a fake unit of work: every step of a filing, without a database.

``file_in`` runs the real checks, rules, matching, storage decisions, status changes and
events; only the repositories are in-memory fakes (tests/declaration/intake/fakes.py) and
the publisher keeps events in a list. The same behaviours are proven against SQLite and
PostgreSQL through HTTP in tests/declaration/service/ — these are the fast, focused half.
"""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from services.declaration.ceb import codes
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.context import DeclarationContext
from services.declaration.documents.kinds import document_type
from services.declaration.intake.checks import NOT_YOURS_FOR_CHANGE
from services.declaration.intake.filed import Filed, RawBody
from services.declaration.intake.plans import Submission
from services.declaration.intake.service import file_in
from services.declaration.intake.storage import LostRace
from services.declaration.prechecks.rules import check_message
from services.declaration.quota.rules import QuotaLimits, from_e5
from services.declaration.settings import DeclarationSettings
from shared.identity import Identity
from shared.sqltypes import utcnow
from tests.declaration.intake.fakes import FakeDirectory, FakeStore
from tests.declaration.service.factory import (
    EBC,
    EVERYONE,
    IMPORT_FILERS,
    import_set,
    new_guid,
    party,
    with_records,
)

CTX = DeclarationContext.from_settings(DeclarationSettings())
DUPLICATE_ORDER = "-301010"  # customs: an order with this number exists on this platform
_OTHER_LINES = Decimal("120.50") + Decimal("10.00")  # line 2 + freight of the factory's inventory


@pytest.fixture
def store() -> FakeStore:
    """An empty platform whose directory knows the merchant (platforms file its orders by delegation)."""
    return FakeStore(directory=FakeDirectory({EBC: "merchant-1"}))


async def file(
    store: FakeStore, message: CebMessage, identity: Identity, ctx: DeclarationContext = CTX
) -> Filed:
    """What ``file_message`` does in one attempt: rules, then ``file_in`` on a fresh unit of work."""
    doc_type = document_type(message.message_type)
    assert doc_type is not None
    now = utcnow()
    rules = check_message(message, ctx.rules_for(message, now.astimezone(CUSTOMS_TZ).date()), ctx.limits)
    raw = RawBody(encode_xml(message), "xml", "application/xml")
    submission = Submission(ctx, identity, doc_type, message, raw, rules, now)
    return await file_in(store.unit_of_work(), store.publisher, submission)


def errors(filed: Filed, index: int = 0) -> list[str]:
    return [issue.code for issue in filed.answer.verdicts[index].errors]


def as_app_type(message: CebMessage, app_type: str) -> CebMessage:
    changed = copy.deepcopy(message)
    changed.guid = new_guid()
    changed.records[0].head.update(guid=new_guid(), appType=app_type)
    return changed


def inventory_worth(tag: str, dutiable: Decimal, buyer_id: str) -> CebMessage:
    """An import inventory whose dutiable value is ``dutiable``."""
    return import_set(tag, buyer_id=buyer_id, price=(dutiable - _OTHER_LINES) / 2)["inventory"]


async def file_set(store: FakeStore, documents: dict[str, CebMessage], order: list[str]) -> dict[str, Filed]:
    return {kind: await file(store, documents[kind], IMPORT_FILERS[kind]) for kind in order}


async def test_an_import_set_filed_in_order_matches_and_promotes_its_partners(store: FakeStore) -> None:
    documents = import_set("ORCH1")
    filed = await file_set(store, documents, ["order", "payment", "waybill", "inventory"])
    assert all(f.outcome == "accepted" for f in filed.values())
    assert filed["inventory"].results[0].status == "matched"
    assert set(store.documents.statuses().values()) == {"matched"}
    # Each acceptance (with the goods of the order and the inventory), then the three partners
    # moving to matched with the inventory's mode.
    assert store.publisher.types() == [
        *("DocumentAccepted", "DocumentGoods", "DocumentAccepted", "DocumentAccepted", "DocumentAccepted"),
        *("DocumentStatusChanged",) * 3,
        "DocumentGoods",
    ]
    inventory_id = filed["inventory"].results[0].document_id
    match = store.matches.matches[inventory_id]
    assert match["status"] == "matched" and None not in (match["order_id"], match["payment_id"])
    assert inventory_id in store.tax.assessments and store.quota.usages[inventory_id]["status"] == "held"


async def test_an_inventory_filed_first_waits_and_matches_when_its_last_partner_arrives(
    store: FakeStore,
) -> None:
    documents = import_set("ORCH2")
    first = await file(store, documents["inventory"], IMPORT_FILERS["inventory"])
    assert first.results[0].status == "waiting"
    await file_set(store, documents, ["order", "payment"])
    inventory_id = first.results[0].document_id
    assert store.matches.matches[inventory_id]["report"]["waitingFor"] == ["waybill"]
    await file(store, documents["waybill"], IMPORT_FILERS["waybill"])
    assert set(store.documents.statuses().values()) == {"matched"}


async def test_a_filing_locks_every_key_it_checks(store: FakeStore) -> None:
    await file(store, import_set("ORCH3")["inventory"], IMPORT_FILERS["inventory"])
    (locked,) = store.locks.locked
    assert {key.split(":", 1)[0] for key in locked} == {"dedup", "order", "waybill", "quota"}


async def test_a_second_order_with_the_same_number_is_a_duplicate_and_stores_nothing(
    store: FakeStore,
) -> None:
    order = import_set("ORCH4")["order"]
    await file(store, order, IMPORT_FILERS["order"])
    again = await file(store, as_app_type(order, "1"), IMPORT_FILERS["order"])
    assert (again.outcome, errors(again)) == ("rejected", [DUPLICATE_ORDER])
    assert len(store.documents.rows) == 1 and len(store.documents.filings) == 2


async def test_two_records_with_one_key_in_a_message_keep_the_first(store: FakeStore) -> None:
    order = import_set("ORCH5")["order"]
    order.records.append(copy.deepcopy(order.records[0]))
    filed = await file(store, order, IMPORT_FILERS["order"])
    assert filed.outcome == "partial" and errors(filed, 1) == [DUPLICATE_ORDER]
    assert "earlier in this message" in filed.answer.verdicts[1].errors[0].message


async def test_the_configured_annual_limit_is_the_one_the_quota_applies(store: FakeStore) -> None:
    ctx = dataclasses.replace(CTX, limits=QuotaLimits(annual=Decimal("10000")))
    buyer = "320703199001017777"
    answers = [
        await file(store, inventory_worth(f"ORCH6{n}", Decimal("4000"), buyer), EVERYONE, ctx)
        for n in range(3)
    ]
    assert [errors(a) for a in answers] == [[], [], [codes.ANNUAL_LIMIT]]
    assert from_e5(sum(store.quota.totals.values())) == Decimal("8000")


async def test_inventories_of_one_buyer_in_one_message_count_together(store: FakeStore) -> None:
    buyer = "320703199001016666"
    await file(store, inventory_worth("ORCH11", Decimal("4000"), buyer), EVERYONE)
    batch = with_records(inventory_worth("ORCH12", Decimal("5000"), buyer), 5, "B")
    filed = await file(store, batch, EVERYONE)
    # 4000 held, then 5000 × 4 = 24000 granted in index order; the fifth would reach 29000.
    assert [errors(filed, i) for i in range(5)] == [[], [], [], [], [codes.ANNUAL_LIMIT]]
    assert from_e5(sum(store.quota.totals.values())) == Decimal("24000")


async def test_an_amendment_by_another_party_is_refused(store: FakeStore) -> None:
    order = import_set("ORCH7")["order"]
    await file(store, order, EVERYONE)
    other = party("other-filer", *((c, []) for c in ("3207960001", "3207960002", "3101960003")))
    refused = await file(store, as_app_type(order, "2"), other)
    assert errors(refused) == [NOT_YOURS_FOR_CHANGE]


async def test_an_amendment_rewrites_the_document_and_records_the_change(store: FakeStore) -> None:
    order = import_set("ORCH8")["order"]
    first = await file(store, order, EVERYONE)
    changed = as_app_type(order, "2")
    changed.records[0].head["note"] = "地址更正"
    second = await file(store, changed, EVERYONE)
    document_id = first.results[0].document_id
    assert second.results[0].action == "amended" and second.results[0].document_id == document_id
    row = store.documents.rows[document_id]
    assert row["revision"] == 2 and row["body"]["head"]["note"] == "地址更正"
    assert [(c["from_status"], c["to_status"]) for c in store.documents.changes] == [
        (None, "accepted"),
        ("accepted", "accepted"),
    ]


async def test_deleting_an_inventory_frees_its_key_and_gives_its_quota_back(store: FakeStore) -> None:
    inventory = inventory_worth("ORCH9", Decimal("3000"), "320703199001018888")
    first = await file(store, inventory, EVERYONE)
    deleted = await file(store, as_app_type(inventory, "3"), EVERYONE)
    document_id = first.results[0].document_id
    row: dict[str, Any] = store.documents.rows[document_id]
    assert (deleted.results[0].status, row["status"], row["dedup_key"]) == ("deleted", "deleted", None)
    assert store.quota.usages[document_id]["status"] == "released" and set(store.quota.totals.values()) == {0}


async def test_a_deletion_the_customs_exchange_overtook_is_a_lost_race(store: FakeStore) -> None:
    order = import_set("ORCH10")["order"]
    first = await file(store, order, EVERYONE)
    store.documents.refuse_changes_to.add(first.results[0].document_id)
    with pytest.raises(LostRace):
        await file(store, as_app_type(order, "3"), EVERYONE)
