"""The customs simulator: a pure engine that answers declarations with receipts over simulated time.

``receive(message, now)`` takes an outgoing message exactly as a transport
would carry it (``DxpMsgSv``, ``DxpMsg`` or bare CEB XML, signed or not);
``due_receipts(now)`` returns every receipt whose customs time has come and
that has not been acknowledged; ``acknowledge(id)`` drops one.  Receipts are
delivered at least once: until acknowledged they come back on every call,
which is what lets a crash between reading and applying lose nothing (the
lifecycle treats a repeated receipt as a duplicate).

Behaviour, per record (each record of a message is its own document):

* XSD failure → CEB900 (returnStatus -2/-1, ``oriCopMsgId`` from the envelope);
  business-rule failure (:func:`check_message`) or a bad signature → the
  document's receipt with the negative customs code (e-port style);
* an **identical** re-send (same content, signature aside) is a duplicate:
  answered with the current status again ("重复报文"), never applied twice;
  the same key with *different* content while the first is alive → 100;
* import inventory: 2 → 3 → (own three-document match of the order, payment
  and waybill it received — keys of customs-domain.md §4.1: order by
  (ebcCode, orderNo), waybill by (logisticsCode, logisticsNo), payment by
  (payCode, payTransactionId) or (ebpCode, orderNo); field comparison by
  :func:`match_inventory`) → 120 → [300] → 399 | 100 → [500 → 501/502/503/599
  → 800 | 700] → 800 (CEB816 tax bill) → 899; a random 100 carries its reason in
  ``returnInfo``, drawn from :data:`~.refusals.REFUSAL_REASONS` by a keyed hash of the
  seed and the document's key; order/payment/waybill get 2,
  then 120 on the match and 399 with the inventory's 399; annual quota
  (-621018) tracked per buyer and year;
* export inventory: 2 → 3 → 120 (order + waybill [+ payment]) → [300] → 399,
  800 once a CEB507 arrival lists its waybill, 899 once a CEB509 departure
  does; the 收款单 gets 120 with the inventory's 399;
* CEB623/605 cancellation: 2 → 120 → 399 when the inventory's state allows
  (:data:`~..lifecycle.CANCELLABLE`), the inventory's later receipts are then
  withdrawn and its tax bill voided (CEB818 status 3); else ``-623005``;
* CEB625 return: 2 → 120 → 399 if released, within the window and the lines
  fit (quota restored), else 100 with the reasons; CEB213 → CEB214 2/120/800;
  CEB215 → CEB216; CEB701 → CEB702 2/399 (with ``sumNo``) per part and, once
  every part arrived, CEB792 with ``entryId`` and per-line ``gseqno``;
  CEB507/509/513/607/711 get their 2/399 (711: 2/120/399).

State is a JSON-able dict (:meth:`CustomsSimulator.to_state` /
:meth:`CustomsSimulator.from_state`): the documents, indexes, counters and
the pending receipts; the RNG needs no state because every draw is seeded
by (seed, document key).
"""

from __future__ import annotations

import bisect
import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from services.declaration.ceb.catalogue import DS_NS, Direction, Role, spec_for
from services.declaration.ceb.customs_time import CUSTOMS_TZ, format_customs_time
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.json_codec import json_value, message_from_json, message_to_json
from services.declaration.ceb.keys import DUPLICATE_CODES
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.receipts import (
    _APP_TYPE_TEXT,
    Answer,
    RecordVerdict,
    build_answer,
    render_format_receipt,
    render_receipt,
)
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.ceb.xsd_fields import TimeFormat
from services.declaration.customs.core.envelope import EnvelopeError, TransInfo, unwrap, wrap_dxp
from services.declaration.customs.core.lifecycle import (
    CANCELLABLE,
    DocumentKind,
    DocumentState,
    check_import_return,
)
from services.declaration.customs.core.signing.policy import SIGNED_WHEN_DECLARED
from services.declaration.customs.core.signing.signer import verify_document
from services.declaration.customs.core.simulator.config import SimulatorConfig
from services.declaration.customs.core.simulator.refusals import refusal_for
from services.declaration.customs.core.summaries import ExportInventory, merge_lines
from services.declaration.matching.rules import MatchStatus, match_inventory
from services.declaration.prechecks.rules import check_message
from services.declaration.quota.rules import (
    QuotaPosition,
    check_annual_quota,
    check_single_transaction,
    dutiable_value,
)
from services.declaration.tax.rules import assess_inventory

_ANSWER_ONLY = {
    "CEB507": ("2", "399"),
    "CEB509": ("2", "399"),
    "CEB513": ("2", "399"),
    "CEB607": ("2", "399"),
    "CEB711": ("2", "120", "399"),
    "CEB215": ("2", "399"),
}
_DETENTIONS = ("501", "502", "503", "599")
_SCENARIO = re.compile(r"\[SIM:(review|reject|inspect|detain|return|clear|noclose)\]")
_REJECT_WITH = re.compile(r"\[SIM:reject:([a-z_]+)\]")


@dataclass(frozen=True)
class SimulatedReceipt:
    """One receipt ready for delivery."""

    id: str
    due: datetime
    message_type: str
    business_xml: bytes
    payload: bytes
    """What a transport delivers: the DxpMsg (``config.wrap``) or the bare business XML."""


class CustomsSimulator:
    """Deterministic customs: see the module docstring."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self._docs: dict[str, dict[str, Any]] = {}
        self._index: dict[str, str] = {}
        self._content: dict[str, list[str]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._counters: dict[str, int] = {}
        self._quota: dict[str, str] = {}
        self._summaries: dict[str, dict[str, Any]] = {}
        # Runtime indexes, rebuilt from the state (never stored): without them every receipt,
        # acknowledgement and arrival scanned everything received so far — quadratic.
        self._queue: list[tuple[str, str]] = []
        """(due, id) of every pending receipt, sorted: delivery order."""
        self._doc_pending: dict[str, set[str]] = defaultdict(set)
        self._messages: dict[str, CebMessage] = {}
        """Decoded message of each document (the state keeps its JSON form)."""
        self._invt: dict[str, str] = {}
        """invtNo → inventory document."""
        self._wanted: dict[str, set[str]] = defaultdict(set)
        """partner key → inventories waiting for a partner with that key."""
        self._exports_by_waybill: dict[str, set[str]] = defaultdict(set)

    # --- persistence -------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything needed to continue after a restart (JSON-able)."""
        return {
            "version": 2,
            "docs": self._docs,
            "index": self._index,
            "content": self._content,
            "pending": list(self._pending.values()),
            "counters": self._counters,
            "quota": self._quota,
            "summaries": self._summaries,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], config: SimulatorConfig | None = None) -> CustomsSimulator:
        """Resume from :meth:`to_state` output."""
        if state.get("version") not in (1, 2):
            raise ValueError("unknown simulator state version")
        engine = cls(config)
        engine._docs = state["docs"]
        engine._index = state["index"]
        engine._content = state["content"]
        engine._counters = state["counters"]
        engine._quota = state["quota"]
        engine._summaries = state["summaries"]
        for entry in state["pending"]:  # version 1 entries carry "xml" and are delivered alone
            engine._enqueue(entry)
        for doc in engine._docs.values():
            engine._reindex(doc)
        return engine

    def _reindex(self, doc: dict[str, Any]) -> None:
        if doc["type"] not in ("CEB621", "CEB603"):
            return
        if doc.get("invtNo"):
            self._invt[doc["invtNo"]] = doc["id"]
        if doc["alive"] and doc.get("wants") and not doc.get("matched"):
            self._wait_for(doc)
        if doc["type"] == "CEB603" and doc["alive"] and doc.get("t399") and not doc.get("t899"):
            self._exports_by_waybill[self._waybill_no(doc)].add(doc["id"])

    # --- delivery ------------------------------------------------------------------------------------

    def due_receipts(
        self, now: datetime, limit: int | None = None, exclude: Container[str] = ()
    ) -> list[SimulatedReceipt]:
        """Receipts due at ``now``, not yet acknowledged nor in ``exclude``, in customs-time order.

        With ``config.receipts_per_message`` > 1, due receipts of one type for one declaring
        enterprise (BaseTransfer copCode) travel together as one message of up to that many
        records (the XSDs allow 100), its id the members' ids joined by commas — which is
        what :meth:`acknowledge` takes. ``limit`` counts messages.
        """
        moment = _iso(now)
        per_message = max(1, self.config.receipts_per_message)
        wanted = None if limit is None else limit * per_message
        chosen: list[dict[str, Any]] = []
        for due, receipt_id in self._queue:
            if due > moment or (wanted is not None and len(chosen) >= wanted):
                break
            if receipt_id not in exclude:
                chosen.append(self._pending[receipt_id])
        groups: dict[tuple[Any, ...], list[list[dict[str, Any]]]] = {}
        order: list[list[dict[str, Any]]] = []
        for entry in chosen:
            if "xml" in entry or per_message == 1:
                order.append([entry])
                continue
            key = (entry["type"], entry.get("receiver"), entry.get("export"), entry.get("group"))
            batches = groups.setdefault(key, [])
            if not batches or len(batches[-1]) >= per_message:
                batches.append([])
                order.append(batches[-1])
            batches[-1].append(entry)
        return [self._deliverable(batch) for batch in order[:limit]]

    def next_due(self) -> datetime | None:
        """When the next pending receipt falls due."""
        return _dt(self._queue[0][0]) if self._queue else None

    def acknowledge(self, receipt_id: str) -> None:
        """The receiver applied it (or every member of a batched one): drop it (idempotent)."""
        for member in receipt_id.split(","):
            self._drop(member)

    @property
    def pending_count(self) -> int:
        """Receipts not yet acknowledged (due or not)."""
        return len(self._pending)

    def _enqueue(self, entry: dict[str, Any]) -> None:
        self._pending[entry["id"]] = entry
        bisect.insort(self._queue, (entry["due"], entry["id"]))
        if entry.get("doc"):
            self._doc_pending[entry["doc"]].add(entry["id"])

    def _drop(self, receipt_id: str) -> None:
        entry = self._pending.pop(receipt_id, None)
        if entry is None:
            return
        position = bisect.bisect_left(self._queue, (entry["due"], receipt_id))
        if position < len(self._queue) and self._queue[position] == (entry["due"], receipt_id):
            del self._queue[position]
        if entry.get("doc"):
            self._doc_pending[entry["doc"]].discard(receipt_id)

    def _deliverable(self, batch: list[dict[str, Any]]) -> SimulatedReceipt:
        first = batch[0]
        if "xml" in first:
            business = first["xml"].encode("utf-8")
        else:
            # Stored values are the JSON codec's text forms (json_value): written as they are.
            message = CebMessage(
                first["type"], first["guid"], "1.0", [Record(e["head"], e.get("lines") or []) for e in batch]
            )
            business = encode_xml(message, pretty=False)
        due = _dt(max(entry["due"] for entry in batch))
        payload = business
        if self.config.wrap:
            sender = self.config.export_sender_id if first.get("export") else self.config.import_sender_id
            trans = TransInfo(
                first["guid"],
                sender,
                (first.get("receiver") or "DXPENT0000000000",),
                due,
                f"{first['type']}Message",
            )
            payload = wrap_dxp(business, trans)
        return SimulatedReceipt(",".join(e["id"] for e in batch), due, first["type"], business, payload)

    # --- intake --------------------------------------------------------------------------------------

    def receive(self, message: bytes, now: datetime) -> list[str]:
        """Take one outgoing message; returns the ids of the documents it touched."""
        cop_msg_id, receiver = "UNKNOWN", None
        try:
            envelope = unwrap(message)
            business = envelope.business_xml
            if envelope.trans_info is not None:
                cop_msg_id, receiver = envelope.trans_info.cop_msg_id, envelope.trans_info.sender_id
        except EnvelopeError as exc:
            self._format_receipt(message, (Issue("0001", str(exc)),), now, cop_msg_id, None, receiver)
            return []
        decoded = decode_xml(business)
        if decoded.message is None:
            self._format_receipt(business, decoded.issues, now, cop_msg_id, decoded.message_type, receiver)
            return []
        ceb = decoded.message
        if ceb.spec.role is not Role.DECLARATION:
            return []
        receiver = receiver or str((ceb.base_transfer or {}).get("dxpId", "")) or None
        content = _content_hash(business)
        if content in self._content:
            return self._duplicate(self._content[content], now)
        rejected = self._message_level_rejection(ceb, business)
        touched = []
        issues = check_message(ceb, limits=self.config.limits) if self.config.check_rules else []
        answer = build_answer(ceb, issues)
        for index, record in enumerate(ceb.records):
            verdict = answer.verdicts[index]
            doc_id = self._new_doc(ceb, index, record, now, content, receiver)
            touched.append(doc_id)
            if rejected is not None:
                self._negative(doc_id, rejected[0], rejected[1], now)
            elif not verdict.accepted:
                self._schedule_answer(doc_id, ceb, verdict, now)
            else:
                self._accept(doc_id, now)
        self._content[content] = touched
        return touched

    def _message_level_rejection(self, ceb: CebMessage, business: bytes) -> tuple[str, str] | None:
        if (
            not self.config.verify_signatures
            or ceb.message_type not in SIGNED_WHEN_DECLARED
            or ceb.signature is None
        ):
            return None
        result = verify_document(business)
        if result.valid:
            return None
        return (result.customs_code or "-621029", f"验签失败: {result.reason}")

    def _new_doc(
        self, ceb: CebMessage, index: int, record: Record, now: datetime, content: str, receiver: str | None
    ) -> str:
        spec = ceb.spec
        key = "|".join([spec.code, *(str(record.head.get(name, "")) for name in spec.key_fields)])
        if "msgCount" in record.head:
            # The parts of a split message (CEB701/507/509/607) share copNo: each part is its own document.
            key += f"#{record.head.get('msgSeqNo')}"
        single = CebMessage(
            ceb.message_type, ceb.guid, ceb.version, [record], base_transfer=ceb.base_transfer
        )
        doc_id = f"D{self._next('doc'):08d}"
        self._docs[doc_id] = {
            "id": doc_id,
            "type": spec.code,
            "key": key,
            "export": spec.direction is Direction.EXPORT,
            "message": message_to_json(single),
            "received": _iso(now),
            "content": content,
            "receiver": receiver,
            "group": str((ceb.base_transfer or {}).get("copCode", "")),
            "timeline": [],
            "alive": True,
        }
        self._messages[doc_id] = single
        return doc_id

    # --- flows ---------------------------------------------------------------------------------------

    def _accept(self, doc_id: str, now: datetime) -> None:
        doc = self._docs[doc_id]
        head = self._record(doc).head
        existing_id = self._index.get(doc["key"])
        if existing_id is not None and self._docs[existing_id]["alive"]:
            existing = self._docs[existing_id]
            modifiable = self._status_at(existing, now) in ("1", "2", "3", "4", "100", "refused")
            if str(head.get("appType", "1")) == "2" and modifiable:
                self._withdraw(existing, now)
            else:
                code = DUPLICATE_CODES.get(doc["type"], "")
                self._emit(doc, "100", now, f"[{code}] 业务主键重复：{doc['key']} 已申报".strip())
                doc["alive"] = False
                return
        self._index[doc["key"]] = doc_id
        doc["preNo"] = f"B{now.astimezone(_tz()).strftime('%Y%m%d')}{self._next('preNo'):09d}"
        t = now + self.config.delays.eport
        code = doc["type"]
        if code in ("CEB621", "CEB603"):
            self._emit(doc, "2", t, None)
            if code == "CEB621" and self.config.track_annual_quota and not self._quota_ok(doc, t):
                return
            self._emit(doc, "3", t + self.config.delays.eport, "发送海关成功")
            self._link_and_try(doc, now)
        elif code in ("CEB311", "CEB411", "CEB511", "CEB303", "CEB403", "CEB505"):
            self._emit(doc, "2", t, None)
            self._register_links(doc)
            for inventory in self._waiting_for(doc):
                self._try_match(inventory, now)
        elif code in ("CEB623", "CEB605"):
            self._cancel(doc, t)
        elif code == "CEB625":
            self._import_return(doc, t)
        elif code == "CEB213":
            self._export_return(doc, t)
        elif code == "CEB701":
            self._summary(doc, t)
        elif code in _ANSWER_ONLY:
            for step, status in enumerate(_ANSWER_ONLY[code]):
                self._emit(doc, status, t + step * self.config.delays.eport, None)
            if code == "CEB507":
                self._arrival(doc, t)
            elif code == "CEB509":
                self._departure(doc, t)

    def _link_and_try(self, inventory: dict[str, Any], now: datetime) -> None:
        head = self._record(inventory).head
        inventory["wants"] = {
            "order": [f"order|{head.get('ebcCode')}|{head.get('orderNo')}"],
            "waybill": [f"waybill|{head.get('logisticsCode')}|{head.get('logisticsNo')}"],
        }
        if inventory["type"] == "CEB621" or self.config.export_requires_payment:
            inventory["wants"]["payment"] = [
                f"payment|{head.get('ebpCode')}|{head.get('orderNo')}",
                f"payment-e|{head.get('ebcCode')}|{head.get('orderNo')}",
            ]
        self._try_match(inventory, now)

    def _register_links(self, doc: dict[str, Any]) -> None:
        for link in self._links_of(doc):
            self._index[link] = doc["id"]

    def _links_of(self, doc: dict[str, Any]) -> list[str]:
        head = self._record(doc).head
        return {
            "CEB311": [f"order|{head.get('ebcCode')}|{head.get('orderNo')}"],
            "CEB303": [f"order|{head.get('ebcCode')}|{head.get('orderNo')}"],
            "CEB511": [f"waybill|{head.get('logisticsCode')}|{head.get('logisticsNo')}"],
            "CEB505": [f"waybill|{head.get('logisticsCode')}|{head.get('logisticsNo')}"],
            "CEB411": [
                f"payment|{head.get('ebpCode')}|{head.get('orderNo')}",
                f"paytx|{head.get('payCode')}|{head.get('payTransactionId')}",
            ],
            "CEB403": [f"payment-e|{head.get('ebcCode')}|{head.get('orderNo')}"],
        }.get(doc["type"], [])

    def _waiting_for(self, partner: dict[str, Any]) -> list[dict[str, Any]]:
        """Inventories waiting for a partner with one of this document's keys, in arrival order."""
        ids: set[str] = set()
        for link in self._links_of(partner):
            ids |= self._wanted.get(link, set())
        found = [self._docs[i] for i in sorted(ids)]
        return [d for d in found if d["alive"] and not d.get("matched")]

    def _wait_for(self, inventory: dict[str, Any]) -> None:
        for keys in inventory["wants"].values():
            for key in keys:
                self._wanted[key].add(inventory["id"])
        if inventory.get("paytx"):
            self._wanted[inventory["paytx"]].add(inventory["id"])

    def _stop_waiting(self, inventory: dict[str, Any]) -> None:
        for keys in inventory.get("wants", {}).values():
            for key in keys:
                self._wanted.get(key, set()).discard(inventory["id"])
        if inventory.get("paytx"):
            self._wanted.get(inventory["paytx"], set()).discard(inventory["id"])

    def _find(self, keys: list[str]) -> dict[str, Any] | None:
        for key in keys:
            doc_id = self._index.get(key)
            if doc_id is not None and self._docs[doc_id]["alive"]:
                return self._docs[doc_id]
        return None

    def _try_match(self, inventory: dict[str, Any], now: datetime) -> None:
        if inventory.get("matched") or not inventory["alive"]:
            return
        found = {role: self._find(keys) for role, keys in inventory["wants"].items()}
        if inventory["type"] == "CEB621" and found.get("order") is not None and found.get("payment") is None:
            order_head = self._record(found["order"]).head  # type: ignore[arg-type]
            paytx = f"paytx|{order_head.get('payCode')}|{order_head.get('payTransactionId')}"
            found["payment"] = self._find([paytx])
            if found["payment"] is None and inventory.get("paytx") != paytx:
                inventory["paytx"] = paytx  # the order names its payment: wait for that one too
                self._wanted[paytx].add(inventory["id"])
        if any(doc is None for doc in found.values()):
            self._wait_for(inventory)
            return
        inventory["matched"] = True
        self._stop_waiting(inventory)
        start = max(_dt(inventory["timeline"][-1][0]), now) + self.config.delays.accept
        if inventory["type"] == "CEB621":
            result = match_inventory(
                self._record(inventory),
                self._record(found["order"]),  # type: ignore[arg-type]
                self._record(found["payment"]),  # type: ignore[arg-type]
                self._record(found["waybill"]),  # type: ignore[arg-type]
            )
            if result.status is MatchStatus.MISMATCHED:
                text = "; ".join(
                    f"{m.field}: {m.left_document}≠{m.right_document}" for m in result.mismatches
                )
                self._emit(inventory, "100", start, f"三单对碰不通过 {text}")
                inventory["alive"] = False
                self._restore_quota(inventory)
                return
        partners = [doc for doc in found.values() if doc is not None]
        inventory["partners"] = [doc["id"] for doc in partners if doc["type"] not in ("CEB403",)]
        inventory["invtNo"] = self._invt_no(inventory, start)
        self._invt[inventory["invtNo"]] = inventory["id"]
        for doc in [inventory, *(d for d in partners if d["type"] != "CEB403")]:
            self._emit(doc, "120", start, f"逻辑校验通过[{inventory['invtNo']}]")
        self._inventory_path(inventory, start, partners)

    def _inventory_path(self, inventory: dict[str, Any], t: datetime, partners: list[dict[str, Any]]) -> None:
        rng = self._rng(inventory["key"])
        cfg, delays = self.config, self.config.delays
        forced = self._scenario(inventory)

        def draw(name: str, rate: float) -> bool:
            # Always draw, so a forced outcome leaves every later draw as it would have been.
            drawn = rng.random() < rate
            return forced[name] if name in forced else drawn

        if draw("review", cfg.review_rate):
            t += delays.clearance
            self._emit(inventory, "300", t, "转人工审核")
            t += delays.review
        else:
            t += delays.clearance
        if draw("reject", cfg.rejection_rate):
            record = self._record(inventory)
            forced_reason = self._forced_reason(inventory)
            refusal = refusal_for(cfg.seed, inventory["key"], len(record.lines), forced_reason)
            self._emit(inventory, "100", t, refusal.return_info(record, cfg.limits))
            inventory["alive"] = False
            self._restore_quota(inventory)
            return
        self._emit(inventory, "399", t, "海关审结")
        for doc in partners:
            self._emit(doc, "120" if doc["type"] == "CEB403" else "399", t, "海关审结")
        inventory["t399"] = _iso(t)
        if inventory["type"] == "CEB603":
            self._exports_by_waybill[self._waybill_no(inventory)].add(inventory["id"])
            self._maybe_release_export(inventory, t)
            return
        if draw("inspect", cfg.inspection_rate):
            t += delays.inspection
            self._emit(inventory, "500", t, "查验")
            if draw("detain", cfg.detention_rate):
                t += delays.inspection
                self._emit(inventory, rng.choice(_DETENTIONS), t, "扣留")
                if draw("return", cfg.detention_return_rate):
                    self._emit(inventory, "700", t + delays.release, "退运")
                    self._restore_quota(inventory)
                    return
        t += delays.release
        self._emit(inventory, "800", t, "放行")
        inventory["t800"] = _iso(t)
        self._tax_bill(inventory, t)
        if not forced.get("noclose"):
            self._emit(inventory, "899", t + delays.close, "结关")

    def _scenario(self, inventory: dict[str, Any]) -> dict[str, bool]:
        """Outcomes forced by ``[SIM:…]`` markers in the inventory's ``note`` (a sandbox convention).

        ``[SIM:review]``, ``[SIM:reject]``, ``[SIM:inspect]``, ``[SIM:detain]`` (implies
        inspect) and ``[SIM:return]`` (detention ending in 700; implies detain) force those
        steps; ``[SIM:reject:<code>]`` forces the refusal with that reason of
        :data:`~.refusals.REFUSAL_REASONS` (an unknown code: the seeded one); ``[SIM:clear]``
        forces none of them; ``[SIM:noclose]`` keeps a released import inventory at 800 (no
        899), so it stays cancellable. Only with ``config.scenario_notes``.
        """
        if not self.config.scenario_notes:
            return {}
        note = str(self._record(inventory).head.get("note", "") or "")
        markers = set(_SCENARIO.findall(note))
        if _REJECT_WITH.search(note):
            markers.add("reject")
        if not markers:
            return {}
        if "clear" in markers:
            return {
                **dict.fromkeys(("review", "reject", "inspect", "detain", "return"), False),
                "noclose": "noclose" in markers,
            }
        if "return" in markers:
            markers |= {"detain"}
        if "detain" in markers:
            markers |= {"inspect"}
        forced = {name: name in markers for name in ("review", "reject", "inspect", "detain", "return")}
        if "noclose" in markers:
            forced["noclose"] = True
        return forced

    def _forced_reason(self, inventory: dict[str, Any]) -> str | None:
        """The refusal reason a ``[SIM:reject:<code>]`` note asks for (a catalogue code), if any."""
        if not self.config.scenario_notes:
            return None
        found = _REJECT_WITH.search(str(self._record(inventory).head.get("note", "") or ""))
        return found.group(1) if found else None

    def _maybe_release_export(self, inventory: dict[str, Any], now: datetime) -> None:
        waybill = self._waybill_no(inventory)
        if inventory.get("t399") and not inventory.get("t800") and waybill in self._counters_set("arrived"):
            t = max(_dt(inventory["t399"]), now) + self.config.delays.release
            self._emit(inventory, "800", t, "放行")
            inventory["t800"] = _iso(t)
        if inventory.get("t800") and not inventory.get("t899") and waybill in self._counters_set("departed"):
            t = max(_dt(inventory["t800"]), now) + self.config.delays.close
            self._emit(inventory, "899", t, "结关")
            inventory["t899"] = _iso(t)

    def _arrival(self, doc: dict[str, Any], t: datetime) -> None:
        self._mark_waybills(doc, "arrived", t)

    def _departure(self, doc: dict[str, Any], t: datetime) -> None:
        self._mark_waybills(doc, "departed", t)

    def _mark_waybills(self, doc: dict[str, Any], what: str, t: datetime) -> None:
        record = self._record(doc)
        code = str(record.head.get("logisticsCode", ""))
        marks = self._counters_set(what)
        for line in record.lines:
            marks.add(f"{code}|{line.get('logisticsNo')}")
        self._counters[what] = sorted(marks)  # type: ignore[assignment]
        for line in record.lines:
            for inventory_id in sorted(self._exports_by_waybill.get(f"{code}|{line.get('logisticsNo')}", ())):
                inventory = self._docs[inventory_id]
                if inventory["alive"]:
                    self._maybe_release_export(inventory, t)

    def _cancel(self, doc: dict[str, Any], t: datetime) -> None:
        head = self._record(doc).head
        inventory = self._by_invt_no(str(head.get("invtNo", "")))
        self._emit(doc, "2", t, None)
        status = self._status_at(inventory, t) if inventory else None
        if inventory is None or status not in CANCELLABLE:
            self._emit(doc, "-623005", t, f"清单的状态不符合撤单申报要求[{status}]")
            return
        self._emit(doc, "120", t + self.config.delays.accept, "撤销申请入库")
        approved = t + self.config.delays.accept + self.config.delays.clearance
        self._emit(doc, "399", approved, "撤销申请审核通过")
        self._withdraw(inventory, approved)
        if inventory.get("taxNo") and _dt(inventory["t800"]) <= approved:
            self._tax_status(inventory, "3", approved)
        self._restore_quota(inventory)

    def _import_return(self, doc: dict[str, Any], t: datetime) -> None:
        refund = self._record(doc)
        inventory = self._by_invt_no(str(refund.head.get("invtNo", "")))
        self._emit(doc, "2", t, None)
        if inventory is None:
            self._emit(doc, "100", t, "退货申请关联的清单不存在")
            return
        state = DocumentState(DocumentKind.IMPORT_INVENTORY, self._status_at(inventory, t) or "sent")
        released = _dt(inventory["t800"]) if inventory.get("t800") else None
        check = check_import_return(
            state, released, t, refund, self._record(inventory), window_days=self.config.return_window_days
        )
        if not check.allowed:
            self._emit(doc, "100", t, "; ".join(f"[{i.code}] {i.message}" for i in check.issues))
            return
        self._emit(doc, "120", t + self.config.delays.accept, "退货申请入库")
        self._emit(
            doc, "399", t + self.config.delays.accept + self.config.delays.clearance, "退货申请审核通过"
        )
        self._restore_quota(inventory, refund)

    def _export_return(self, doc: dict[str, Any], t: datetime) -> None:
        inventory = self._by_invt_no(str(self._record(doc).head.get("invtNo", "")))
        self._emit(doc, "2", t, None)
        if inventory is None or self._status_at(inventory, t) not in ("800", "899"):
            self._emit(doc, "100", t, "原出口清单不存在或未放行")
            return
        self._emit(doc, "120", t + self.config.delays.accept, "退货申请入库")
        self._emit(doc, "800", t + self.config.delays.accept + self.config.delays.release, "放行")

    def _summary(self, doc: dict[str, Any], t: datetime) -> None:
        head = self._record(doc).head
        self._emit(doc, "2", t, None)
        missing = []
        members = []
        for line in self._record(doc).lines:
            inventory = self._by_invt_no(str(line.get("invtNo", "")))
            if inventory is None or self._status_at(inventory, t) not in ("800", "899"):
                missing.append(str(line.get("invtNo")))
            else:
                members.append(inventory["id"])
        if missing:
            self._emit(doc, "100", t, f"清单状态不符或不存在: {', '.join(missing[:20])}")
            return
        group_key = f"{head.get('agentCode')}|{head.get('copNo')}"
        group = self._summaries.setdefault(group_key, {"parts": {}, "sumNo": None, "done": False})
        if group["sumNo"] is None:
            group["sumNo"] = f"S{t.astimezone(_tz()).strftime('%Y%m%d')}{self._next('sumNo'):09d}"
        doc["sumNo"] = group["sumNo"]
        accepted = t + self.config.delays.clearance
        self._emit(doc, "399", accepted, "汇总申请审核通过")
        group["parts"][str(head.get("msgSeqNo"))] = {"doc": doc["id"], "members": members}
        if len(group["parts"]) == int(head.get("msgCount") or 1) and not group["done"]:
            group["done"] = True
            self._summary_result(doc, group, accepted + self.config.delays.summary_result)

    def _summary_result(self, doc: dict[str, Any], group: dict[str, Any], t: datetime) -> None:
        head = self._record(doc).head
        inventories = [self._docs[i] for part in sorted(group["parts"].items()) for i in part[1]["members"]]
        exports = [ExportInventory.from_record(self._record(d), d["invtNo"], None, None) for d in inventories]
        merged = merge_lines(exports, str(head.get("itemNameFlag", "")))
        logistics = {e.invt_no: e.logistics_no for e in exports}
        lines = [
            {
                "invtNo": invt,
                "logisticsNo": logistics[invt],
                "gseqno": m.gseqno,
                "gnum": gnum,
                "gcode": m.gcode,
            }
            for m in merged
            for invt, gnum in m.members
        ]
        customs = str(head.get("customsCode"))
        result_head = {
            "guid": self._guid(),
            "customsCode": customs,
            "sumNo": group["sumNo"],
            "opDate": format_customs_time(t, TimeFormat.DATETIME_MS),
            "declSeqNo": f"S{t.astimezone(_tz()).strftime('%Y%m%d')}{self._next('declSeqNo'):09d}",
            "entryId": f"{customs}{t.astimezone(_tz()).year}0{self._next('entryId'):09d}",
            "decState": "A",
            "agentCode": head.get("agentCode"),
            "agentName": head.get("agentName"),
            "ebcCode": head.get("ebcCode"),
            "ebcName": head.get("ebcName"),
            "declAgentCode": head.get("declAgentCode"),
            "declAgentName": head.get("declAgentName"),
            "grossWeight": sum((e.gross_weight for e in exports), Decimal(0)),
            "netWeight": sum((e.net_weight for e in exports), Decimal(0)),
            "msgCount": 1,
            "msgSeqNo": 1,
        }
        self._push(doc, "CEB792", "A", t, result_head, lines)

    def _tax_bill(self, inventory: dict[str, Any], t: datetime) -> None:
        record = self._record(inventory)
        assessment = assess_inventory(record, limits=self.config.limits)
        head = record.head
        inventory["taxNo"] = f"{inventory['invtNo']}01"
        tax_head = {
            "guid": self._guid(),
            "returnTime": format_customs_time(t, TimeFormat.DATETIME_MS),
            "invtNo": inventory["invtNo"],
            "taxNo": inventory["taxNo"],
            "customsTax": assessment.customs_tax,
            "valueAddedTax": assessment.value_added_tax,
            "consumptionTax": assessment.consumption_tax,
            "status": "1",
            "assureCode": head.get("assureCode", ""),
            "ebcCode": head.get("ebcCode", ""),
            "logisticsCode": head.get("logisticsCode", ""),
            "agentCode": head.get("agentCode", ""),
            "customsCode": head.get("customsCode", ""),
        }
        lines = [
            {
                "gnum": line.gnum,
                "gcode": line.gcode,
                "taxPrice": line.tax_price,
                "customsTax": line.customs_tax,
                "valueAddedTax": line.value_added_tax,
                "consumptionTax": line.consumption_tax,
            }
            for line in assessment.lines
        ]
        self._push(inventory, "CEB816", "1", t, tax_head, lines)

    def _tax_status(self, inventory: dict[str, Any], status: str, t: datetime) -> None:
        head = {
            "guid": self._guid(),
            "returnTime": format_customs_time(t, TimeFormat.DATETIME_MS),
            "invtNo": inventory["invtNo"],
            "taxNo": inventory["taxNo"],
            "status": status,
        }
        self._push(inventory, "CEB818", status, t, head)

    # --- quota -----------------------------------------------------------------------------------------

    def _quota_key(self, inventory: dict[str, Any], t: datetime) -> str:
        head = self._record(inventory).head
        return f"{head.get('buyerIdNumber')}|{t.astimezone(_tz()).year}"

    def _quota_ok(self, inventory: dict[str, Any], t: datetime) -> bool:
        record = self._record(inventory)
        key = self._quota_key(inventory, t)
        used = Decimal(self._quota.get(key, "0"))
        limits = self.config.limits
        value = dutiable_value(record.head, record.lines)
        issue = check_single_transaction(record, limits) or check_annual_quota(
            QuotaPosition(limits.annual, used, value)
        )
        if issue is not None:
            self._emit(inventory, issue.code, t, issue.message)
            inventory["alive"] = False
            return False
        inventory["quotaKey"] = key
        inventory["quotaValue"] = str(value)
        self._quota[key] = str(used + value)
        return True

    def _restore_quota(self, inventory: dict[str, Any], refund: Record | None = None) -> None:
        key = inventory.get("quotaKey")
        if not key:
            return
        value = Decimal(inventory["quotaValue"])
        if refund is not None:
            prices = {line.get("gnum"): line for line in self._record(inventory).lines}
            value = Decimal(0)
            for line in refund.lines:
                original = prices.get(line.get("gnum"))
                if (
                    original
                    and isinstance(original.get("price"), Decimal)
                    and isinstance(line.get("qty"), Decimal)
                ):
                    value += original["price"] * line["qty"]  # type: ignore[operator]
        else:
            inventory["quotaKey"] = None  # given back in full: never twice (rejected, then cancelled …)
        self._quota[key] = str(max(Decimal(self._quota.get(key, "0")) - value, Decimal(0)))

    # --- receipts -------------------------------------------------------------------------------------

    def _duplicate(self, doc_ids: list[str], now: datetime) -> list[str]:
        for doc_id in doc_ids:
            doc = self._docs[doc_id]
            status = self._status_at(doc, now)
            if status is not None:
                self._emit(doc, status, now + self.config.delays.eport, "重复报文，已处理，不重复入库")
        return doc_ids

    def _withdraw(self, doc: dict[str, Any], at: datetime) -> None:
        # Receipts customs would no longer send once the document is cancelled/replaced.
        cutoff = _iso(at)
        for receipt_id in sorted(self._doc_pending.get(doc["id"], ())):
            if self._pending[receipt_id]["due"] > cutoff:
                self._drop(receipt_id)
        doc["timeline"] = [entry for entry in doc["timeline"] if entry[0] <= cutoff]
        doc["alive"] = False
        if self._index.get(doc["key"]) == doc["id"]:
            del self._index[doc["key"]]

    def _schedule_answer(self, doc_id: str, ceb: CebMessage, verdict: RecordVerdict, now: datetime) -> None:
        doc = self._docs[doc_id]
        doc["alive"] = False
        answer = Answer(ceb.message_type, ceb.spec.answered_by or "", ceb.guid, (verdict,))
        single = self._message(doc)
        answer = Answer(
            answer.message_type,
            answer.receipt_type,
            answer.guid,
            (RecordVerdict(0, verdict.accepted, verdict.keys, verdict.errors, verdict.review),),
        )
        t = now + self.config.delays.eport
        rendered = render_receipt(
            answer, single, t, assigned={0: self._assigned(doc)}, guid_factory=self._guid
        )
        head = rendered.message.records[0].head
        self._push(doc, answer.receipt_type, str(head.get("returnStatus")), t, head)

    def _negative(self, doc_id: str, code: str, info: str, now: datetime) -> None:
        doc = self._docs[doc_id]
        doc["alive"] = False
        self._emit(doc, code, now + self.config.delays.eport, info)

    def _emit(self, doc: dict[str, Any], status: str, t: datetime, info: str | None) -> None:
        # The receipt record as render_receipt() writes it (fields copied by name from the
        # declaration, customs' numbers assigned), built directly: rendered and encoded once
        # per delivered message rather than validated per receipt.
        source = self._record(doc).head
        receipt_type = self._message(doc).spec.answered_by or ""
        spec = spec_for(receipt_type)
        assert spec is not None
        assigned = self._assigned(doc)
        head: dict[str, Any] = {}
        for field_spec in spec.head_fields:
            name = field_spec.name
            if name == "guid":
                head[name] = str(source.get("guid") or self._guid())
            elif name == "returnStatus":
                head[name] = status
            elif name == "returnTime":
                head[name] = format_customs_time(t, TimeFormat.DATETIME_MS)
            elif name == "returnInfo":
                action = _APP_TYPE_TEXT.get(str(source.get("appType", "1")), _APP_TYPE_TEXT["1"])
                default = f"{action}[{source.get('guid', '')}]"
                head[name] = (info if info is not None else default)[:1000]
            elif name in assigned:
                head[name] = assigned[name]
            elif name in source:
                head[name] = source[name]
            elif field_spec.required:
                head[name] = ""
        self._push(doc, receipt_type, status, t, head)

    def _assigned(self, doc: dict[str, Any]) -> dict[str, str]:
        values = {"preNo": doc.get("preNo") or f"B{'0' * 17}", "invtNo": doc.get("invtNo", "")}
        if doc.get("sumNo"):
            values["sumNo"] = doc["sumNo"]
        if not values["invtNo"]:
            del values["invtNo"]
        return values

    def _push(
        self,
        doc: dict[str, Any],
        receipt_type: str,
        status: str,
        t: datetime,
        head: dict[str, Any],
        lines: list[dict[str, Any]] | None = None,
    ) -> None:
        doc["timeline"].append([_iso(t), status, receipt_type])
        self._enqueue(
            {
                "id": f"R{self._next('receipt'):012d}",
                "due": _iso(t),
                "type": receipt_type,
                "doc": doc["id"],
                "status": status,
                "guid": self._guid(),
                "receiver": doc.get("receiver"),
                "export": doc["export"],
                "group": doc.get("group"),
                "head": {name: json_value(value) for name, value in head.items()},
                "lines": [{name: json_value(value) for name, value in line.items()} for line in lines or []],
            }
        )

    def _format_receipt(
        self,
        original: bytes,
        issues: Any,
        now: datetime,
        cop_msg_id: str,
        message_type: str | None,
        receiver: str | None,
    ) -> None:
        xml = render_format_receipt(original, issues, now, cop_msg_id, message_type, guid_factory=self._guid)
        self._enqueue(
            {
                "id": f"R{self._next('receipt'):012d}",
                "due": _iso(now),
                "type": "CEB900",
                "doc": None,
                "status": "-2",
                "guid": self._guid(),
                "receiver": receiver,
                "export": False,
                "xml": xml.decode("utf-8"),
            }
        )

    # --- helpers --------------------------------------------------------------------------------------

    def _status_at(self, doc: dict[str, Any], t: datetime) -> str | None:
        moment = _iso(t)
        spec = spec_for(doc["type"])
        answered_by = spec.answered_by if spec else None
        own = [entry for entry in doc["timeline"] if entry[0] <= moment and entry[2] == answered_by]
        return own[-1][1] if own else None

    def _by_invt_no(self, invt_no: str) -> dict[str, Any] | None:
        doc_id = self._invt.get(invt_no)
        return self._docs[doc_id] if doc_id is not None else None

    def _waybill_no(self, inventory: dict[str, Any]) -> str:
        head = self._record(inventory).head
        return f"{head.get('logisticsCode')}|{head.get('logisticsNo')}"

    def _counters_set(self, name: str) -> set[str]:
        value = self._counters.get(name)
        return set(value) if isinstance(value, list) else set()

    def _invt_no(self, inventory: dict[str, Any], t: datetime) -> str:
        head = self._record(inventory).head
        customs = str(head.get("customsCode") or self.config.default_customs_code)[:4]
        flag = "I" if inventory["type"] == "CEB621" else "E"
        return f"{customs}{t.astimezone(_tz()).year}{flag}{self._next('invtNo'):09d}"

    def _message(self, doc: dict[str, Any]) -> CebMessage:
        cached = self._messages.get(doc["id"])
        if cached is None:
            decoded = message_from_json(doc["message"])
            assert decoded.message is not None
            cached = self._messages[doc["id"]] = decoded.message
        return cached

    def _record(self, doc: dict[str, Any]) -> Record:
        return self._message(doc).records[0]

    def _next(self, name: str) -> int:
        value = int(self._counters.get(name, 0)) + 1
        self._counters[name] = value
        return value

    def _guid(self) -> str:
        digest = hashlib.sha256(f"{self.config.seed}|guid|{self._next('guid')}".encode()).hexdigest().upper()
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"

    def _rng(self, key: str) -> random.Random:
        seed = int.from_bytes(hashlib.sha256(f"{self.config.seed}|{key}".encode()).digest()[:8], "big")
        return random.Random(seed)  # noqa: S311 - simulation, not security


def _content_hash(business: bytes) -> str:
    # Identity of a message's content: C14N without ds:Signature, so a re-signed
    # copy (SM2 signatures are randomised) is still the same message.
    root = etree.fromstring(business, etree.XMLParser(resolve_entities=False, no_network=True))
    for signature in root.findall(f"{{{DS_NS}}}Signature"):
        root.remove(signature)
    return hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()


def _iso(moment: datetime) -> str:
    # One zone and one precision, so stored times also compare correctly as strings.
    return moment.astimezone(CUSTOMS_TZ).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _tz() -> Any:
    return CUSTOMS_TZ
