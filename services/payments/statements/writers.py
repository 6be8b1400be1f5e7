"""Writing statements: camt.053.001.08, camt.054.001.08, MT940 and the platform's CSV.

The embedded bank simulator sends its statements with these (through the public API,
as a bank would); the benchmark builds its 100,000-entry file with them. What is
written is what a bank writes: schema-valid camt (ISO's XSD, checked by the tests)
and MT940 as SWIFT lays it out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from services.payments.statements.csv_format import COLUMNS

NS053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
NS054 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


@dataclass(frozen=True)
class OutEntry:
    """An entry to write."""

    amount: Decimal
    credit: bool
    booking_date: dt.date
    value_date: dt.date
    bank_reference: str
    end_to_end_id: str | None = None
    remittance: str = ""
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    status: str = "BOOK"


@dataclass
class OutStatement:
    """A statement to write."""

    statement_id: str
    account: str
    currency: str
    opening: Decimal
    created_at: dt.datetime
    from_date: dt.date
    to_date: dt.date
    entries: Sequence[OutEntry] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        """Opening plus the booked entries."""
        return self.opening + sum(
            (e.amount if e.credit else -e.amount for e in self.entries if e.status == "BOOK"), Decimal(0)
        )


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{parent.nsmap[None]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _account(parent: etree._Element, number: str, name: str = "Acct") -> None:
    node = _sub(parent, name)
    ident = _sub(node, "Id")
    if len(number) >= 15 and number[:2].isalpha() and number[2:4].isdigit():
        _sub(ident, "IBAN", number)
    else:
        _sub(_sub(ident, "Othr"), "Id", number)


def _ccy(parent: etree._Element, currency: str) -> etree._Element:
    node = etree.Element(f"{{{parent.nsmap[None]}}}Ccy")
    node.text = currency
    return node


def _balance(parent: etree._Element, code: str, amount: Decimal, currency: str, on: dt.date) -> None:
    node = _sub(parent, "Bal")
    _sub(_sub(_sub(node, "Tp"), "CdOrPrtry"), "Cd", code)
    _sub(node, "Amt", _money(abs(amount)), Ccy=currency)
    _sub(node, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
    _sub(_sub(node, "Dt"), "Dt", on.isoformat())


def _entry(parent: etree._Element, entry: OutEntry, currency: str) -> None:
    node = _sub(parent, "Ntry")
    _sub(node, "Amt", _money(entry.amount), Ccy=currency)
    _sub(node, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
    _sub(_sub(node, "Sts"), "Cd", entry.status)
    _sub(_sub(node, "BookgDt"), "Dt", entry.booking_date.isoformat())
    _sub(_sub(node, "ValDt"), "Dt", entry.value_date.isoformat())
    _sub(node, "AcctSvcrRef", entry.bank_reference)
    domain = _sub(_sub(node, "BkTxCd"), "Domn")
    if entry.credit:
        _sub(domain, "Cd", "PMNT")
        family = _sub(domain, "Fmly")
        _sub(family, "Cd", "RCDT")
        _sub(family, "SubFmlyCd", "XBCT")
    else:
        _sub(domain, "Cd", "ACMT")
        family = _sub(domain, "Fmly")
        _sub(family, "Cd", "MDOP")
        _sub(family, "SubFmlyCd", "CHRG")
    tx = _sub(_sub(node, "NtryDtls"), "TxDtls")
    refs = _sub(tx, "Refs")
    _sub(refs, "AcctSvcrRef", entry.bank_reference)
    _sub(refs, "EndToEndId", entry.end_to_end_id or "NOTPROVIDED")
    if entry.counterparty_name:
        parties = _sub(tx, "RltdPties")
        role = "Dbtr" if entry.credit else "Cdtr"
        _sub(_sub(_sub(parties, role), "Pty"), "Nm", entry.counterparty_name[:140])
        if entry.counterparty_account:
            _account(parties, entry.counterparty_account, f"{role}Acct")
    if entry.remittance:
        _sub(_sub(tx, "RmtInf"), "Ustrd", entry.remittance[:140])


def camt053(statements: Sequence[OutStatement], message_id: str, created_at: dt.datetime) -> bytes:
    """A camt.053.001.08 document holding ``statements``."""
    root = etree.Element(f"{{{NS053}}}Document", nsmap={None: NS053})
    group = _sub(root, "BkToCstmrStmt")
    header = _sub(group, "GrpHdr")
    _sub(header, "MsgId", message_id[:35])
    _sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
    for statement in statements:
        node = _sub(group, "Stmt")
        _sub(node, "Id", statement.statement_id[:35])
        _sub(node, "CreDtTm", statement.created_at.isoformat(timespec="seconds"))
        period = _sub(node, "FrToDt")
        _sub(period, "FrDtTm", f"{statement.from_date.isoformat()}T00:00:00+08:00")
        _sub(period, "ToDtTm", f"{statement.to_date.isoformat()}T23:59:59+08:00")
        _account(node, statement.account)
        node[-1].append(_ccy(node, statement.currency))
        _balance(node, "OPBD", statement.opening, statement.currency, statement.from_date)
        _balance(node, "CLBD", statement.closing, statement.currency, statement.to_date)
        for entry in statement.entries:
            _entry(node, entry, statement.currency)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def camt054(statement: OutStatement, message_id: str, created_at: dt.datetime) -> bytes:
    """A camt.054.001.08 notification of ``statement``'s entries (no balances)."""
    root = etree.Element(f"{{{NS054}}}Document", nsmap={None: NS054})
    group = _sub(root, "BkToCstmrDbtCdtNtfctn")
    header = _sub(group, "GrpHdr")
    _sub(header, "MsgId", message_id[:35])
    _sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
    node = _sub(group, "Ntfctn")
    _sub(node, "Id", statement.statement_id[:35])
    _sub(node, "CreDtTm", statement.created_at.isoformat(timespec="seconds"))
    _account(node, statement.account)
    node[-1].append(_ccy(node, statement.currency))
    for entry in statement.entries:
        _entry(node, entry, statement.currency)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def _mt_date(on: dt.date) -> str:
    return on.strftime("%y%m%d")


def mt940(statement: OutStatement, bic: str, sequence: int = 1) -> str:
    """An MT940 of ``statement`` (SWIFT blocks 1, 2 and 4)."""
    lines = [
        f"{{1:F01{bic[:8]}XXXX0000000000}}{{2:I940{bic[:8]}XXXXN}}{{4:",
        f":20:{statement.statement_id[:16]}",
        f":25:{bic}/{statement.account}",
        f":28C:{sequence:05d}/001",
        f":60F:{'C' if statement.opening >= 0 else 'D'}{_mt_date(statement.from_date)}{statement.currency}"
        f"{_mt_amount(statement.opening)}",
    ]
    for entry in statement.entries:
        if entry.status != "BOOK":
            continue
        mark = "C" if entry.credit else "D"
        code = "NTRF" if entry.credit else "NCHG"
        lines.append(
            f":61:{_mt_date(entry.value_date)}{entry.booking_date.strftime('%m%d')}{mark}{_mt_amount(entry.amount)}"
            f"{code}{(entry.end_to_end_id or 'NONREF')[:16]}//{entry.bank_reference[:16]}"
        )
        details = (f"/EREF/{entry.end_to_end_id} " if entry.end_to_end_id else "") + entry.remittance
        if details:
            # :86: lines are at most 65 characters, 6 lines.
            text = details[: 6 * 65]
            lines.append(":86:" + "\n".join(text[i : i + 65] for i in range(0, len(text), 65)))
    closing = statement.closing
    mark = "C" if closing >= 0 else "D"
    lines.append(f":62F:{mark}{_mt_date(statement.to_date)}{statement.currency}{_mt_amount(closing)}")
    lines.append("-}")
    return "\r\n".join(lines) + "\r\n"


def csv_statement(statement: OutStatement) -> str:
    """The platform's CSV of ``statement``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    base = [
        statement.statement_id,
        statement.account,
        statement.currency,
        _money(statement.opening),
        _money(statement.closing),
    ]
    if not statement.entries:
        writer.writerow(base + [""] * 8)
    for e in statement.entries:
        writer.writerow(
            base
            + [
                e.booking_date.isoformat(),
                e.value_date.isoformat(),
                _money(e.amount),
                "C" if e.credit else "D",
                e.bank_reference,
                e.end_to_end_id or "",
                e.remittance,
                e.counterparty_name or "",
            ]
        )
    return out.getvalue()
