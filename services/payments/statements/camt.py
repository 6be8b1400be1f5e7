"""camt.053 (statements) and camt.054 (debit/credit notifications), ISO 20022.

Untrusted bytes go through the platform's hardened parser (:mod:`shared.xml_security`:
size cap, strict encoding, no DOCTYPE, no entities, DTDs or network, depth cap), then
are validated against ISO's own schema of the message version the namespace names
(``xsd/``); only a valid document is read. Versions 001.02 and 001.08 are understood;
any other namespace is refused, naming it.

Reading: each ``Stmt`` (``Ntfctn``) is one account's statement; opening balance ``OPBD``
(or ``PRCD``), closing ``CLBD``; each ``Ntry`` an entry with its amount, sign
(``CdtDbtInd``), status (``Sts``, or ``Sts/Cd`` from version 08), dates, the bank's
reference (``AcctSvcrRef``), the end-to-end ids and remittance text of its
``TxDtls``, and the counterparty (the debtor of a credit, the creditor of a debit).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from services.payments.statements.model import Entry, ParsedStatement, StatementRefused, Sums
from shared.xml_security import XmlLimits, secure_parse

XSD = Path(__file__).with_name("xsd")
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:"
VERSIONS = {
    "camt.053.001.02": ("BkToCstmrStmt", "Stmt", "statement"),
    "camt.053.001.08": ("BkToCstmrStmt", "Stmt", "statement"),
    "camt.054.001.02": ("BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification"),
    "camt.054.001.08": ("BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification"),
}
_MAX_ERRORS = 20


@cache
def schema(version: str) -> etree.XMLSchema:
    """ISO's schema of ``version``, compiled once."""
    return etree.XMLSchema(etree.parse(str(XSD / f"{version}.xsd")))


def message_version(data: bytes) -> str | None:
    """The camt version a document's namespace names, if it is one (cheap: no full parse)."""
    head = data[:4096].decode("utf-8", "ignore")
    start = head.find(NAMESPACE + "camt.05")
    if start < 0:
        return None
    version = head[start + len(NAMESPACE) : start + len(NAMESPACE) + 15]
    return version if version in VERSIONS else version


def parse(data: bytes, limits: XmlLimits) -> list[ParsedStatement]:
    """Every statement of a camt.053/054 document, or :class:`StatementRefused`."""
    parsed = secure_parse(data, limits)
    if parsed.root is None:
        issue = parsed.issues[0]
        problem: dict[str, object] = {"pointer": "/body", "detail": issue.message, "type": issue.code}
        if issue.line:
            problem["line"] = issue.line
        raise StatementRefused(f"Not acceptable XML: {issue.message}.", [problem])
    root = parsed.root
    namespace = etree.QName(root).namespace or ""
    version = namespace.removeprefix(NAMESPACE)
    if (
        not namespace.startswith(NAMESPACE)
        or version not in VERSIONS
        or etree.QName(root).localname != "Document"
    ):
        raise StatementRefused(
            f"Not a camt.053/054 document this platform reads (namespace {namespace!r}).",
            [
                {
                    "pointer": "/body",
                    "detail": f"root {{{namespace}}}{etree.QName(root).localname}; "
                    f"accepted: {', '.join(NAMESPACE + v for v in sorted(VERSIONS))}",
                }
            ],
        )
    xsd = schema(version)
    if not xsd.validate(root):
        raise StatementRefused(
            f"The document is not a valid {version} (ISO 20022 schema).", _schema_problems(root, xsd, version)
        )
    return _read(root, version)


def _schema_problems(root: etree._Element, xsd: etree.XMLSchema, version: str) -> list[dict[str, object]]:
    _group, item, _kind = VERSIONS[version]
    # Which statement and entry each error falls in, from the lines the elements start at.
    spans: list[tuple[int, str]] = []
    for s_index, statement in enumerate(root.iter(f"{{{NAMESPACE}{version}}}{item}")):
        spans.append((statement.sourceline or 0, f"/{item}/{s_index}"))
        for e_index, entry in enumerate(statement.iter(f"{{{NAMESPACE}{version}}}Ntry")):
            spans.append((entry.sourceline or 0, f"/{item}/{s_index}/Ntry/{e_index}"))
    spans.sort()
    problems: list[dict[str, object]] = []
    for error in list(xsd.error_log)[:_MAX_ERRORS]:
        pointer = "/body"
        for start, where in spans:
            if start <= error.line:
                pointer = where
        problems.append({"pointer": pointer, "detail": error.message, "line": error.line, "type": "xsd"})
    return problems


def _read(root: etree._Element, version: str) -> list[ParsedStatement]:
    ns = {"c": NAMESPACE + version}
    group, item, kind = VERSIONS[version]
    statements = []
    for s_index, node in enumerate(root.findall(f"c:{group}/c:{item}", ns)):
        pointer = f"/{item}/{s_index}"
        currency = node.findtext("c:Acct/c:Ccy", namespaces=ns)
        account = node.findtext("c:Acct/c:Id/c:IBAN", namespaces=ns) or node.findtext(
            "c:Acct/c:Id/c:Othr/c:Id", namespaces=ns
        )
        entries = [_entry(e, i, ns, f"{pointer}/Ntry/{i}") for i, e in enumerate(node.findall("c:Ntry", ns))]
        currency = currency or (entries[0].currency if entries else None)
        if not account or not currency:
            raise StatementRefused(
                "The statement names no account or currency.",
                [
                    {
                        "pointer": f"{pointer}/Acct",
                        "detail": "Acct/Id and Acct/Ccy (or entry currencies) are needed",
                    }
                ],
            )
        opening, closing = _balances(node, ns)
        statements.append(
            ParsedStatement(
                format=version,
                kind=kind,
                statement_id=node.findtext("c:Id", namespaces=ns) or "",
                account=account,
                currency=currency,
                entries=entries,
                opening=opening,
                closing=closing,
                created_at=_datetime(node.findtext("c:CreDtTm", namespaces=ns)),
                from_date=_date(node.findtext("c:FrToDt/c:FrDtTm", namespaces=ns)),
                to_date=_date(node.findtext("c:FrToDt/c:ToDtTm", namespaces=ns)),
                sums=_sums(node, ns),
                pointer=pointer,
            )
        )
    return statements


def _balances(node: etree._Element, ns: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    found: dict[str, Decimal] = {}
    for balance in node.findall("c:Bal", ns):
        code = balance.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=ns)
        amount = _decimal(balance.findtext("c:Amt", namespaces=ns))
        if code is None or amount is None:
            continue
        if balance.findtext("c:CdtDbtInd", namespaces=ns) == "DBIT":
            amount = -amount
        found.setdefault(code, amount)
    return found.get("OPBD", found.get("PRCD")), found.get("CLBD")


def _sums(node: etree._Element, ns: dict[str, str]) -> Sums | None:
    summary = node.find("c:TxsSummry", ns)
    if summary is None:
        return None

    def count(path: str) -> int | None:
        text = summary.findtext(path, namespaces=ns)
        return int(text) if text and text.isdigit() else None

    return Sums(
        credit_sum=_decimal(summary.findtext("c:TtlCdtNtries/c:Sum", namespaces=ns)),
        credit_count=count("c:TtlCdtNtries/c:NbOfNtries"),
        debit_sum=_decimal(summary.findtext("c:TtlDbtNtries/c:Sum", namespaces=ns)),
        debit_count=count("c:TtlDbtNtries/c:NbOfNtries"),
    )


class _Node:
    """An element's children by local name, read in one pass.

    A 100,000-entry statement is read in seconds only if each entry's dozen fields do not
    each cost an ElementPath query with a namespace map; one walk over the children does.
    """

    __slots__ = ("kids",)

    def __init__(self, node: etree._Element | None, cut: int) -> None:
        kids: dict[str, list[etree._Element]] = {}
        if node is not None:
            for child in node:
                tag = child.tag
                if isinstance(tag, str):  # not a comment or processing instruction
                    kids.setdefault(tag[cut:], []).append(child)
        self.kids = kids

    def all(self, name: str) -> list[etree._Element]:
        return self.kids.get(name, [])

    def one(self, name: str) -> etree._Element | None:
        found = self.kids.get(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        found = self.kids.get(name)
        return found[0].text if found else None


def _path_text(node: etree._Element | None, cut: int, *path: str) -> str | None:
    """The text of the first element along ``path`` (local names), like ``findtext``."""
    current = node
    for name in path:
        if current is None:
            return None
        current = _Node(current, cut).one(name)
    return None if current is None else (current.text or "")


def _entry(node: etree._Element, index: int, ns: dict[str, str], pointer: str) -> Entry:
    cut = len(ns["c"]) + 2  # "{namespace}"
    entry = _Node(node, cut)
    amount_node = entry.one("Amt")
    credit = entry.text("CdtDbtInd") == "CRDT"
    status_node = entry.one("Sts")
    status = (_path_text(status_node, cut, "Cd") or None) or (
        (status_node.text if status_node is not None else None) or "BOOK"
    ).strip()
    e2e: list[str] = []
    texts: list[str] = []
    name = account = None
    party = "Dbtr" if credit else "Cdtr"
    for details in entry.all("NtryDtls"):
        for tx_node in _Node(details, cut).all("TxDtls"):
            tx = _Node(tx_node, cut)
            ref = _path_text(tx.one("Refs"), cut, "EndToEndId")
            if ref and ref != "NOTPROVIDED":
                e2e.append(ref)
            for remittance in tx.all("RmtInf"):
                rmt = _Node(remittance, cut)
                texts.extend(u.text for u in rmt.all("Ustrd") if u.text)
                for structured in rmt.all("Strd"):
                    for creditor_ref in _Node(structured, cut).all("CdtrRefInf"):
                        texts.extend(r.text for r in _Node(creditor_ref, cut).all("Ref") if r.text)
            extra = tx.text("AddtlTxInf")
            if extra:
                texts.append(extra)
            parties_node = tx.one("RltdPties")
            if parties_node is not None and (name is None or account is None):
                parties = _Node(parties_node, cut)
                who = parties.one(party)
                name = name or _path_text(who, cut, "Nm") or _path_text(who, cut, "Pty", "Nm") or None
                acct = parties.one(f"{party}Acct")
                account = (
                    account
                    or _path_text(acct, cut, "Id", "IBAN")
                    or _path_text(acct, cut, "Id", "Othr", "Id")
                    or None
                )
    extra = entry.text("AddtlNtryInf")
    if extra:
        texts.append(extra)
    amount = _decimal(amount_node.text if amount_node is not None else None)
    if amount is None:
        raise StatementRefused(
            f"Entry {index + 1} has no readable amount.",
            [{"pointer": pointer, "detail": "Amt", "line": node.sourceline}],
        )
    booked, valued = entry.one("BookgDt"), entry.one("ValDt")
    return Entry(
        index=index,
        amount=amount,
        credit=credit,
        currency=amount_node.get("Ccy", "") if amount_node is not None else "",
        status=status,
        booking_date=_date(_path_text(booked, cut, "Dt") or _path_text(booked, cut, "DtTm")),
        value_date=_date(_path_text(valued, cut, "Dt") or _path_text(valued, cut, "DtTm")),
        bank_reference=entry.text("AcctSvcrRef"),
        end_to_end_ids=tuple(e2e),
        remittance=" ".join(texts)[:1000],
        counterparty_name=name,
        counterparty_account=account,
        reversal=entry.text("RvslInd") == "true",
        pointer=pointer,
        line=node.sourceline,
    )


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
