"""Statements in: camt.053/054 validated by ISO's schemas, MT940/942, our CSV; balances checked by us;
a statement sent twice stored once; hostile XML refused; refusals name the entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.payments.statements import writers
from tests.payments.support import PaymentsApi, bank, enterprise, onboard, outbox_text

D = Decimal
BJ = dt.timezone(dt.timedelta(hours=8))
ACCOUNT = "6217000012345678"
XML = {"content-type": "application/xml"}
TEXT = {"content-type": "text/plain"}
CSV = {"content-type": "text/csv"}


def _bank():  # type: ignore[no-untyped-def]
    return bank("bank-1")


def _statement(
    entries: list[writers.OutEntry] | None = None, statement_id: str = "STMT-20261105"
) -> writers.OutStatement:
    day = dt.date(2026, 11, 5)
    return writers.OutStatement(
        statement_id,
        ACCOUNT,
        "USD",
        D("1000.00"),
        dt.datetime(2026, 11, 5, 18, tzinfo=BJ),
        day,
        day,
        entries
        if entries is not None
        else [
            writers.OutEntry(
                D("950.00"),
                True,
                day,
                day,
                "B1",
                "E2E-1",
                "PAYOUT SO-1 SO-2",
                "Amazon Payments Europe",
                "LU280019400644750000",
            ),
            writers.OutEntry(D("12.50"), False, day, day, "B2", None, "BANK CHARGES"),
        ],
    )


@pytest.fixture
async def client_bank(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, _bank(), [enterprise("ent-1")], accounts={enterprise("ent-1").party_id: ACCOUNT})
    return payments


async def _send(api: PaymentsApi, body: bytes | str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return await api.post("/v1/payments/statements", _bank(), content=body, headers=headers)


async def test_a_camt053_statement_is_validated_checked_and_stored(client_bank: PaymentsApi) -> None:
    answer = await _send(
        client_bank, writers.camt053([_statement()], "MSG1", dt.datetime(2026, 11, 5, 18, tzinfo=BJ)), XML
    )
    assert answer.status_code == 201, answer.text
    (statement,) = answer.json()
    assert (
        statement["format"],
        statement["entries"],
        statement["closing_balance"],
        statement["account"],
    ) == (
        "camt.053.001.08",
        2,
        "1937.50",
        "****5678",
    )
    entries = (
        await client_bank.get(f"/v1/payments/statements/{statement['id']}/entries", enterprise("ent-1"))
    ).json()
    first = entries["items"][0]
    assert (first["end_to_end_ids"], first["counterparty"], first["match_state"]) == (
        ["E2E-1"],
        "A***",
        "unmatched",
    )


async def test_the_same_statement_sent_twice_is_stored_once(client_bank: PaymentsApi) -> None:
    document = writers.camt053([_statement()], "MSG1", dt.datetime(2026, 11, 5, 18, tzinfo=BJ))
    first = await _send(client_bank, document, XML)
    again = await _send(client_bank, document, XML)
    # Same statement, other bytes (a new message id): still the same statement.
    resent = await _send(
        client_bank, writers.camt053([_statement()], "MSG2", dt.datetime(2026, 11, 6, tzinfo=BJ)), XML
    )
    assert (first.status_code, again.status_code, resent.status_code) == (201, 200, 200)
    assert first.json()[0]["id"] == again.json()[0]["id"] == resent.json()[0]["id"]
    listed = (await client_bank.get("/v1/payments/statements", enterprise("ent-1"))).json()["items"]
    assert len(listed) == 1


async def test_another_statement_under_a_received_id_is_a_conflict(client_bank: PaymentsApi) -> None:
    await _send(client_bank, writers.camt053([_statement()], "M1", dt.datetime(2026, 11, 5, tzinfo=BJ)), XML)
    day = dt.date(2026, 11, 5)
    changed = _statement([writers.OutEntry(D("1.00"), True, day, day, "B9")])
    answer = await _send(
        client_bank, writers.camt053([changed], "M3", dt.datetime(2026, 11, 5, tzinfo=BJ)), XML
    )
    assert answer.status_code == 409 and answer.json()["code"] == "payments.statement_conflict"


async def test_a_closing_balance_that_does_not_add_up_is_refused_naming_the_entry(
    client_bank: PaymentsApi,
) -> None:
    document = writers.camt053([_statement()], "M1", dt.datetime(2026, 11, 5, tzinfo=BJ))
    # The bank's closing balance forgot the charge: opening + entries is 12.50 short of it.
    tampered = document.replace(b'<Amt Ccy="USD">1937.50</Amt>', b'<Amt Ccy="USD">1950.00</Amt>')
    answer = await _send(client_bank, tampered, XML)
    assert answer.status_code == 422, answer.text
    problem = answer.json()["errors"][0]
    assert problem["pointer"] == "/Stmt/0/Ntry/1" and "entry 2" in problem["detail"] and problem["line"]
    assert (await client_bank.get("/v1/payments/statements", enterprise("ent-1"))).json()["items"] == []


async def test_a_document_failing_isos_schema_is_refused_at_the_entry(client_bank: PaymentsApi) -> None:
    document = writers.camt053([_statement()], "M1", dt.datetime(2026, 11, 5, tzinfo=BJ))
    broken = document.replace(b"<CdtDbtInd>DBIT</CdtDbtInd><Sts>", b"<CdtDbtInd>MINUS</CdtDbtInd><Sts>")
    answer = await _send(client_bank, broken, XML)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/Stmt/0/Ntry/1"
    assert answer.json()["errors"][0]["type"] == "xsd"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<Document>&lol2;</Document>",
            "xml.doctype_forbidden",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Document>&xxe;</Document>',
            "xml.doctype_forbidden",
        ),
        (b"<Document>" + b"<a>" * 200 + b"</a>" * 200 + b"</Document>", "xml.too_deep"),
        (b"<Document><unclosed></Document>", "xml.malformed"),
        (
            b'<?xml version="1.0" encoding="UTF-8"?><Document>\xff\xfe</Document>',
            "xml.bad_bytes_for_encoding",
        ),
    ],
)
async def test_hostile_xml_is_refused_by_the_hardened_parser(
    client_bank: PaymentsApi, body: bytes, code: str
) -> None:
    answer = await _send(client_bank, body, XML)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["type"] == code


async def test_a_foreign_namespace_is_refused_naming_it(client_bank: PaymentsApi) -> None:
    body = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><x/></Document>'
    answer = await _send(client_bank, body, XML)
    assert answer.status_code == 422 and "pain.001" in answer.json()["errors"][0]["detail"]


async def test_a_camt054_notification_is_accepted(client_bank: PaymentsApi) -> None:
    answer = await _send(
        client_bank, writers.camt054(_statement(), "N1", dt.datetime(2026, 11, 5, tzinfo=BJ)), XML
    )
    assert answer.status_code == 201 and answer.json()[0]["kind"] == "notification"


async def test_an_mt940_file_with_two_statements_is_read_as_two(client_bank: PaymentsApi) -> None:
    day2 = dt.date(2026, 11, 6)
    second = writers.OutStatement(
        "STMT-20261106",
        ACCOUNT,
        "USD",
        D("1937.50"),
        dt.datetime(2026, 11, 6, 18, tzinfo=BJ),
        day2,
        day2,
        [writers.OutEntry(D("62.50"), True, day2, day2, "B3", None, "SO-3")],
    )
    text = writers.mt940(_statement(), "BKCHCNBJ95H", 1) + writers.mt940(second, "BKCHCNBJ95H", 2)
    answer = await _send(client_bank, text, TEXT)
    assert answer.status_code == 201, answer.text
    assert [(s["format"], s["closing_balance"]) for s in answer.json()] == [
        ("mt940", "1937.50"),
        ("mt940", "2000.00"),
    ]


async def test_an_mt940_that_does_not_add_up_is_refused_naming_the_entry(client_bank: PaymentsApi) -> None:
    text = writers.mt940(_statement(), "BKCHCNBJ95H").replace(
        ":62F:C261105USD1937,50", ":62F:C261105USD1962,50"
    )
    answer = await _send(client_bank, text, TEXT)
    assert answer.status_code == 422
    problem = answer.json()["errors"][0]
    assert problem["pointer"] == "/statement/0/entry/1" and "wrong sign" in problem["detail"]


async def test_an_mt942_is_checked_against_its_declared_totals(client_bank: PaymentsApi) -> None:
    report = (
        ":20:INTRADAY1\n:25:BKCHCNBJ95H/" + ACCOUNT + "\n:28C:00007/001\n:34F:USD0,\n:13D:2611051200+0800\n"
        ":61:2611051105C950,00NTRFPAYOUT//B1\n:86:/EREF/E2E-1/ SO-1 SO-2\n:90D:0USD0,\n:90C:1USD950,00\n-\n"
    )
    answer = await _send(client_bank, report, TEXT)
    assert answer.status_code == 201 and answer.json()[0]["kind"] == "interim"
    wrong = report.replace("INTRADAY1", "INTRADAY2").replace(":90C:1USD950,00", ":90C:2USD999,00")
    refused = await _send(client_bank, wrong, TEXT)
    assert refused.status_code == 422
    assert {
        "credit entries sum to 950.00, the statement says 999.00",
        "1 credit entries, the statement says 2",
    } <= {e["detail"] for e in refused.json()["errors"]}


async def test_the_platforms_csv_is_accepted_and_a_bad_line_named(client_bank: PaymentsApi) -> None:
    text = writers.csv_statement(_statement())
    assert (await _send(client_bank, text, CSV)).status_code == 201
    bad = text.replace("C,B1", "X,B1").replace("STMT-20261105", "STMT-X")
    answer = await _send(client_bank, bad, CSV)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/line/2/direction"


async def test_a_statement_of_an_unknown_account_is_refused(client_bank: PaymentsApi) -> None:
    other = _statement()
    other.account = "9999888877776666"
    answer = await _send(
        client_bank, writers.camt053([other], "M1", dt.datetime(2026, 11, 5, tzinfo=BJ)), XML
    )
    assert answer.status_code == 422 and answer.json()["code"] == "payments.statement_account_unknown"


async def test_counterparties_of_entries_are_sealed_and_never_published(client_bank: PaymentsApi) -> None:
    await _send(client_bank, writers.camt053([_statement()], "M1", dt.datetime(2026, 11, 5, tzinfo=BJ)), XML)
    published = await outbox_text(client_bank.db)
    assert "Amazon Payments Europe" not in published and "LU280019400644750000" not in published
    assert ACCOUNT not in published


async def test_a_body_that_is_no_statement_format_is_415(client_bank: PaymentsApi) -> None:
    answer = await _send(client_bank, "hello, bank", TEXT)
    assert answer.status_code == 415 and answer.json()["code"] == "payments.statement_format"
