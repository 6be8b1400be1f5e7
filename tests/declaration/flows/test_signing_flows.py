"""What goes to customs is signed: by the platform's remote SM2 signer, or the enterprise's own signature.

This module's service signs through a signing server (the reference server of
exchange/signing/server.py, standing in for the e-port key bridge or a signing
appliance) with SM2-with-SM3, its key pinned by the configured certificate. The
simulator verifies every signature customs requires. An enterprise that sends its own
signed XML, every record accepted, has those exact bytes forwarded.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.customs.core.envelope import unwrap
from services.declaration.customs.core.signing import (
    SM2_SM3_PROFILE,
    SignerIdentity,
    SoftwareXmlSigner,
    create_signing_app,
    generate_rsa_test_identity,
    generate_sm2_test_identity,
    verify_document,
)
from services.declaration.customs.models import CustomsOutboundMessage
from services.declaration.personal_data.vault import Sealed
from tests.declaration.flows.flowkit import PATHS, Flow
from tests.declaration.service.factory import AGENT_PARTY, IMPORT_FILERS, import_set
from tests.support.services import served

SM2_URI = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"


@pytest.fixture(scope="module")
def platform_identity() -> SignerIdentity:
    return generate_sm2_test_identity(common_name="DDT PLATFORM SIGNER")


@pytest.fixture(scope="module")
async def signing_server(platform_identity: SignerIdentity) -> AsyncIterator[str]:
    async with served(create_signing_app(platform_identity, SM2_SM3_PROFILE, token="appliance-token")) as url:
        yield url


@pytest.fixture(scope="module")
def exchange_overrides(signing_server: str, platform_identity: SignerIdentity) -> dict[str, Any]:
    return {
        "customs_signer": "remote",
        "customs_remote_signer_url": signing_server,
        "customs_signature_profile": "sm2-sm3",
        "customs_signer_credential": "appliance-token",
        "customs_signer_certificate": base64.b64encode(platform_identity.certificate or b"").decode(),
    }


async def _sent(flow: Flow, document_id: str) -> CustomsOutboundMessage:
    view = await flow.document(document_id)
    async with flow.api.db.transaction() as session:
        row = await session.scalar(
            select(CustomsOutboundMessage).where(
                CustomsOutboundMessage.message_id == view["customs"]["outbound"]["messageId"]
            )
        )
    assert row is not None
    return row


async def test_the_platform_signs_with_its_remote_sm2_key(
    flow: Flow, tag: str, platform_identity: SignerIdentity
) -> None:
    filed = await flow.file_import(tag, "9610")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "closed")
    row = await _sent(flow, inventory)
    assert (row.signed_by, row.signature_method) == ("platform", SM2_URI)
    payload = flow.exchange.ctx.vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
    business = unwrap(payload).business_xml
    assert verify_document(business, platform_identity.key.verifying_key()).valid


async def test_an_enterprise_signed_message_is_forwarded_byte_for_byte(flow: Flow, tag: str) -> None:
    documents = import_set(tag, "1210")
    for kind in ("order", "payment", "waybill"):
        await flow.file(documents[kind], IMPORT_FILERS[kind])
    enterprise = SoftwareXmlSigner(generate_rsa_test_identity(common_name="AGENT 3207960005"))
    message = documents["inventory"]
    message.signature = None
    original = enterprise.sign_now(encode_xml(message))
    response = await flow.api.post_xml(original, AGENT_PARTY, PATHS["CEB621"])
    assert response.status_code == 200, response.text
    inventory = response.json()["records"][0]["documentId"]
    await flow.wait(inventory, "closed")
    row = await _sent(flow, inventory)
    assert row.signed_by == "enterprise"
    payload = flow.exchange.ctx.vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
    assert unwrap(payload).business_xml == original
