"""The platform's own statement CSV, for banks and systems without camt or MT940.

One row per entry, UTF-8, a header row, these columns (docs/payments.md):

``statement_id,account,currency,opening_balance,closing_balance,booking_date,value_date,
amount,direction,bank_reference,end_to_end_id,remittance,counterparty``

``direction`` is ``C`` (credit) or ``D`` (debit); ``amount`` is positive; the statement
columns repeat on every row and must agree; a statement without entries is one row with
empty entry columns. Several statements may follow one another.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from services.payments.statements.model import Entry, ParsedStatement, StatementRefused

COLUMNS = (
    "statement_id",
    "account",
    "currency",
    "opening_balance",
    "closing_balance",
    "booking_date",
    "value_date",
    "amount",
    "direction",
    "bank_reference",
    "end_to_end_id",
    "remittance",
    "counterparty",
)
MAX_ROWS = 200_000


def _decimal(text: str, pointer: str, line: int) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise StatementRefused(
            f"{text!r} is not an amount.", [{"pointer": pointer, "detail": "not a number", "line": line}]
        ) from None


def _date(text: str, pointer: str, line: int) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise StatementRefused(
            f"{text!r} is not a date (YYYY-MM-DD).",
            [{"pointer": pointer, "detail": "not a date", "line": line}],
        ) from None


def parse(text: str) -> list[ParsedStatement]:
    """Every statement of the CSV, or :class:`StatementRefused` naming the line and column."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or tuple(n.strip() for n in reader.fieldnames) != COLUMNS:
        raise StatementRefused(
            "The CSV header is not the platform's statement format.",
            [{"pointer": "/body/line/1", "detail": "expected " + ",".join(COLUMNS), "line": 1}],
        )
    statements: dict[tuple[str, str], ParsedStatement] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS:
            raise StatementRefused(
                "Too many rows.", [{"pointer": f"/body/line/{number}", "detail": "too many rows"}]
            )
        at = f"/body/line/{number}"
        key = (row["statement_id"].strip(), row["account"].strip())
        if not all(key) or not row["currency"].strip():
            raise StatementRefused(
                "statement_id, account and currency are required.",
                [{"pointer": at, "detail": "missing", "line": number}],
            )
        opening = (
            _decimal(row["opening_balance"], f"{at}/opening_balance", number)
            if row["opening_balance"].strip()
            else None
        )
        closing = (
            _decimal(row["closing_balance"], f"{at}/closing_balance", number)
            if row["closing_balance"].strip()
            else None
        )
        statement = statements.get(key)
        if statement is None:
            statement = statements[key] = ParsedStatement(
                format="csv",
                kind="statement",
                statement_id=key[0],
                account=key[1],
                currency=row["currency"].strip().upper(),
                opening=opening,
                closing=closing,
                pointer=at,
            )
        elif (statement.currency, statement.opening, statement.closing) != (
            row["currency"].strip().upper(),
            opening,
            closing,
        ):
            raise StatementRefused(
                "The statement columns differ between rows of one statement.",
                [
                    {
                        "pointer": at,
                        "detail": "currency or balances differ from the statement's first row",
                        "line": number,
                    }
                ],
            )
        if not row["amount"].strip():
            continue
        direction = row["direction"].strip().upper()
        if direction not in ("C", "D"):
            raise StatementRefused(
                "direction is C or D.", [{"pointer": f"{at}/direction", "detail": "C or D", "line": number}]
            )
        index = len(statement.entries)
        statement.entries.append(
            Entry(
                index=index,
                amount=_decimal(row["amount"], f"{at}/amount", number),
                credit=direction == "C",
                currency=statement.currency,
                booking_date=_date(row["booking_date"], f"{at}/booking_date", number),
                value_date=_date(row["value_date"], f"{at}/value_date", number),
                bank_reference=row["bank_reference"].strip() or None,
                end_to_end_ids=(row["end_to_end_id"].strip(),) if row["end_to_end_id"].strip() else (),
                remittance=row["remittance"].strip()[:1000],
                counterparty_name=row["counterparty"].strip() or None,
                pointer=at,
                line=number,
            )
        )
    if not statements:
        raise StatementRefused("The CSV has no rows.", [{"pointer": "/body", "detail": "no rows"}])
    return list(statements.values())
