"""Shared fixtures of the exchange tests: signer identities generated per session, never committed."""

from __future__ import annotations

import pytest

from services.declaration.customs.core.signing import (
    SignerIdentity,
    generate_rsa_test_identity,
    generate_sm2_test_identity,
)


@pytest.fixture(scope="session")
def rsa_identity() -> SignerIdentity:
    """A self-signed RSA test identity (2048-bit)."""
    return generate_rsa_test_identity()


@pytest.fixture(scope="session")
def sm2_identity() -> SignerIdentity:
    """A self-signed SM2 test identity."""
    return generate_sm2_test_identity()
