"""Fill in a deployment's secrets: ``python -m deploy.secrets > .env``.

Reads the template (``deploy/env.example``), keeps every line that has a value, and gives
each empty ``NAME=`` a freshly generated value when the name is one this module knows how
to make (keys, passwords, the Kafka cluster id). What only the operator can know — the
customs DXP id, the signing appliance and its certificate, where the TLS certificate is —
stays empty, and is named on stderr. The compose and Kubernetes tests fill the template
with this same function, so a secret added to a service's settings but not to the template
(or not generated) fails them.
"""

from __future__ import annotations

import argparse
import base64
import re
import secrets
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from shared.identity import generate_keypair

TEMPLATE = Path(__file__).resolve().parent / "env.example"
_LINE = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _password() -> str:
    # Hex: safe inside URLs (postgresql://user:password@…, redis://:password@…) unescaped.
    return secrets.token_hex(24)


_KEY_32: Callable[[], str] = lambda: _b64(secrets.token_bytes(32))  # noqa: E731 — a table of makers

GENERATED: dict[str, Callable[[], str]] = {
    "DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY": _KEY_32,
    "DDT_GATEWAY_OAUTH_SIGNING_KEY": _KEY_32,
    "DDT_DECLARATION_PII_KEYS": lambda: f"k1:{_KEY_32()}",
    "DDT_DECLARATION_PII_HASH_KEY": _KEY_32,
    "DDT_LOGISTICS_VAULT_KEYS": lambda: f"k1:{_KEY_32()}",
    "DDT_LOGISTICS_VAULT_HASH_KEY": _KEY_32,
    "DDT_PAYMENTS_VAULT_KEYS": lambda: f"k1:{_KEY_32()}",
    "DDT_PAYMENTS_VAULT_HASH_KEY": _KEY_32,
    "DDT_PAYMENTS_EVIDENCE_SIGNING_SEED": _KEY_32,
    "KAFKA_CLUSTER_ID": lambda: _b64(uuid.uuid4().bytes),
}
#: Variables made together: the gateway's identity seed and the public key every service checks.
PAIRS = (("DDT_GATEWAY_IDENTITY_PRIVATE_KEY", "DDT_IDENTITY_PUBLIC_KEY"),)
#: May stay empty (tracing is off without a collector).
OPTIONAL = frozenset({"OTEL_EXPORTER_OTLP_ENDPOINT"})


def generatable(name: str) -> bool:
    """True if :func:`fill` makes a value for ``name``."""
    return name in GENERATED or any(name in pair for pair in PAIRS) or name.endswith("_PASSWORD")


def fill(template: str, given: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The template with its empty values filled; and the names left for the operator.

    ``given`` supplies values for names (what the operator knows, or a test's stand-ins).
    """
    given = dict(given or {})
    names = [m.group("name") for line in template.splitlines() if (m := _LINE.match(line))]
    values: dict[str, str] = {}
    for private, public in PAIRS:
        if private in names or public in names:
            values[private], values[public] = generate_keypair()
    out, missing = [], []
    for line in template.splitlines():
        match = _LINE.match(line)
        if not match or match.group("value"):
            out.append(line)
            continue
        name = match.group("name")
        if name in given:
            value = given[name]
        elif name in values:
            value = values[name]
        elif name in GENERATED:
            value = GENERATED[name]()
        elif name.endswith("_PASSWORD"):
            value = _password()
        else:
            if name not in OPTIONAL:
                missing.append(name)
            value = ""
        out.append(f"{name}={value}")
    return "\n".join(out) + "\n", missing


def parse_env(text: str) -> dict[str, str]:
    """``NAME=value`` lines of an env file (comments and blanks skipped)."""
    return {m.group("name"): m.group("value") for line in text.splitlines() if (m := _LINE.match(line))}


def main(argv: list[str] | None = None) -> int:
    """Print the filled template; name on stderr what the operator must still fill in."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    text, missing = fill(args.template.read_text("utf-8"))
    sys.stdout.write(text)
    if missing:
        print(f"fill in by hand: {', '.join(missing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
