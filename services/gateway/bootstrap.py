"""First run of the embedded platform: an empty registry gets its first parties.

On an empty registry (and only where ``should_bootstrap`` — the embedded mode by
default) the gateway creates a platform-admin party and a demo e-commerce
enterprise, one credential each, and writes them **once** to
``<var>/gateway-first-run.json`` with mode 0600. The secrets are in that file
only — never in a log line; the log says where the file is.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from services.gateway.components import GatewayComponents
from services.gateway.credentials import service as credentials
from services.gateway.parties import service as parties
from services.gateway.parties.repository import PartyRepository
from services.gateway.parties.roles import Role
from services.gateway.parties.schemas import CodeIn, PartyIn
from services.gateway.parties.uscc import generate_uscc
from services.gateway.settings import GatewaySettings
from shared.service import Runtime

log = logging.getLogger("ddt.gateway.bootstrap")

FIRST_RUN_FILE = "gateway-first-run.json"
DEMO_CUSTOMS_CODE = "3207960001"


def _write_once(path: Path, content: dict[str, Any]) -> Path:
    """Create ``path`` with 0600 (never overwrite: a second file gets a numbered name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 1
    while True:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            n += 1
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return candidate


async def bootstrap_if_empty(runtime: Runtime) -> Path | None:
    """Create the first parties if the registry is empty; returns the credentials file written."""
    settings: GatewaySettings = runtime.settings  # type: ignore[assignment]
    sealer = runtime.components.get(GatewayComponents).sealer
    async with runtime.db.transaction() as session:
        if await PartyRepository(session).count() > 0:
            return None
        admin = await parties.onboard(
            session,
            runtime.publisher,
            PartyIn(
                name="Platform operator",
                uscc=generate_uscc("320700", "ddt-platform-admin"),
                roles=[Role.PLATFORM_ADMIN],
                district="haizhou",  # type: ignore[list-item]
            ),
        )
        demo = await parties.onboard(
            session,
            runtime.publisher,
            PartyIn(
                name="Demo cross-border e-commerce enterprise",
                uscc=generate_uscc("320706", "ddt-demo-enterprise"),
                customs_code=DEMO_CUSTOMS_CODE,
                district="haizhou",
                # Self-operated (自营): it sells on its own platform, so its orders name its code
                # as both ebpCode and ebcCode — the README's first CEB311 files as it is.
                roles=["ecommerce_enterprise", "ecommerce_platform"],  # type: ignore[list-item]
                codes=[
                    CodeIn(
                        code=DEMO_CUSTOMS_CODE,
                        kinds=["ebpCode", "ebcCode", "agentCode", "copCode"],  # type: ignore[list-item]
                    )
                ],
            ),
        )
        admin_key = await credentials.create(session, sealer, admin.id, "first-run admin")
        demo_key = await credentials.create(session, sealer, demo.id, "first-run demo enterprise")
    base_url = f"http://{settings.host}:{settings.effective_port}"
    written = _write_once(
        settings.platform.var_dir.resolve() / FIRST_RUN_FILE,
        {
            "note": "Written once by the gateway on an empty registry. Keep it private (mode 0600); "
            "the secrets cannot be shown again.",
            "base_url": base_url,
            "platform_admin": {"party_id": admin.id, "key_id": admin_key.key_id, "secret": admin_key.secret},
            "demo_enterprise": {
                "party_id": demo.id,
                "customs_code": DEMO_CUSTOMS_CODE,
                "key_id": demo_key.key_id,
                "secret": demo_key.secret,
            },
            "try": [
                f"export DDT_BASE_URL={base_url}",
                f"export DDT_KEY_ID={demo_key.key_id}",
                "export DDT_KEY_SECRET=<demo_enterprise.secret from this file>",
                "ddt request GET /v1/parties/me",
            ],
        },
    )
    log.warning(
        "first run: created a platform-admin and a demo enterprise; their credentials are in %s", written
    )
    print(f"Gateway first run: credentials written to {written} (mode 0600).", flush=True)
    return written
