"""What the deployment tests share: the filled .env, compose interpolation, required tools."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from deploy.secrets import TEMPLATE, fill, parse_env
from shared.settings import PlatformSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]

#: What only an operator knows, as an operator would fill it in (the rest is generated).
OPERATOR_VALUES = {
    "DDT_TLS_DIRECTORY": "/etc/ddt/tls",
    "DDT_KAFKA_TLS_DIRECTORY": "/etc/ddt/kafka-tls",
    "DDT_DECLARATION_CUSTOMS_DXP_SENDER_ID": "DXPENT0000458763",
    "DDT_DECLARATION_CUSTOMS_REMOTE_SIGNER_URL": "https://signer.internal:8443",
    "DDT_DECLARATION_CUSTOMS_SIGNER_CREDENTIAL": "appliance-bearer-token-0f3c9a",
    "DDT_DECLARATION_CUSTOMS_SIGNER_CERTIFICATE": "MIIBszCCAVmgAwIBAgIUc2lnbmVy",
}


@cache
def filled_env() -> dict[str, str]:
    """``deploy/env.example`` filled in by ``deploy.secrets`` and the operator's values."""
    text, missing = fill(TEMPLATE.read_text("utf-8"), OPERATOR_VALUES)
    assert missing == [], f"env.example asks for values nobody fills in: {missing}"
    return parse_env(text)


_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's variable interpolation (``${X}``, ``${X:-default}``, ``${X:?error}``, ``$$``)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?") and not current:
            raise AssertionError(f"compose would refuse to start: {name}: {arg}")
        return current or ""

    return _VARIABLE.sub(replace, value)


@contextmanager
def exactly_this_environment(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> Iterator[None]:
    """The process environment holds no DDT_/OTEL_ variable but ``env``'s, for settings to read."""
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("DDT_", "OTEL_")):
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, str(value))
        yield


def build_settings(
    cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]
) -> ServiceSettings:
    """``cls()`` and its platform settings read from exactly ``env`` — as the container would."""
    with exactly_this_environment(monkeypatch, env):
        settings = cls()
        assert isinstance(settings.platform, PlatformSettings)
        settings.effective_database_url  # noqa: B018 — production raises without an explicit URL
        return settings


def require_tool(name: str, variable: str, *candidates: str) -> str:
    """The path of a tool the test needs: skip if absent, but fail where ``variable=1`` (CI)."""
    found = shutil.which(name) or next((c for c in candidates if Path(c).is_file()), None)
    if found:
        return found
    if os.environ.get(variable) == "1":
        pytest.fail(f"{name} is required here ({variable}=1) but is not installed; .ci/run installs it")
    pytest.skip(f"{name} is not installed (.ci/run installs it; {variable}=1 makes this a failure)")
