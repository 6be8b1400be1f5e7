"""Personal data: sealed at rest, found by keyed hash, masked but for the filer, never in events or logs."""

from __future__ import annotations

import base64
import json
import logging
import os
from decimal import Decimal

import pytest
from sqlalchemy import text

from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.personal_data.vault import Sealed, Vault, VaultError
from services.declaration.settings import DeclarationSettings
from shared.identity import Identity, PartyCode
from shared.logs import JsonFormatter
from shared.settings import Environment, PlatformSettings
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EBC, EVERYONE, import_set, party

# Distinct values so a grep cannot be fooled by the factory's shared defaults.
BUYER_ID = "11010519491231002X"
PAYER_ID = "44030419800101443X"
SECRETS = [
    BUYER_ID,
    PAYER_ID,
    "欧阳娜娜",
    "司马光明",
    "13998765432",
    "13611112222",
    "北京市东城区景山前街4号故宫",
]


def personal_set(tag: str) -> dict[str, object]:
    documents = import_set(tag, "9610", buyer_id=BUYER_ID)
    for name in ("order", "inventory"):
        head = documents[name].records[0].head
        head.update(buyerName="欧阳娜娜", buyerTelephone="13998765432")
        head["consigneeAddress"] = SECRETS[-1]
    documents["order"].records[0].head.update(consignee="欧阳娜娜", consigneeTelephone="13998765432")
    documents["waybill"].records[0].head.update(
        consignee="欧阳娜娜", consigneeTelephone="13998765432", consigneeAddress=SECRETS[-1]
    )
    documents["payment"].records[0].head.update(
        payerIdNumber=PAYER_ID, payerName="司马光明", telephone="13611112222"
    )
    return documents  # type: ignore[return-value]


async def _all_rows_as_text(api: Api) -> str:
    async with api.db.transaction() as session:
        tables = [
            "filings",
            "documents",
            "document_status_changes",
            "inventory_matches",
            "quota_usages",
            "buyer_quotas",
            "tax_assessments",
            "outbox",
        ]
        dumped = []
        for table in tables:
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608 — fixed names
            for row in rows:
                for value in row:
                    dumped.append(value.hex() if isinstance(value, bytes | memoryview) else str(value))
    return "\n".join(dumped)


async def test_personal_data_is_nowhere_in_clear_not_in_the_database_events_or_logs(
    api: Api, tag: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    documents = personal_set(tag)
    for name in ("order", "payment", "waybill", "inventory"):
        response = await api.post_xml(documents[name], EVERYONE)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
    # A rejected filing whose XSD error would quote the ID number.
    broken = documents["order"]
    broken.records[0].head["buyerIdNumber"] = BUYER_ID * 4  # type: ignore[attr-defined]
    broken.records[0].head["orderNo"] = f"B{tag}"  # type: ignore[attr-defined]
    rejected = await api.post_xml(encode_xml(broken), EVERYONE)  # type: ignore[arg-type]
    assert rejected.status_code == 422
    inventory = (await api.get(f"/v1/customs/documents?kind=inventory&businessNo=C{tag}", EVERYONE)).json()
    view = await api.document(inventory["items"][0]["id"], EVERYONE)
    assert view["status"] == "matched" and view["masked"] is False
    assert view["record"]["head"]["buyerIdNumber"] == BUYER_ID  # the filer sees its own data

    stored = await _all_rows_as_text(api)
    formatter = JsonFormatter("declaration")
    logs = "\n".join(formatter.format(record) for record in caplog.records)
    assert "document.accepted" in stored and logs  # we did look at events and logs
    for secret in SECRETS:
        hexed = secret.encode().hex()
        assert secret not in stored and hexed not in stored, f"{secret} stored in clear"
        assert secret not in logs, f"{secret} logged"
        assert json.dumps(secret)[1:-1] not in logs


async def test_others_see_masked_values_strangers_see_nothing(api: Api, tag: str) -> None:
    documents = personal_set(tag)
    filer = party(
        "filer-pd",
        *((c, []) for c in ("3207960001", EBC, "3101960003", "3207960004", "3207960005", "3207960006")),
    )
    answer = (await api.post_xml(documents["inventory"], filer)).json()  # type: ignore[arg-type]
    document_id = answer["records"][0]["documentId"]
    path = f"/v1/customs/documents/{document_id}"

    merchant = Identity(party_id="merchant-pd", codes=[PartyCode(code=EBC, kinds=["ebcCode"])])
    named = (await api.get(path, merchant)).json()
    head = named["record"]["head"]
    assert named["masked"] is True and named["filingId"] is None
    assert head["buyerIdNumber"] == "1101**********002X"
    assert head["buyerName"] == "欧***"
    assert head["buyerTelephone"] == "139****5432"
    assert head["consigneeAddress"] == "北京市东城区***"
    assert head["orderNo"] == f"O{tag}"  # business fields stay readable

    regulator = Identity(party_id="regulator-pd", roles=["regulator"])
    assert (await api.get(path, regulator)).json()["record"]["head"]["buyerIdNumber"] == "1101**********002X"

    stranger = Identity(party_id="stranger-pd", codes=[PartyCode(code="9999999999")])
    assert (await api.get(path, stranger)).status_code == 404
    assert (await api.get(path, merchant, accept="application/xml")).status_code == 403
    assert (await api.get(f"/v1/customs/filings/{answer['filingId']}/original", merchant)).status_code == 404
    filer_xml = await api.get(path, filer, accept="application/xml")
    assert filer_xml.status_code == 200 and BUYER_ID.encode() in filer_xml.content


def _key(seed: bytes) -> str:
    return base64.urlsafe_b64encode(seed.ljust(32, b"k")).decode()


def test_keys_rotate_and_ciphertexts_are_bound_to_their_row() -> None:
    hash_key = _key(b"h")
    old = Vault.from_text(f"k1:{_key(b'one')}", "k1", hash_key)
    sealed = old.seal_json({"buyerIdNumber": BUYER_ID}, "doc-1")
    rotated = Vault.from_text(f"k2:{_key(b'two')},k1:{_key(b'one')}", "k2", hash_key)
    assert rotated.open_json(sealed, "doc-1") == {"buyerIdNumber": BUYER_ID}
    assert rotated.seal(b"x", "doc-2").key_id == "k2"
    with pytest.raises(VaultError):
        rotated.open(sealed, "doc-2")  # the same ciphertext on another row
    with pytest.raises(VaultError):
        rotated.open(Sealed("k1", sealed.blob[:-1] + bytes([sealed.blob[-1] ^ 1])), "doc-1")
    retired = Vault.from_text(f"k2:{_key(b'two')}", "k2", hash_key)
    with pytest.raises(VaultError):
        retired.open(sealed, "doc-1")
    # Lookup hashes do not depend on the encryption keys, and ignore case and spaces.
    assert old.lookup_hash("buyer-id", BUYER_ID) == rotated.lookup_hash("buyer-id", f" {BUYER_ID.lower()} ")
    assert old.lookup_hash("buyer-id", BUYER_ID) != old.lookup_hash("payer-id", BUYER_ID)


def test_production_refuses_the_development_keys() -> None:
    production = PlatformSettings(environment=Environment.PRODUCTION, identity_public_key="x" * 43)
    with pytest.raises(ValueError, match="DDT_DECLARATION_PII_KEYS"):
        DeclarationSettings(platform=production, database_url="postgresql+asyncpg://db/x")
    real = f"prod1:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
    settings = DeclarationSettings(
        platform=production,
        database_url="postgresql+asyncpg://db/x",
        pii_keys=real,
        pii_active_key_id="prod1",
        pii_hash_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        # Production also needs a real customs signer credential and a real customs transport.
        customs_signer_credential="token-of-the-signing-appliance",
        customs_signer="remote",
        customs_remote_signer_url="https://signer.internal",
        customs_transport="directory",
    )
    assert settings.pii_active_key_id == "prod1"
    with pytest.raises(ValueError, match="not in DDT_DECLARATION_PII_KEYS"):
        DeclarationSettings(pii_active_key_id="missing")


def test_money_in_the_personal_set_is_decimal() -> None:
    documents = personal_set("X")
    assert isinstance(documents["order"].records[0].head["goodsValue"], Decimal)  # type: ignore[attr-defined]
