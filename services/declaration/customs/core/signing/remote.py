"""A signer whose private key lives behind HTTP (e-port UKey bridge, signing appliance).

The document is prepared locally (:func:`~.xmldsig.prepare`), only the
canonical ``SignedInfo`` goes to the server (:mod:`.protocol`), and the answer
is checked before it is used: the returned signature must verify over the
``SignedInfo`` with the pinned ``trusted_key`` or, if none is pinned, with the
certificate the server returned — a misconfigured appliance (wrong key, wrong
algorithm) is caught here rather than by customs as ``-621029``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.customs.core.signing.algorithms import SignatureProfile
from services.declaration.customs.core.signing.certificates import (
    CertificateError,
    verifying_key_from_certificate,
)
from services.declaration.customs.core.signing.keys import VerifyingKey
from services.declaration.customs.core.signing.protocol import INFO_PATH, SIGN_PATH
from services.declaration.customs.core.signing.signer import Verification, verify_document
from services.declaration.customs.core.signing.xmldsig import complete, prepare


class RemoteSignerError(RuntimeError):
    """The signing server refused, failed, or returned an unusable answer."""


class RemoteSigner:
    """:class:`~.signer.XmlSigner` over the v1 JSON protocol.

    ``client`` may be shared (connection pooling) or carry an
    ``httpx.ASGITransport`` for the embedded reference server.
    """

    def __init__(
        self,
        base_url: str,
        profile: SignatureProfile,
        token: str | None = None,
        trusted_key: VerifyingKey | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        limits: XmlLimits | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.trusted_key = trusted_key
        self.limits = limits
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = client
        self._timeout = timeout

    async def info(self) -> dict[str, Any]:
        """The server's algorithm, key name and certificate."""
        response = await self._request("GET", INFO_PATH)
        return response

    async def sign(self, document: bytes) -> bytes:
        """Prepare locally, sign remotely, check, complete."""
        prepared = prepare(document, self.profile, self.limits)
        signed_info = prepared.signed_info
        answer = await self._request(
            "POST",
            SIGN_PATH,
            {
                "signatureMethod": self.profile.signature_uri,
                "signedInfo": base64.b64encode(signed_info).decode(),
            },
        )
        if answer.get("signatureMethod") != self.profile.signature_uri:
            raise RemoteSignerError(f"server signed with {answer.get('signatureMethod')!r}")
        value = _b64(answer.get("signatureValue"), "signatureValue")
        certificate = _b64(answer["certificate"], "certificate") if answer.get("certificate") else None
        key = self._key_for(certificate)
        if not key.verify(value, signed_info, self.profile):
            raise RemoteSignerError("the server's signature does not verify with the expected key")
        key_name = answer.get("keyName")
        return complete(prepared, value, str(key_name) if key_name else None, certificate)

    def verify(self, signed: bytes) -> Verification:
        """Local verification with the pinned key, else the embedded certificate."""
        return verify_document(signed, self.trusted_key, limits=self.limits)

    def _key_for(self, certificate: bytes | None) -> VerifyingKey:
        if self.trusted_key is not None:
            return self.trusted_key
        if certificate is None:
            raise RemoteSignerError("no trusted key pinned and the server returned no certificate")
        try:
            return verifying_key_from_certificate(certificate)
        except CertificateError as exc:
            raise RemoteSignerError(f"the server's certificate is unusable: {exc}") from exc

    async def _request(self, method: str, path: str, body: dict[str, str] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}{path}"
        try:
            if self._client is not None:
                response = await self._client.request(method, url, json=body, headers=self._headers)
            else:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.request(method, url, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise RemoteSignerError(f"signing server unreachable: {type(exc).__name__}: {exc}") from exc
        try:
            payload = response.json()
        except ValueError as exc:
            raise RemoteSignerError(f"signing server answered {response.status_code} without JSON") from exc
        if response.status_code != 200 or not isinstance(payload, dict):
            error = payload.get("error") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else None
            raise RemoteSignerError(f"signing server answered {response.status_code} {error}: {message}")
        return payload


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise RemoteSignerError(f"server answer lacks {what}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RemoteSignerError(f"server {what} is not base64") from exc
