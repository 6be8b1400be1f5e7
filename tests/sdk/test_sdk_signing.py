"""The DDT1-HMAC-SHA256 scheme: the documented vector, canonicalisation, tampering, verification."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import subprocess
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sdk import signing
from sdk.signing import (
    EMPTY_BODY_SHA256,
    AuthProblemCode,
    SignatureError,
    canonical_path,
    canonical_query,
    prepare_signature,
    sign_request,
    verify_request,
)

KEY_ID = "ddtk_lygexamplekeyid234567abc"
SECRET = "ddts_-5_92uWloYrzhP2TqHhDYWv4SooFOdXtQ0FV7kzLEyM"
NOW = 1_718_000_000
NONCE = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99"


def _example_inputs(signing_doc) -> dict[str, object]:
    raw_body = signing_doc.block("worked-example-body").encode("utf-8")
    return {
        "key_id": signing_doc.input_value("key id"),
        "secret": signing_doc.input_value("secret"),
        "method": signing_doc.input_value("method"),
        "path": signing_doc.input_value("path"),
        "query": signing_doc.input_value("query (as sent)"),
        "timestamp": int(signing_doc.input_value("timestamp")),
        "nonce": signing_doc.input_value("nonce"),
        "body": raw_body,
    }


# --- the worked example in docs/signing.md ----------------------------------------------


def test_worked_example_matches_the_code(signing_doc) -> None:
    inputs = _example_inputs(signing_doc)
    signed = prepare_signature(**inputs)  # type: ignore[arg-type]
    assert signed.canonical_string == signing_doc.block("worked-example-canonical")
    assert signed.signature == signing_doc.block("worked-example-signature")
    assert f"the {len(inputs['body'])} bytes below" in signing_doc.text  # type: ignore[arg-type]


def test_worked_example_signature_recomputed_with_plain_hmac(signing_doc) -> None:
    # Independent of sdk.signing: the literal canonical string from the doc, stdlib hmac.
    canonical = signing_doc.block("worked-example-canonical")
    expected = hmac.new(SECRET.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    assert expected == signing_doc.block("worked-example-signature")
    body = signing_doc.block("worked-example-body").encode()
    assert canonical.split("\n")[6] == hashlib.sha256(body).hexdigest()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_worked_example_signature_recomputed_with_openssl(signing_doc) -> None:
    canonical = signing_doc.block("worked-example-canonical")
    result = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET],
        input=canonical.encode(),
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().strip().split("= ")[-1] == signing_doc.block("worked-example-signature")


def test_worked_example_canonical_has_eight_lines_and_no_trailing_newline(signing_doc) -> None:
    canonical = signing_doc.block("worked-example-canonical")
    lines = canonical.split("\n")
    assert len(lines) == 8
    assert lines[0] == "DDT1-HMAC-SHA256"
    assert not canonical.endswith("\n")


def test_minimal_get_example_in_doc(signing_doc) -> None:
    signed = prepare_signature(
        key_id=KEY_ID, secret=SECRET, method="GET", path="/v1/parties/me", timestamp=NOW, nonce=NONCE
    )
    assert f"```\n{signed.canonical_string}\n```" in signing_doc.text
    assert signed.canonical_string.split("\n")[3] == ""
    assert signed.canonical_string.split("\n")[6] == EMPTY_BODY_SHA256


def test_empty_body_hash_constant() -> None:
    assert EMPTY_BODY_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- canonicalisation rules -------------------------------------------------------------


def test_path_edge_cases_in_doc(signing_doc) -> None:
    rows = signing_doc.table("Paths (`canonical_path`):")
    assert len(rows) >= 8
    for raw, expected in rows:
        assert canonical_path(raw) == expected, raw


def test_query_edge_cases_in_doc(signing_doc) -> None:
    rows = signing_doc.table("Queries (`canonical_query`):")
    assert len(rows) >= 12
    for raw, expected in rows:
        assert canonical_query(raw) == expected, raw


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(_text, _text), max_size=6), st.randoms())
def test_query_order_and_encoding_style_do_not_matter(pairs, rnd) -> None:
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    plus_style = urlencode(pairs)  # spaces as '+', like HTML forms
    percent_style = urlencode(shuffled, quote_via=quote)  # spaces as %20
    assert canonical_query(plus_style) == canonical_query(percent_style)


@given(st.text(max_size=40))
def test_canonical_query_is_idempotent(query) -> None:
    once = canonical_query(query)
    assert canonical_query(once) == once


# Dots are left out: httpx resolves dot-segments before sending (the doc says to avoid them).
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="?#\\."),
        max_size=20,
    )
)
def test_path_signs_the_same_before_and_after_an_http_library_encodes_it(segment) -> None:
    raw = "/v1/" + segment
    wire = httpx.URL("https://gw.example" + raw).raw_path.decode().partition("?")[0]
    assert canonical_path(wire) == canonical_path(raw)


@given(st.text(max_size=30))
def test_canonical_path_is_idempotent(path) -> None:
    once = canonical_path(path)
    assert canonical_path(once) == once


def test_plus_and_encoded_plus_sign_differently() -> None:
    # '+' is a space (as the server parses it); '%2B' is a literal plus.
    assert canonical_query("q=a+b") != canonical_query("q=a%2Bb")


def test_method_is_upper_cased() -> None:
    lower = prepare_signature(
        key_id=KEY_ID, secret=SECRET, method="post", path="/x", timestamp=NOW, nonce=NONCE
    )
    upper = prepare_signature(
        key_id=KEY_ID, secret=SECRET, method="POST", path="/x", timestamp=NOW, nonce=NONCE
    )
    assert lower.signature == upper.signature


# --- tampering: every signed input changes the signature --------------------------------

BASE = {
    "key_id": KEY_ID,
    "secret": SECRET,
    "method": "POST",
    "path": "/v1/customs/import/orders",
    "query": "a=1&b=2&b=3",
    "body": b'{"orderNo":"LYG1"}',
    "timestamp": NOW,
    "nonce": NONCE,
}


def _signature(**changes: object) -> str:
    return prepare_signature(**{**BASE, **changes}).signature  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "PUT"},
        {"path": "/v1/customs/import/order"},
        {"path": "/V1/customs/import/orders"},
        {"query": "a=2&b=2&b=3"},
        {"query": "a=1&b=2"},
        {"query": "a=1&b=2&b=3&c="},
        {"timestamp": NOW + 1},
        {"nonce": NONCE[:-1] + "8"},
        {"body": b'{"orderNo":"LYG2"}'},
        {"body": b'{"orderNo": "LYG1"}'},
        {"body": b""},
        {"key_id": "ddtk_lygexamplekeyid234567abd"},
        {"secret": SECRET[:-1] + "N"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_changing_any_signed_input_changes_the_signature(changes) -> None:
    assert _signature(**changes) != _signature()


def test_query_parameter_order_does_not_change_the_signature() -> None:
    assert _signature(query="b=2&a=1&b=3") == _signature()
    assert _signature(query="b=3&b=2&a=1") == _signature()


@given(st.integers(min_value=0, max_value=len(BASE["body"]) - 1), st.integers(min_value=1, max_value=255))
def test_flipping_any_body_byte_changes_the_signature(index, delta) -> None:
    body = bytearray(BASE["body"])  # type: ignore[arg-type]
    body[index] = (body[index] + delta) % 256
    assert _signature(body=bytes(body)) != _signature()


# --- verification and its problem codes ---------------------------------------------------


def _signed_headers(**changes: object) -> dict[str, str]:
    return sign_request(**{**BASE, **changes})  # type: ignore[arg-type]


def _verify(headers: dict[str, str], **overrides: object):
    kwargs = {
        "headers": headers,
        "method": BASE["method"],
        "path": BASE["path"],
        "query": BASE["query"],
        "body": BASE["body"],
        "secret": SECRET,
        "now": NOW + 10,
    }
    kwargs.update(overrides)
    return verify_request(**kwargs)  # type: ignore[arg-type]


def _code(headers: dict[str, str], **overrides: object) -> AuthProblemCode:
    with pytest.raises(SignatureError) as caught:
        _verify(headers, **overrides)
    return caught.value.code


def test_a_correct_request_verifies() -> None:
    parsed = _verify(_signed_headers())
    assert parsed.key_id == KEY_ID and parsed.nonce == NONCE and parsed.timestamp == NOW


def test_header_names_are_case_insensitive_and_query_order_free() -> None:
    lowered = {k.lower(): v for k, v in _signed_headers().items()}
    _verify(lowered, query="b=3&a=1&b=2")


def test_missing_header() -> None:
    for name in signing.SIGNED_HEADERS:
        headers = _signed_headers()
        del headers[name]
        assert _code(headers) is AuthProblemCode.MISSING_HEADER


def test_unsupported_algorithm() -> None:
    headers = _signed_headers() | {signing.HEADER_ALGORITHM: "DDT2-HMAC-SM3"}
    assert _code(headers) is AuthProblemCode.UNSUPPORTED_ALGORITHM


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (signing.HEADER_KEY_ID, "AKIA1234"),
        (signing.HEADER_TIMESTAMP, "01718000000"),
        (signing.HEADER_TIMESTAMP, "1718000000.5"),
        (signing.HEADER_TIMESTAMP, "-1718000000"),
        (signing.HEADER_NONCE, "short"),
        (signing.HEADER_NONCE, "x" * 65),
        (signing.HEADER_NONCE, "has space in it here"),
        (signing.HEADER_CONTENT_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
        (signing.HEADER_SIGNATURE, "zz" * 32),
    ],
)
def test_malformed_header(header, value) -> None:
    assert _code(_signed_headers() | {header: value}) is AuthProblemCode.MALFORMED_HEADER


@pytest.mark.parametrize("skew", [301, -301, 10_000])
def test_stale_or_future_timestamp(skew) -> None:
    assert _code(_signed_headers(), now=NOW + skew) is AuthProblemCode.STALE_TIMESTAMP


@pytest.mark.parametrize("skew", [300, -300, 0])
def test_timestamp_at_the_window_edge_is_accepted(skew) -> None:
    _verify(_signed_headers(), now=NOW + skew)


def test_body_hash_mismatch() -> None:
    assert _code(_signed_headers(), body=b'{"orderNo":"LYG9"}') is AuthProblemCode.BODY_HASH_MISMATCH


def test_bad_signature_for_each_tampered_part() -> None:
    headers = _signed_headers()
    assert _code(headers, method="PUT") is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers, path="/v1/customs/import/orders/2") is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers, query="a=1&b=2&b=4") is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers, secret=SECRET[:-1] + "N") is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers | {signing.HEADER_NONCE: "A" * 32}) is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers | {signing.HEADER_TIMESTAMP: str(NOW + 1)}) is AuthProblemCode.BAD_SIGNATURE
    assert _code(headers | {signing.HEADER_KEY_ID: "ddtk_" + "a" * 24}) is AuthProblemCode.BAD_SIGNATURE


def test_a_body_consistent_with_its_forged_hash_header_still_fails_the_signature() -> None:
    forged = b'{"orderNo":"LYG9"}'
    headers = _signed_headers() | {signing.HEADER_CONTENT_SHA256: hashlib.sha256(forged).hexdigest()}
    assert _code(headers, body=forged) is AuthProblemCode.BAD_SIGNATURE


def test_problem_codes_are_the_documented_list(signing_doc) -> None:
    for code in AuthProblemCode:
        assert f"`{code.value}`" in signing_doc.text, code


# --- formats ----------------------------------------------------------------------------


def test_generated_credentials_match_their_documented_formats() -> None:
    for _ in range(50):
        assert signing.KEY_ID_PATTERN.fullmatch(signing.generate_key_id())
        assert signing.SECRET_PATTERN.fullmatch(signing.generate_secret())
        assert signing.NONCE_PATTERN.fullmatch(signing.generate_nonce())
    assert signing.generate_secret() != signing.generate_secret()
    assert signing.KEY_ID_PATTERN.fullmatch(KEY_ID) and signing.SECRET_PATTERN.fullmatch(SECRET)


def test_window_constants() -> None:
    assert signing.TIMESTAMP_TOLERANCE_SECONDS == 300
    assert signing.NONCE_RETENTION_SECONDS == 600


def test_signing_refuses_an_invalid_nonce() -> None:
    with pytest.raises(ValueError):
        prepare_signature(key_id=KEY_ID, secret=SECRET, method="GET", path="/", nonce="bad nonce")


def test_split_target() -> None:
    assert signing.split_target("/a/b?x=1&y=2#frag") == ("/a/b", "x=1&y=2")
    assert signing.split_target("/a") == ("/a", "")


def test_a_wrong_secret_is_told_to_check_the_secret_and_the_clock() -> None:
    with pytest.raises(SignatureError) as caught:
        _verify(_signed_headers(), secret=SECRET[:-1] + "N")
    message = str(caught.value)
    assert "secret" in message and KEY_ID in message and "clock" in message
