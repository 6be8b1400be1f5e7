"""The internal identity token: only the gateway's key, only for this request, only briefly."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import string

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.identity import Identity, IdentitySigner, IdentityVerifier, generate_keypair, scope_target
from shared.problems import ProblemError
from shared.settings import DEV_IDENTITY_PUBLIC_KEY, DEV_IDENTITY_SEED

PARTY = Identity(party_id="p-1", roles=["ecommerce_enterprise"])
VERIFIER = IdentityVerifier(DEV_IDENTITY_PUBLIC_KEY, "declaration")
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)


def refused(token: str, method: str = "POST", path: str = "/v1/customs/orders") -> str:
    with pytest.raises(ProblemError) as info:
        VERIFIER.verify(token, method=method, path=path)
    return info.value.kind.code


def test_a_token_minted_by_the_gateway_verifies() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders")
    assert VERIFIER.verify(token, method="POST", path="/v1/customs/orders") == PARTY


def test_the_dev_public_key_matches_the_dev_seed() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path="/x")
    assert VERIFIER.verify(token, method="GET", path="/x").party_id == "p-1"


def test_a_token_for_another_service_is_refused() -> None:
    assert (
        refused(SIGNER.mint(PARTY, audience="ddt-stats", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_a_token_for_another_path_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/other")
    assert refused(token) == "auth.identity_invalid"


def test_a_token_for_another_method_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path="/v1/customs/orders")
    assert refused(token) == "auth.identity_invalid"


def test_an_expired_token_is_refused() -> None:
    old = IdentitySigner(DEV_IDENTITY_SEED, ttl_seconds=-60)
    assert (
        refused(old.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_a_token_signed_by_another_key_is_refused() -> None:
    seed, _public = generate_keypair()
    other = IdentitySigner(seed)
    assert (
        refused(other.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_alg_none_is_refused() -> None:
    claims = {
        "iss": "ddt-gateway",
        "aud": "ddt-declaration",
        "sub": "p-1",
        "iat": dt.datetime.now(dt.UTC),
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        "mth": "POST",
        "pth": "/v1/customs/orders",
        "idn": PARTY.model_dump(),
    }
    token = jwt.encode(claims, key=None, algorithm="none")
    assert refused(token) == "auth.identity_invalid"


def test_hmac_with_the_public_key_as_secret_is_refused() -> None:
    # Algorithm confusion: an attacker signs HS256 using the (public) verification key as the secret.
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).rstrip(b"=")
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = base64.urlsafe_b64encode(
        json.dumps(
            {
                "iss": "ddt-gateway",
                "aud": "ddt-declaration",
                "sub": "admin",
                "iat": now,
                "exp": now + 60,
                "mth": "POST",
                "pth": "/v1/customs/orders",
                "idn": {"party_id": "admin", "roles": ["platform_admin"]},
            }
        ).encode()
    ).rstrip(b"=")
    import hashlib
    import hmac

    signing_input = header + b"." + payload
    signature = base64.urlsafe_b64encode(
        hmac.new(DEV_IDENTITY_PUBLIC_KEY.encode(), signing_input, hashlib.sha256).digest()
    ).rstrip(b"=")
    assert refused((signing_input + b"." + signature).decode()) == "auth.identity_invalid"


def test_a_tampered_token_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders")
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["idn"]["roles"] = ["platform_admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refused(f"{head}.{forged}.{sig}") == "auth.identity_invalid"


def test_owns_code_respects_the_registered_kind() -> None:
    identity = Identity.model_validate(
        {"party_id": "p", "codes": [{"code": "3207960001", "kinds": ["ebcCode"]}]}
    )
    assert (identity.owns_code("3207960001", "ebcCode"), identity.owns_code("3207960001", "payCode")) == (
        True,
        False,
    )


# --- the target a token is bound to: path and query, canonical on both sides -------------

_segment = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
_pairs = st.lists(st.tuples(_segment, st.text(max_size=8)), max_size=5)


_UNRESERVED = string.ascii_letters + string.digits + "-._~"


def _spelled(text: str, rnd: random.Random, *, raw: str = "", either: str = "", space: str = "%20") -> str:
    """``text`` percent-encoded as some client might: ``raw`` characters as they are, ``either``
    raw or encoded at random, every other one encoded with hex digits in either case."""
    out = []
    for char in text:
        if char in raw or (char not in "/?#%&=+ " and char in either and rnd.random() < 0.5):
            out.append(char)
        elif char == " " and rnd.random() < 0.5:
            out.append(space)
        else:
            hexed = "".join(f"%{b:02X}" for b in char.encode())
            out.append(hexed.lower() if rnd.random() < 0.5 else hexed)
    return "".join(out)


def _target(segment: str, pairs: list[tuple[str, str]], rnd: random.Random) -> tuple[str, str]:
    # A path keeps its escapes (``%2F`` is not ``/``), so only what is not unreserved may be
    # sent either way; a query is decoded first, so anything may.
    others = "".join(sorted(set(segment) - set(_UNRESERVED)))
    path = "/v1/customs/export/inventories/" + _spelled(segment, rnd, raw=_UNRESERVED, either=others)
    anything = "".join(sorted({c for n, v in pairs for c in n + v}))
    query = "&".join(
        f"{_spelled(n, rnd, either=anything, space='+')}={_spelled(v, rnd, either=anything, space='+')}"
        for n, v in pairs
    )
    return path, query


@given(_segment, _pairs, st.randoms())
def test_a_token_verifies_for_every_spelling_of_its_target(segment, pairs, rnd) -> None:
    minted_path, minted_query = _target(segment, pairs, rnd)
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    seen_path, seen_query = _target(segment, shuffled, rnd)
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path=minted_path, query=minted_query)
    assert VERIFIER.verify(token, method="GET", path=seen_path, query=seen_query) == PARTY


@pytest.mark.parametrize("segment", ["%23", "%3F", "%25", "%2F", "a%20b", "%E8%BF%9E"])
def test_a_token_for_a_path_with_an_escaped_delimiter_verifies(segment: str) -> None:
    path = f"/v1/stats/facts/{segment}"
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path=path)
    assert VERIFIER.verify(token, method="GET", path=path) == PARTY


@pytest.mark.parametrize(
    ("minted", "sent"),
    [
        ("/v1/a%2Fb", "/v1/a/b"),  # an escaped slash is part of a segment, not a separator
        ("/v1/a?x=1", "/v1/a?x=2"),
        ("/v1/a?x=1&x=2", "/v1/a?x=1"),  # a repeated parameter counts every time
        ("/v1/a?x=a+b", "/v1/a?x=a%2Bb"),  # '+' is a space, '%2B' a plus
        ("/v1/a", "/v1/a?x=1"),
    ],
)
def test_a_token_for_another_target_is_refused(minted: str, sent: str) -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path=minted)
    path, _, query = sent.partition("?")
    assert refused(token, method="GET", path=path + ("?" + query if query else "")) == "auth.identity_invalid"


def test_the_verifier_reads_the_target_as_it_arrived_not_as_decoded() -> None:
    scope = {
        "raw_path": b"/v1/stats/facts/%23?q=%E4%B8%AD&q=a",
        "path": "/v1/stats/facts/#",
        "query_string": b"",
    }
    assert scope_target(scope) == ("/v1/stats/facts/%23", "q=%E4%B8%AD&q=a")
