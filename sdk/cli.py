"""``ddt`` — call the gateway, and debug your own signing or webhook code.

Credentials come from flags or the environment (flags win):
DDT_BASE_URL, DDT_KEY_ID, DDT_KEY_SECRET, DDT_WEBHOOK_SECRET. Prefer the
environment for secrets: command-line flags are visible to other local users.

Exit codes: 0 success, 1 the API (or a webhook check) said no, 2 usage error,
3 the gateway could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import httpx

from .client import DdtApiError, DdtClient
from .signing import prepare_signature, split_target
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = ["main"]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


class _UsageError(Exception):
    pass


def _read_data(value: str | None) -> bytes:
    """``@path`` reads a file, ``@-`` reads stdin, anything else is the literal text."""
    if value is None:
        return b""
    if value == "@-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as exc:
            raise _UsageError(f"cannot read {value[1:]}: {exc.strerror}") from exc
    return value.encode("utf-8")


def _guess_content_type(data_arg: str | None, data: bytes) -> str | None:
    if not data:
        return None
    if data_arg and data_arg.startswith("@"):
        suffix = Path(data_arg[1:]).suffix.lower()
        if suffix == ".xml":
            return "application/xml; charset=utf-8"
        if suffix == ".json":
            return "application/json"
    first = data.lstrip()[:1]
    if first == b"<":
        return "application/xml; charset=utf-8"
    if first in (b"{", b"["):
        return "application/json"
    return "application/octet-stream"


def _require(value: str | None, flag: str, env: str) -> str:
    if not value:
        raise _UsageError(f"{flag} or the {env} environment variable is required")
    return value


def _add_credentials(parser: argparse.ArgumentParser, *, base_url: bool) -> None:
    if base_url:
        parser.add_argument("--base-url", default=os.environ.get("DDT_BASE_URL"), help="env DDT_BASE_URL")
    parser.add_argument("--key-id", default=os.environ.get("DDT_KEY_ID"), help="env DDT_KEY_ID")
    parser.add_argument(
        "--secret", default=os.environ.get("DDT_KEY_SECRET"), help="env DDT_KEY_SECRET (preferred)"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ddt", description="Diandiantong gateway client.")
    commands = parser.add_subparsers(dest="command", required=True)

    request = commands.add_parser("request", help="send a signed request and print the response body")
    request.add_argument("method", help="GET, POST, PUT, PATCH, DELETE …")
    request.add_argument("path", help="path relative to the base URL, may include ?query")
    request.add_argument("--data", help="body: @file, @- for stdin, or literal text/JSON")
    request.add_argument("--content-type", help="default: guessed from the file suffix or first byte")
    request.add_argument("--idempotency-key", help="default: a new UUID4 for POST/PUT/PATCH")
    request.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    request.add_argument("--auth", choices=("hmac", "oauth"), default="hmac")
    request.add_argument("--max-retries", type=int, default=3)
    request.add_argument(
        "--output", "-o", metavar="FILE", help="write the response body's exact bytes to FILE (exports)"
    )
    _add_credentials(request, base_url=True)

    sign = commands.add_parser("sign", help="print the canonical string, signature and headers")
    sign.add_argument("--method", required=True)
    sign.add_argument("--path", required=True, help="path as sent; may include ?query")
    sign.add_argument("--query", help="raw query string without '?', if not in --path")
    sign.add_argument("--body", help="@file, @- for stdin, or literal text; default empty")
    sign.add_argument("--timestamp", type=int, help="unix seconds; default now")
    sign.add_argument("--nonce", help="default: a new random nonce")
    _add_credentials(sign, base_url=False)

    webhook = commands.add_parser("verify-webhook", help="check an X-DDT-Webhook-Signature header")
    webhook.add_argument(
        "--secret",
        action="append",
        help="endpoint secret; repeat for old+new during rotation (env DDT_WEBHOOK_SECRET)",
    )
    webhook.add_argument("--header", required=True, help="the X-DDT-Webhook-Signature value")
    webhook.add_argument("--body", required=True, help="@file, @- for stdin, or literal text")
    webhook.add_argument("--now", type=float, help="unix seconds to check against; default now")
    webhook.add_argument("--tolerance", type=int, default=300)
    return parser


def _run_sign(args: argparse.Namespace, out: TextIO) -> int:
    path, query = split_target(args.path)
    if args.query is not None:
        if query:
            raise _UsageError("give the query either in --path or in --query, not both")
        query = args.query.removeprefix("?")
    signed = prepare_signature(
        key_id=_require(args.key_id, "--key-id", "DDT_KEY_ID"),
        secret=_require(args.secret, "--secret", "DDT_KEY_SECRET"),
        method=args.method,
        path=path,
        query=query,
        body=_read_data(args.body),
        timestamp=args.timestamp,
        nonce=args.nonce,
    )
    out.write("canonical string (JSON-escaped):\n")
    out.write(json.dumps(signed.canonical_string, ensure_ascii=False) + "\n")
    out.write("canonical string (one line per field):\n")
    for line in signed.canonical_string.split("\n"):
        out.write(f"  |{line}\n")
    out.write(f"signature: {signed.signature}\n")
    out.write("headers:\n")
    for name, value in signed.headers.items():
        out.write(f"  {name}: {value}\n")
    return EXIT_OK


def _run_request(
    args: argparse.Namespace, out: TextIO, err: TextIO, transport: httpx.BaseTransport | None
) -> int:
    data = _read_data(args.data)
    headers: dict[str, str] = {}
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep:
            raise _UsageError(f"--header {item!r} must look like 'Name: value'")
        headers[name.strip()] = value.strip()
    client = DdtClient(
        _require(args.base_url, "--base-url", "DDT_BASE_URL"),
        _require(args.key_id, "--key-id", "DDT_KEY_ID"),
        _require(args.secret, "--secret", "DDT_KEY_SECRET"),
        auth=args.auth,
        max_retries=args.max_retries,
        transport=transport,
    )
    with client:
        try:
            response = client.request(
                args.method,
                args.path,
                content=data if data else None,
                content_type=args.content_type or _guess_content_type(args.data, data),
                headers=headers,
                idempotency_key=args.idempotency_key,
            )
        except DdtApiError as exc:
            err.write(f"error: {exc}\n")
            if exc.response is not None and exc.response.text:
                out.write(exc.response.text.rstrip("\n") + "\n")
            return EXIT_REFUSED
        except httpx.TransportError as exc:
            err.write(f"error: cannot reach {client.base_url}: {exc}\n")
            return EXIT_UNREACHABLE
    err.write(f"{response.status_code} {response.reason_phrase}\n")
    _write_body(response, out, err, args.output)
    return EXIT_OK


def _write_body(response: httpx.Response, out: TextIO, err: TextIO, output: str | None) -> None:
    """The body as received: bytes to ``output``, text to ``out``, raw bytes to ``out``'s buffer.

    An XLSX or ZIP decoded as text and re-encoded is not the file the server sent (the
    bytes that are not UTF-8 become replacement characters), so only text is written as text.
    """
    if output:
        Path(output).write_bytes(response.content)
        err.write(f"{len(response.content)} bytes written to {output}\n")
        return
    if not response.content:
        return
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    textual = media.startswith("text/") or media.endswith(("json", "xml")) or not media
    buffer = getattr(out, "buffer", None)
    if not textual and buffer is not None:
        out.flush()
        buffer.write(response.content)
        buffer.flush()
        return
    out.write(response.text.rstrip("\n") + "\n")


def _run_verify_webhook(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    secrets = args.secret or (
        [os.environ["DDT_WEBHOOK_SECRET"]] if os.environ.get("DDT_WEBHOOK_SECRET") else []
    )
    if not secrets:
        raise _UsageError("--secret or the DDT_WEBHOOK_SECRET environment variable is required")
    try:
        signed_at = verify_webhook(
            secrets, args.header, _read_data(args.body), now=args.now, tolerance=args.tolerance
        )
    except WebhookVerificationError as exc:
        err.write(f"invalid: {exc.reason}: {exc.detail}\n")
        return EXIT_REFUSED
    out.write(f"valid: signed at t={signed_at}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    """Run the ``ddt`` command and return its exit code (``transport`` is for tests)."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "sign":
            return _run_sign(args, out)
        if args.command == "request":
            return _run_request(args, out, err, transport)
        return _run_verify_webhook(args, out, err)
    except (_UsageError, ValueError) as exc:
        err.write(f"ddt: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
