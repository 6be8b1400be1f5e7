"""Typed settings for every service.

Two layers, both read from the environment with pydantic-settings:

* :class:`PlatformSettings` (prefix ``DDT_``) holds what all services share: the
  environment name, the Kafka bootstrap servers, the internal identity-token keys,
  Redis, logging.
* each service subclasses :class:`ServiceSettings` with its own prefix
  (``DDT_DECLARATION_``, ``DDT_STATS_`` …) for what is its own: database URL,
  listen address, body limit, and service-specific options.

Fields marked with :func:`secret_field` carry a development default so the
embedded mode starts with nothing configured; in ``production`` the settings refuse
to load while any of them still holds its default.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.budget import RequestBudget

#: Marker put into development default secrets that are free text; a value containing
#: it is never acceptable in production.
DEV_SECRET_MARKER = "dev-insecure"  # noqa: S105 — a marker, not a password


class Environment(enum.StrEnum):
    """Where the platform runs; decides defaults and how strict start-up is."""

    EMBEDDED = "embedded"
    TEST = "test"
    PRODUCTION = "production"


def secret_field(default: str, description: str) -> Any:
    """A secret setting with a development default that production refuses."""
    return Field(default=SecretStr(default), description=description, json_schema_extra={"secret": True})


def production_override_field(default: str, description: str) -> Any:
    """A non-secret setting whose development default production refuses (e.g. a dev public key)."""
    return Field(default=default, description=description, json_schema_extra={"secret": True})


class DdtSettings(BaseSettings):
    """Base class: production refuses development secrets."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> DdtSettings:
        if _environment_of(self) is not Environment.PRODUCTION:
            return self
        offending = [
            name
            for name, field in type(self).model_fields.items()
            if isinstance(field.json_schema_extra, dict)
            and field.json_schema_extra.get("secret")
            and _is_default_secret(getattr(self, name), field.default)
        ]
        if offending:
            names = ", ".join(env_name(type(self), name) for name in offending)
            raise ValueError(f"production refuses development default secrets; set {names}")
        return self


def _environment_of(settings: DdtSettings) -> Environment:
    env = getattr(settings, "environment", None)
    if env is None:
        env = getattr(getattr(settings, "platform", None), "environment", Environment.EMBEDDED)
    return Environment(str(env))


def _is_default_secret(value: object, default: object) -> bool:
    """Empty, equal to the development default, or carrying the development marker."""

    def raw(v: object) -> str:
        return v.get_secret_value() if isinstance(v, SecretStr) else str(v or "")

    return raw(value) == "" or raw(value) == raw(default) or DEV_SECRET_MARKER in raw(value)


def env_name(settings_cls: type[BaseSettings], field_name: str) -> str:
    """The environment variable that sets ``field_name`` on ``settings_cls``."""
    prefix = settings_cls.model_config.get("env_prefix", "")
    return f"{prefix}{field_name}".upper()


def known_env_names(*settings_classes: type[BaseSettings]) -> set[str]:
    """Every environment variable the given settings classes read."""
    return {
        env_name(cls, name) for cls in settings_classes for name in cls.model_fields if name != "platform"
    }


# Development Ed25519 key pair for the internal identity token: a fixed seed so every
# embedded process agrees without configuration. It is public by construction,
# hence refused in production.
DEV_IDENTITY_SEED = "ZGV2LWluc2VjdXJlLWRkdC1pZGVudGl0eS1zZWVkISE"  # base64url of a 32-byte seed
DEV_IDENTITY_PUBLIC_KEY = "kj4CPsxvMMlduBNR5QJded-ZWu6GLacxiWWdNb0KLvw"


class KafkaSecurityProtocol(enum.StrEnum):
    """Kafka's ``security.protocol`` values."""

    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class PlatformSettings(DdtSettings):
    """Settings every service shares (prefix ``DDT_``)."""

    model_config = SettingsConfigDict(env_prefix="DDT_", extra="ignore", frozen=True)

    environment: Environment = Environment.EMBEDDED
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_enable_idempotence: bool = Field(
        default=False,
        description="Idempotent producer; the embedded tansu broker does not support it, Apache Kafka does.",
    )
    kafka_session_timeout_ms: int = Field(
        default=10000,
        ge=1000,
        description="Consumer group session timeout (a new member joins after about half).",
    )
    kafka_heartbeat_interval_ms: int = Field(default=3000, ge=100)
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        default=KafkaSecurityProtocol.PLAINTEXT,
        description="How clients talk to the brokers: PLAINTEXT (embedded tansu, the laptop profile), "
        "SSL, SASL_PLAINTEXT or SASL_SSL (the production profile).",
    )
    kafka_sasl_mechanism: str = Field(
        default="PLAIN",
        pattern=r"^(PLAIN|SCRAM-SHA-256|SCRAM-SHA-512)$",
        description="SASL mechanism with SASL_* protocols (PLAIN only over TLS).",
    )
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="PEM of the CA the brokers' certificates chain to (default: the system's)."
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="Client certificate (PEM), for mutual TLS."
    )
    kafka_ssl_keyfile: Path | None = Field(default=None, description="The client certificate's key (PEM).")
    identity_public_key: str = production_override_field(
        DEV_IDENTITY_PUBLIC_KEY,
        "base64url Ed25519 public key every service verifies the gateway's identity tokens with.",
    )
    identity_token_ttl_seconds: int = Field(default=60, ge=5, le=600)
    gc_freeze_on_start: bool = Field(
        default=True,
        description="Freeze the start-up heap from the garbage collector (off in the in-process test suite, "
        "where many apps start and stop in one process).",
    )
    request_budget_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How long an interactive request (a filing) may take from the gateway's door to its "
        "answer; the gateway's connect timeout, the deadline it stamps on forwarded requests, the services' "
        "admission wait and every Retry-After are derived from it (shared/budget.py, docs/operations.md).",
    )
    redis_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    var_dir: Path = Path("var")

    @property
    def budget(self) -> RequestBudget:
        """The request budget and what follows from it."""
        return RequestBudget(self.request_budget_seconds)

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> PlatformSettings:
        protocol = self.kafka_security_protocol
        if protocol.startswith("SASL") and not (
            self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()
        ):
            raise ValueError(
                f"DDT_KAFKA_SECURITY_PROTOCOL={protocol} needs "
                "DDT_KAFKA_SASL_USERNAME and DDT_KAFKA_SASL_PASSWORD"
            )
        if protocol == KafkaSecurityProtocol.SASL_PLAINTEXT and self.kafka_sasl_mechanism == "PLAIN":
            raise ValueError("SASL PLAIN sends the password in clear: use SASL_SSL, or a SCRAM mechanism")
        if bool(self.kafka_ssl_certfile) != bool(self.kafka_ssl_keyfile):
            raise ValueError("DDT_KAFKA_SSL_CERTFILE and DDT_KAFKA_SSL_KEYFILE go together (mutual TLS)")
        return self


class ServiceSettings(DdtSettings):
    """Settings of one service; subclasses set ``service_name`` and ``env_prefix``."""

    service_name: ClassVar[str] = ""
    default_port: ClassVar[int] = 0

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    migrate_on_start: bool | None = Field(
        default=None, description="Apply Alembic migrations at start-up (default: yes except in production)."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    db_pool_size: int = Field(default=10, ge=1)
    db_pool_pre_ping: bool = Field(
        default=True,
        description="Test pooled PostgreSQL connections before use "
        "(3 round trips per transaction with asyncpg); off, a connection broken by a database "
        "restart fails its next use once and is replaced.",
    )
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    outbox_retention_days: int = Field(default=7, ge=1)
    consumer_max_attempts: int = Field(default=3, ge=1)

    @property
    def environment(self) -> Environment:
        """The platform environment this service runs in."""
        return self.platform.environment

    @property
    def should_migrate_on_start(self) -> bool:
        """Embedded and test modes migrate at start-up; production runs the documented command."""
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return self.environment is not Environment.PRODUCTION

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``var/`` in the embedded mode."""
        if self.database_url:
            return self.database_url
        if self.environment is Environment.PRODUCTION:
            raise ValueError(f"production needs {env_name(type(self), 'database_url')}")
        path = (self.platform.var_dir / f"{self.service_name}.db").resolve()
        return f"sqlite+aiosqlite:///{path}"

    @property
    def effective_port(self) -> int:
        """The configured port or the service's default one."""
        return self.port or self.default_port
