"""MT940 (customer statement) and MT942 (interim transaction report), through ``mt-940``.

The library reads the tags; what it does not do is done here (the pitfalls the
anchors list): a file may hold several statements (each ``:20:`` starts one; the
library would merge them), SWIFT block wrappers (``{1:…}{2:…}{4:`` … ``-}``) are
removed, only ``:61:`` starts an entry, and the balance check is never left to the
library (:mod:`.rules`). An MT942 has no balances: its ``:90D:``/``:90C:`` totals are
checked instead. Amounts come as Decimal; debits are negative in the library and
positive with a debit sign here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import mt940

from services.payments.statements.model import Entry, ParsedStatement, StatementRefused, Sums

_BLOCKS = re.compile(r"\{[1-3]:[^}]*\}|\{4:|-\}|\{5:.*?\}", re.DOTALL)
_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
_ENTRY = re.compile(r"^:61:", re.MULTILINE)
MAX_STATEMENTS = 1000


def looks_like(text: str) -> bool:
    """True for text that is a SWIFT MT94x message."""
    return (
        bool(_STATEMENT_START.search(text))
        and (":25:" in text)
        and (":61:" in text or ":60" in text or ":90" in text)
    )


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each statement in the file."""
    body = _BLOCKS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    starts = [m.start() for m in _STATEMENT_START.finditer(body)]
    if not starts:
        raise StatementRefused(
            "No :20: tag: not an MT940/MT942 message.", [{"pointer": "/body", "detail": "no :20:"}]
        )
    blocks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(body)
        blocks.append((body.count("\n", 0, start) + 1, body[start:end].strip().rstrip("-").strip() + "\n"))
    if len(blocks) > MAX_STATEMENTS:
        raise StatementRefused(
            f"More than {MAX_STATEMENTS} statements in one file.",
            [{"pointer": "/body", "detail": "too many"}],
        )
    return blocks


def _amount(value: Any) -> Decimal:
    amount = getattr(value, "amount", value)
    return Decimal(str(amount))


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day)


def parse(text: str) -> list[ParsedStatement]:
    """Every statement of an MT940/MT942 file, or :class:`StatementRefused`."""
    statements = []
    for s_index, (first_line, block) in enumerate(_blocks(text)):
        pointer = f"/statement/{s_index}"
        try:
            transactions = mt940.parse(block)
        except Exception as exc:  # the library raises many types for malformed tags
            raise StatementRefused(
                f"Statement {s_index + 1} is not a readable MT940/942: {str(exc)[:200]}",
                [{"pointer": pointer, "detail": str(exc)[:300], "line": first_line}],
            ) from None
        data = transactions.data
        interim = (
            "sum_credit_entries" in data or "sum_debit_entries" in data or "final_opening_balance" not in data
        )
        opening = data.get("final_opening_balance")
        closing = data.get("final_closing_balance")
        entry_lines = [first_line + block.count("\n", 0, m.start()) for m in _ENTRY.finditer(block)]
        entries = []
        currency = None
        for e_index, transaction in enumerate(transactions):
            t = transaction.data
            amount = _amount(t["amount"])
            currency = currency or t.get("currency") or getattr(t["amount"], "currency", None)
            status = str(t.get("status") or "")
            details = " ".join(str(x) for x in (t.get("transaction_details"), t.get("extra_details")) if x)
            refs = re.findall(r"/EREF/([^/\s]+)", details)
            entries.append(
                Entry(
                    index=e_index,
                    amount=abs(amount),
                    credit=status in ("C", "RD"),  # RD: reversal of a debit is a credit
                    currency=str(t.get("currency") or currency or ""),
                    booking_date=_date(t.get("entry_date") or t.get("date")),
                    value_date=_date(t.get("date")),
                    bank_reference=t.get("bank_reference"),
                    end_to_end_ids=tuple(refs),
                    remittance=" ".join(filter(None, [details, t.get("customer_reference") or ""]))[:1000],
                    reversal=status.startswith("R"),
                    pointer=f"{pointer}/entry/{e_index}",
                    line=entry_lines[e_index] if e_index < len(entry_lines) else None,
                )
            )
        balance = opening or closing
        currency = currency or (str(balance.amount.currency) if balance is not None else None)
        account = data.get("account_identification")
        if not account or not currency:
            raise StatementRefused(
                f"Statement {s_index + 1} names no account (:25:) or currency.",
                [{"pointer": pointer, "detail": ":25: and a currency are needed", "line": first_line}],
            )
        sums = None
        if interim:
            credit, debit = data.get("sum_credit_entries"), data.get("sum_debit_entries")

            def count(total: Any) -> int | None:
                number = getattr(total, "number", None)
                return int(number) if number is not None and str(number).isdigit() else None

            sums = Sums(
                credit_sum=abs(_amount(credit)) if credit is not None else None,
                credit_count=count(credit),
                debit_sum=abs(_amount(debit)) if debit is not None else None,
                debit_count=count(debit),
            )
        reference = str(data.get("transaction_reference") or "")
        number = data.get("statement_number")
        statements.append(
            ParsedStatement(
                format="mt942" if interim else "mt940",
                kind="interim" if interim else "statement",
                statement_id=f"{reference}/{number}" if number else reference,
                account=str(account),
                currency=str(currency),
                entries=entries,
                opening=_signed_balance(opening),
                closing=_signed_balance(closing),
                from_date=_date(opening.date) if opening is not None else None,
                to_date=_date(closing.date) if closing is not None else None,
                sums=sums,
                pointer=pointer,
            )
        )
    return statements


def _signed_balance(balance: Any) -> Decimal | None:
    if balance is None:
        return None
    amount = abs(_amount(balance.amount))
    return -amount if str(balance.status) == "D" else amount
