"""Typed settings: a prefix per service, and production refuses development secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.declaration.settings import DeclarationSettings
from services.gateway.settings import GatewaySettings
from services.stats.settings import StatsSettings
from shared.identity import generate_keypair
from shared.settings import Environment, PlatformSettings, known_env_names


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDT_DECLARATION_DATABASE_URL", "postgresql+asyncpg://db/declaration")
    monkeypatch.setenv("DDT_STATS_DATABASE_URL", "postgresql+asyncpg://db/stats")
    assert (DeclarationSettings().database_url, StatsSettings().database_url) == (
        "postgresql+asyncpg://db/declaration",
        "postgresql+asyncpg://db/stats",
    )


def test_platform_settings_are_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDT_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    assert StatsSettings().platform.kafka_bootstrap_servers == "kafka:9092"


def test_embedded_mode_defaults_to_sqlite_under_var() -> None:
    settings = StatsSettings(platform=PlatformSettings(environment=Environment.EMBEDDED))
    assert settings.effective_database_url.startswith(
        "sqlite+aiosqlite:///"
    ) and settings.effective_database_url.endswith("var/stats.db")


def test_production_refuses_the_development_identity_key() -> None:
    with pytest.raises(ValidationError, match="DDT_IDENTITY_PUBLIC_KEY"):
        PlatformSettings(environment=Environment.PRODUCTION)


def test_production_refuses_the_gateway_development_signing_key() -> None:
    _seed, public = generate_keypair()
    platform = PlatformSettings(environment=Environment.PRODUCTION, identity_public_key=public)
    with pytest.raises(ValidationError, match="DDT_GATEWAY_IDENTITY_PRIVATE_KEY"):
        GatewaySettings(platform=platform, database_url="postgresql+asyncpg://db/gateway")


def test_production_accepts_real_secrets() -> None:
    seed, public = generate_keypair()
    platform = PlatformSettings(environment=Environment.PRODUCTION, identity_public_key=public)
    secrets = {
        name: seed  # any non-default value of the right shape; the identity key must be a real seed
        for name, field in GatewaySettings.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("secret")
    }
    settings = GatewaySettings(platform=platform, database_url="postgresql+asyncpg://db/g", **secrets)
    assert settings.environment is Environment.PRODUCTION


def test_production_needs_an_explicit_database() -> None:
    _seed, public = generate_keypair()
    settings = StatsSettings(
        platform=PlatformSettings(environment=Environment.PRODUCTION, identity_public_key=public)
    )
    with pytest.raises(ValueError, match="DDT_STATS_DATABASE_URL"):
        _ = settings.effective_database_url


def test_production_does_not_migrate_on_start_by_default() -> None:
    _seed, public = generate_keypair()
    settings = StatsSettings(
        platform=PlatformSettings(environment=Environment.PRODUCTION, identity_public_key=public)
    )
    assert settings.should_migrate_on_start is False


def test_known_env_names_lists_service_and_platform_variables() -> None:
    names = known_env_names(PlatformSettings, DeclarationSettings)
    assert {"DDT_KAFKA_BOOTSTRAP_SERVERS", "DDT_DECLARATION_DATABASE_URL"} <= names
