"""Pure check of an import return (CEB625) against its original inventory (CEB621).

XSD annotations: ``InvtRefundList.gnum`` is the original inventory line,
``qty`` "小于等于原清单的成交计量单位的数量", gcode and gname "与清单一致".
A line missing from the inventory is customs ``-625209``.
"""

from __future__ import annotations

from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Record, head_pointer, line_pointer


def check_refund_against_inventory(refund: Record, inventory: Record, index: int = 0) -> list[Issue]:
    """Issues for a CEB625 record whose lines do not fit the original CEB621 record."""
    issues: list[Issue] = []
    original_invt = inventory.head.get("invtNo")
    if original_invt and refund.head.get("invtNo") != original_invt:
        issues.append(
            Issue(
                codes.REFUND_LINE_MISMATCH,
                f"invtNo must be the original inventory {original_invt}",
                head_pointer(index, "invtNo"),
            )
        )
    originals = {line.get("gnum"): line for line in inventory.lines}
    for line_index, line in enumerate(refund.lines):
        at = lambda name, li=line_index: line_pointer(index, li, name)  # noqa: E731
        original = originals.get(line.get("gnum"))
        if original is None:
            issues.append(
                Issue(
                    codes.REFUND_LINE_NOT_FOUND,
                    f"在关联的清单中未找到表体序号为[{line.get('gnum')}],商品编号为[{line.get('gcode')}]的数据",
                    at("gnum"),
                )
            )
            continue
        for name in ("gcode", "gname", "unit"):
            if line.get(name) != original.get(name):
                issues.append(
                    Issue(
                        codes.REFUND_LINE_MISMATCH,
                        f"{name} must equal the inventory line's {original.get(name)!r}",
                        at(name),
                    )
                )
        qty, original_qty = line.get("qty"), original.get("qty")
        if isinstance(qty, Decimal) and isinstance(original_qty, Decimal) and qty > original_qty:
            issues.append(
                Issue(
                    codes.REFUND_QTY, f"returned qty {qty} exceeds the inventory's {original_qty}", at("qty")
                )
            )
    return issues
