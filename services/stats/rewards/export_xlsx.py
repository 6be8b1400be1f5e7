"""Export a reward run to XLSX for the commerce and finance bureaus.

Sheets:

* **Summary** — run id and status, policy id/status/hash, snapshot id/hash,
  engine version, budget, demand, total paid, scale factor, the budget
  explanation, the amounts digest, the correction link if any, and the status
  history (who and when, UTC).
* **Amounts** — one row per subject: identity, amount after 就高不重复, after the
  subject cap, and paid; the items paid and superseded; a total row.
* **Explanations** — one row per explanation line (rule, figures, tier,
  formula, result, verdict).
* **Differences** — only for a correction: previous, current and delta per subject.

Money cells are numbers with the ``#,##0.00`` format so the bureaus can sum
and filter them. The cell is given the Decimal already quantized to the fen,
and openpyxl writes its exact decimal text (``<v>1234.17</v>``) into the file;
the conversion to a binary double happens at the very last moment, when a
spreadsheet program reads the file. For any amount below 2^53 fen (≈ 90
trillion CNY) that double reads back, via ``repr``, as the same two-decimal
number, which the round-trip tests check.

Text is always written as a string, never a formula: enterprise names come
from outside, and a name such as ``=HYPERLINK(…)`` must stay inert.

Speed: plain ``str``/``int`` values are appended as they are; openpyxl only
turns a string starting with ``=`` into a formula, so only those (and text
with control characters) need a forced-string cell. openpyxl still spends
about 10 µs per cell, so a 20,000-enterprise run (~430,000 explanation lines)
takes tens of seconds to export in full: run it as a background job, or pass
``explanations="paid"`` / ``"none"`` for a quick workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .lifecycle import RewardRun
from .money import EXACT, FEN
from .results import Figure, RunResult

MONEY_FORMAT = "#,##0.00"
SHEET_SUMMARY = "Summary"
SHEET_AMOUNTS = "Amounts"
SHEET_EXPLANATIONS = "Explanations"
SHEET_DIFFERENCES = "Differences"

AMOUNT_HEADERS = (
    "Subject key 主体键",
    "Kind 类型",
    "Subject id 主体编号",
    "Name 名称",
    "District 区县",
    "USCC 统一社会信用代码",
    "Gross 就高后合计",
    "After subject cap 封顶后",
    "Paid 实发金额",
    "Rank 排名",
    "Items paid 采用项目",
    "Items superseded 就高不重复未采用",
)
EXPLANATION_HEADERS = (
    "Subject key 主体键",
    "Line 行",
    "Step 步骤",
    "Item 项目",
    "Rule 规则",
    "Tier 档位",
    "Figures 数据",
    "Formula 计算",
    "Result 结果",
    "Verdict 结论",
)
DIFFERENCE_HEADERS = ("Subject key 主体键", "Previous 原金额", "Current 更正后", "Delta 差额")

_BOLD = Font(bold=True)


def _clean(text: str) -> str:
    # openpyxl refuses control characters; one bad byte in a name must not abort the export.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


class _Sheet:
    """A write-only sheet with typed cell helpers."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet

    def text(self, value: str | None, *, bold: bool = False) -> WriteOnlyCell | str | None:
        if value is None:
            return None
        if not bold and not value.startswith("=") and not ILLEGAL_CHARACTERS_RE.search(value):
            return value  # openpyxl stores it as a string as it is
        cell = WriteOnlyCell(self.sheet, value=_clean(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if bold:
            cell.font = _BOLD
        return cell

    def money(self, value: Decimal | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        # The quantized Decimal itself: its exact text goes into the file (see the module docstring).
        cell = WriteOnlyCell(self.sheet, value=value.quantize(FEN, context=EXACT))
        cell.number_format = MONEY_FORMAT
        return cell

    def number(self, value: int | Decimal | None, number_format: str = "0") -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = number_format
        return cell

    def row(self, cells: Iterable[Any]) -> None:
        self.sheet.append(list(cells))

    def header(self, labels: Iterable[str]) -> None:
        self.row(self.text(label, bold=True) for label in labels)


def _show_figure(value: Figure) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _figures(figures: tuple[tuple[str, Figure], ...]) -> str:
    return "; ".join(f"{name}={_show_figure(value)}" for name, value in figures)


def _summary(sheet: _Sheet, run: RewardRun) -> None:
    result: RunResult = run.result
    budget = result.budget
    example = result.policy_status == "example"
    rows: list[tuple[str, Any]] = [
        ("Run id 批次编号", sheet.text(run.run_id)),
        ("Status 状态", sheet.text(run.status.value)),
        ("Year 年度", sheet.number(result.year)),
        ("Currency 币种", sheet.text(result.currency)),
        ("Policy id 政策编号", sheet.text(result.policy_id)),
        (
            "Policy status 政策状态",
            sheet.text(result.policy_status + (" — EXAMPLE, NOT REAL FIGURES" if example else "")),
        ),
        ("Policy SHA-256", sheet.text(result.policy_hash)),
        ("Snapshot id 数据快照", sheet.text(result.snapshot_id)),
        ("Snapshot SHA-256", sheet.text(result.snapshot_hash)),
        ("Engine 计算引擎", sheet.text(result.engine_version)),
        ("Budget 预算总额", sheet.money(budget.total)),
        ("Allocation 分配方式", sheet.text(budget.method)),
        ("Demand 申请合计", sheet.money(budget.demand)),
        ("Total paid 实发合计", sheet.money(budget.allocated)),
        ("Scale factor 折算系数", sheet.number(budget.scale_factor, "0.0000000000")),
        ("Leftover fen 尾差分", sheet.number(budget.leftover_fen)),
        ("Budget step 预算说明", sheet.text(budget.explanation)),
        ("Subjects 主体数", sheet.number(len(result.subjects))),
        ("Subjects paid 获奖主体数", sheet.number(sum(1 for s in result.subjects if s.final > 0))),
        ("Amounts digest 金额摘要", sheet.text(run.amounts_digest)),
        ("Separation of duties 职责分离", sheet.text("yes" if run.separation_of_duties else "no")),
    ]
    if run.correction is not None:
        rows += [
            ("Corrects run 更正批次", sheet.text(run.correction.corrects_run_id)),
            ("Correction reason 更正原因", sheet.text(run.correction.reason)),
            ("Total delta 差额合计", sheet.money(run.correction.total_delta)),
        ]
    for label, cell in rows:
        sheet.row([sheet.text(label, bold=True), cell])
    sheet.row([])
    sheet.header(
        ["Status history 状态记录", "From 原状态", "To 新状态", "Actor 操作人", "At (UTC) 时间", "Note 备注"]
    )
    for change in run.history:
        sheet.row(
            [
                None,
                sheet.text(change.from_status.value if change.from_status else "—"),
                sheet.text(change.to_status.value),
                sheet.text(change.actor),
                sheet.text(change.at.isoformat().replace("+00:00", "Z")),
                sheet.text(change.note),
            ]
        )


def _amounts(sheet: _Sheet, result: RunResult) -> None:
    sheet.header(AMOUNT_HEADERS)
    for s in result.subjects:
        paid = "; ".join(f"{i.item_id} {i.amount:,.2f}" for i in s.items if i.status.value == "paid")
        superseded = "; ".join(
            f"{i.item_id} {i.amount:,.2f} (by {i.superseded_by})"
            for i in s.items
            if i.status.value == "superseded"
        )
        sheet.row(
            [
                sheet.text(s.key),
                sheet.text(s.kind.value),
                sheet.text(s.subject_id),
                sheet.text(s.name),
                sheet.text(s.district),
                sheet.text(s.uscc),
                sheet.money(s.gross),
                sheet.money(s.capped),
                sheet.money(s.final),
                sheet.number(s.rank),
                sheet.text(paid or None),
                sheet.text(superseded or None),
            ]
        )
    sheet.row(
        [
            sheet.text("TOTAL 合计", bold=True),
            None,
            None,
            None,
            None,
            None,
            sheet.money(sum((s.gross for s in result.subjects), Decimal(0))),
            sheet.money(result.budget.demand),
            sheet.money(result.budget.allocated),
        ]
    )


def _explanations(sheet: _Sheet, result: RunResult, only_paid: bool) -> None:
    sheet.header(EXPLANATION_HEADERS)
    for s in result.subjects:
        if only_paid and s.final <= 0:
            continue
        # Never share one cell object between rows: openpyxl repositions a cell when it is appended.
        for number, line in enumerate(s.lines, start=1):
            sheet.row(
                [
                    sheet.text(s.key),
                    number,
                    sheet.text(line.step.value),
                    sheet.text(line.item_id),
                    sheet.text(line.rule),
                    sheet.text(line.tier),
                    sheet.text(_figures(line.figures) or None),
                    sheet.text(line.formula),
                    sheet.money(line.result),
                    sheet.text(line.verdict),
                ]
            )


def _differences(sheet: _Sheet, run: RewardRun) -> None:
    assert run.correction is not None
    sheet.header(DIFFERENCE_HEADERS)
    for d in run.correction.differences:
        sheet.row(
            [sheet.text(d.subject_key), sheet.money(d.previous), sheet.money(d.current), sheet.money(d.delta)]
        )


def _widths(sheet: WriteOnlyWorksheet, widths: dict[str, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


ExplanationScope = Literal["all", "paid", "none"]


def build_workbook(run: RewardRun, *, explanations: ExplanationScope = "all") -> Workbook:
    """The run as an openpyxl write-only workbook (save it once).

    ``explanations``: ``"all"`` subjects (default), only those ``"paid"`` a
    non-zero amount, or ``"none"`` (no Explanations sheet).
    """
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(SHEET_SUMMARY)
    _widths(summary, {"A": 34, "B": 72, "C": 12, "D": 20, "E": 30, "F": 30})
    _summary(_Sheet(summary), run)

    amounts = workbook.create_sheet(SHEET_AMOUNTS)
    amounts.freeze_panes = "A2"
    _widths(amounts, {"A": 24, "C": 16, "D": 36, "F": 22, "G": 16, "H": 16, "I": 16, "K": 40, "L": 40})
    _amounts(_Sheet(amounts), run.result)

    if explanations != "none":
        sheet = workbook.create_sheet(SHEET_EXPLANATIONS)
        sheet.freeze_panes = "A2"
        _widths(sheet, {"A": 24, "C": 12, "E": 30, "F": 18, "G": 50, "H": 90, "I": 16, "J": 16})
        _explanations(_Sheet(sheet), run.result, only_paid=explanations == "paid")

    if run.correction is not None:
        differences = workbook.create_sheet(SHEET_DIFFERENCES)
        differences.freeze_panes = "A2"
        _widths(differences, {"A": 24, "B": 16, "C": 16, "D": 16})
        _differences(_Sheet(differences), run)
    return workbook


def write_run_xlsx(
    run: RewardRun, target: str | Path | IO[bytes], *, explanations: ExplanationScope = "all"
) -> None:
    """Write the run with its explanations to an XLSX file path or binary stream."""
    build_workbook(run, explanations=explanations).save(target)


def run_xlsx_bytes(run: RewardRun, *, explanations: ExplanationScope = "all") -> bytes:
    """The XLSX file as bytes (e.g. for an HTTP response)."""
    buffer = io.BytesIO()
    write_run_xlsx(run, buffer, explanations=explanations)
    return buffer.getvalue()
