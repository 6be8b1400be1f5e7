"""Cancellations, returns and summaries checked against the inventories they name.

CEB623/CEB605 (cancel), CEB625 (import return), CEB213 (export return) and CEB701
(summary) name inventories by ``invtNo`` — the number customs assigned on 120, which the
platform learns from receipts (``customs_documents.invt_no``). When the inventory is one
the platform sent, the rules customs applies are checked before anything goes out, at
intake (the filer gets the customs code in the answer) and again when the exchange
sends (the inventory may have moved meanwhile):

* cancellation — only in the states customs allows (:data:`~.core.lifecycle.CANCELLABLE`:
  120, 300, 399, 800), else ``-623005``;
* import return — released (800/899), within the window after the release day (Beijing
  calendar days), lines matched to the inventory by gnum with the same gcode/gname/unit,
  quantities not above the original, counting earlier returns of the same inventory
  (:func:`~.core.lifecycle.check_import_return`);
* export return — released or closed, lines matched, quantities not above the original
  (:func:`~.core.lifecycle.check_export_return`);
* summary — every listed inventory released or closed, declared by the same agent for
  the same e-commerce enterprise, and not already in another live summary.

An ``invtNo`` the platform does not know (an inventory declared elsewhere) is left to
customs, which answers with its own receipt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Record, head_pointer, line_pointer
from services.declaration.customs.core.lifecycle import (
    DocumentKind,
    DocumentState,
    cancellation_refusal,
    check_export_return,
    check_import_return,
)
from services.declaration.customs.models import CustomsDocument
from services.declaration.customs.repository import CustomsStateRepository
from services.declaration.documents.models import Document
from services.declaration.documents.records import typed_record

SUMMARY_NOT_RELEASED = "DDT-E05"  # an inventory of a summary is not released or closed
ALREADY_SUMMARISED = "DDT-E06"  # an inventory is in another live summary already
OTHER_DECLARANT = "DDT-E07"  # the inventory was declared by another agent / for another enterprise

#: Message types that name inventories by invtNo, and the inventory type they name.
REFERRING: Mapping[str, str] = {
    "CEB623": "CEB621",
    "CEB625": "CEB621",
    "CEB605": "CEB603",
    "CEB213": "CEB603",
    "CEB701": "CEB603",
}
#: Customs states of a summary or return that no longer hold anything.
DEAD_STATES = frozenset({"100", "refused", "format_rejected"})


@dataclass(frozen=True)
class KnownInventory:
    """An inventory the platform sent, as the checks need it."""

    customs: CustomsDocument
    document: Document

    @property
    def state(self) -> DocumentState:
        """Its lifecycle state."""
        c = self.customs
        return DocumentState(DocumentKind(c.kind), c.state_code, c.state_since, c.attempt, c.attempt_started)

    def record(self) -> Record:
        """The inventory record (no personal fields: the checks compare lines and codes only)."""
        spec = spec_for(self.document.message_type)
        assert spec is not None
        record = typed_record(spec, self.document.body)
        if self.customs.invt_no:
            record.head["invtNo"] = self.customs.invt_no
        return record


def invt_nos_of(message_type: str, record: Record) -> list[str]:
    """The inventory numbers a record names."""
    if message_type == "CEB701":
        return [str(line.get("invtNo", "")) for line in record.lines if line.get("invtNo")]
    value = record.head.get("invtNo")
    return [str(value)] if value else []


async def known_inventories(session: AsyncSession, invt_nos: Iterable[str]) -> dict[str, KnownInventory]:
    """Inventories with these customs numbers (the latest sent one per number)."""
    rows = await CustomsStateRepository.from_session(session).known_inventories(invt_nos)
    return {str(customs.invt_no): KnownInventory(customs, document) for customs, document in rows}


async def returned_quantities(
    session: AsyncSession, inventory_ids: Iterable[str], excluding: Iterable[str] = ()
) -> dict[str, dict[int, Decimal]]:
    """Per inventory, the quantity per line already under a live return (gnum → qty)."""
    rows = await CustomsStateRepository.from_session(session).returns_of(inventory_ids, DEAD_STATES)
    if not rows:
        return {}
    skip = set(excluding)
    found: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for target, document_id, body in rows:
        if document_id in skip:
            continue
        add_returned(found[target], body.get("lines", []))
    return found


def add_returned(totals: dict[int, Decimal], lines: Iterable[Mapping[str, Any]]) -> None:
    """Add a return's line quantities to ``totals`` (gnum → qty)."""
    for line in lines:
        try:
            totals[int(line.get("gnum", 0))] += Decimal(str(line.get("qty", "0")))
        except ArithmeticError:
            continue


def check_reference(
    message_type: str,
    index: int,
    record: Record,
    known: Mapping[str, KnownInventory],
    now: dt.datetime,
    window_days: int,
    returned_before: Mapping[int, Decimal] | None = None,
    summarised_elsewhere: Mapping[str, str] | None = None,
) -> list[Issue]:
    """Issues of one referring record against the inventories the platform knows (none if unknown)."""
    if message_type == "CEB701":
        return _check_summary(index, record, known, summarised_elsewhere or {})
    numbers = invt_nos_of(message_type, record)
    target = known.get(numbers[0]) if numbers else None
    if target is None:
        return []
    issues = _same_declarant(index, record, target)
    if message_type in ("CEB623", "CEB605"):
        refusal = cancellation_refusal(target.state)
        if refusal is not None:
            issues.append(Issue(refusal.code, refusal.message, head_pointer(index, "invtNo")))
        return issues
    if message_type == "CEB625":
        result = check_import_return(
            target.state,
            target.customs.released_at,
            now,
            record,
            target.record(),
            already_returned=returned_before,
            window_days=window_days,
        )
    else:
        result = check_export_return(target.state, record, target.record())
        issues += _cumulative(index, record, target.record(), returned_before or {})
    return issues + [_at(issue, index) for issue in result.issues]


def _check_summary(
    index: int, record: Record, known: Mapping[str, KnownInventory], elsewhere: Mapping[str, str]
) -> list[Issue]:
    issues: list[Issue] = []
    for line_index, line in enumerate(record.lines):
        target = known.get(str(line.get("invtNo", "")))
        if target is None:
            continue
        pointer = line_pointer(index, line_index, "invtNo")
        if target.customs.state_code not in ("800", "899"):
            issues.append(
                Issue(
                    SUMMARY_NOT_RELEASED,
                    f"inventory {target.customs.invt_no} is {target.state.name}; "
                    "only released or closed inventories are summarised",
                    pointer,
                )
            )
        head = target.document.body.get("head", {})
        if head.get("agentCode") != record.head.get("agentCode") or head.get("ebcCode") != record.head.get(
            "ebcCode"
        ):
            issues.append(
                Issue(OTHER_DECLARANT, "the inventory was declared by another agent or enterprise", pointer)
            )
        other = elsewhere.get(target.customs.document_id)
        if other:
            issues.append(Issue(ALREADY_SUMMARISED, f"the inventory is in summary {other} already", pointer))
    return issues


def _same_declarant(index: int, record: Record, target: KnownInventory) -> list[Issue]:
    head = target.document.body.get("head", {})
    if head.get("agentCode") and record.head.get("agentCode") not in (None, head.get("agentCode")):
        return [
            Issue(
                OTHER_DECLARANT,
                "the inventory was declared by another agent (agentCode differs)",
                head_pointer(index, "agentCode"),
            )
        ]
    return []


def _cumulative(index: int, record: Record, inventory: Record, before: Mapping[int, Decimal]) -> list[Issue]:
    # check_export_return compares each line with the original; earlier returns count too.
    originals = {int(line.get("gnum", 0)): line for line in inventory.lines}
    issues = []
    for line_index, line in enumerate(record.lines):
        gnum = int(line.get("gnum", 0))
        original, qty, already = originals.get(gnum), line.get("qty"), before.get(gnum, Decimal(0))
        if original is None or not isinstance(qty, Decimal) or not already:
            continue
        limit = original.get("qty")
        if isinstance(limit, Decimal) and qty + already > limit:
            issues.append(
                Issue(
                    "DDT-E03",
                    f"returning {qty} after {already} already returned exceeds the inventory's {limit}",
                    line_pointer(index, line_index, "qty"),
                )
            )
    return issues


def _at(issue: Issue, index: int) -> Issue:
    pointer = issue.pointer
    if pointer and pointer.startswith("/records/0/"):
        pointer = f"/records/{index}/" + pointer[len("/records/0/") :]
    elif pointer is None:
        pointer = head_pointer(index, "invtNo")
    return Issue(issue.code, issue.message, pointer, issue.line, issue.element, issue.severity)


async def summarised_elsewhere(
    session: AsyncSession, inventory_ids: Iterable[str], excluding: Iterable[str] = ()
) -> dict[str, str]:
    """Inventory id → the live summary document holding it."""
    repository = CustomsStateRepository.from_session(session)
    skip = set(excluding)
    holders = {
        doc: summary
        for doc, summary in (await repository.summary_holders(inventory_ids)).items()
        if summary not in skip
    }
    if not holders:
        return {}
    gone = await repository.in_states(holders.values(), DEAD_STATES)
    return {doc: summary for doc, summary in holders.items() if summary not in gone}
