"""Compact JSON of a subject's items and explanation lines, for storage.

A 20,000-enterprise run has ~430,000 explanation lines. Turning them into dicts
(``result_to_data``) and back costs seconds, so storage keeps each line as a JSON
array in a fixed order and converts to the core's plain-data form only when a run
is read back (export, one subject's view). Decimals travel as strings, exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from services.stats.rewards.results import ExplanationLine, ItemOutcome, SubjectResult

_LINE_FIELDS = ("step", "item_id", "rule", "figures", "formula", "result", "tier", "verdict")
_ITEM_FIELDS = ("item_id", "kind", "matter", "status", "amount", "superseded_by")


def _figure(value: Any) -> Any:
    # A Decimal figure is tagged so it comes back as a Decimal, not as text (results.py's form).
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _line(line: ExplanationLine) -> list[Any]:
    return [
        line.step.value,
        line.item_id,
        line.rule,
        [[name, _figure(v)] for name, v in line.figures],
        line.formula,
        None if line.result is None else str(line.result),
        line.tier,
        line.verdict,
    ]


def _item(item: ItemOutcome) -> list[Any]:
    return [item.item_id, item.kind, item.matter, item.status.value, str(item.amount), item.superseded_by]


def encode_lines(subject: SubjectResult) -> str:
    """The subject's explanation lines as compact JSON text."""
    return json.dumps([_line(line) for line in subject.lines], ensure_ascii=False, separators=(",", ":"))


def encode_items(subject: SubjectResult) -> str:
    """The subject's item outcomes as compact JSON text."""
    return json.dumps([_item(item) for item in subject.items], ensure_ascii=False, separators=(",", ":"))


def decode_lines(text: str) -> list[dict[str, Any]]:
    """Stored lines → the core's plain-data lines (``results.line_to_data`` form)."""
    return [dict(zip(_LINE_FIELDS, row, strict=True)) for row in json.loads(text)]


def decode_items(text: str) -> list[dict[str, Any]]:
    """Stored items → the core's plain-data items."""
    return [dict(zip(_ITEM_FIELDS, row, strict=True)) for row in json.loads(text)]
