"""Settings of the declaration service (environment prefix ``DDT_DECLARATION_``).

Everything the customs specification leaves open (customs-domain.md marks those
points) is a setting here, with the default docs/declaration.md justifies. Keys for
personal data are :func:`~shared.settings.secret_field` values: the development
defaults let the embedded mode start with nothing configured, and production
refuses to start while any of them is still the default.
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import Environment, ServiceSettings, secret_field

#: Body limit: a 100-record CEB621 with 99 lines per record is about 8 MB of XML
#: (ceb.xml_security.XmlLimits); 16 MiB leaves room for signatures and pretty-printing.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def _dev_key(label: str) -> str:
    # Deterministic and public by construction: development only, refused in production.
    return (
        base64.urlsafe_b64encode(hashlib.sha256(f"dev-insecure-{label}".encode()).digest())
        .decode()
        .rstrip("=")
    )


DEV_PII_KEYS = f"dev:{_dev_key('ddt-declaration-pii')}"
DEV_PII_HASH_KEY = _dev_key("ddt-declaration-pii-hash")
#: The signer credential's development default: generate (once) and use a key kept under <var>/.
DEV_SIGNER_CREDENTIAL = "dev-insecure-generated-signing-key"  # noqa: S105 — a marker, not a key

Severity = Literal["error", "review", "off"]


class DeclarationSettings(ServiceSettings):
    """Declaration service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_DECLARATION_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "declaration"
    default_port: ClassVar[int] = 8001

    max_body_bytes: int = Field(
        default=MAX_MESSAGE_BYTES,
        ge=1024,
        description="Largest request body; sized for 100-record messages (a 50 MB body gets 413).",
    )
    db_pool_pre_ping: bool = Field(
        default=False,
        description="Off here: with asyncpg a pre-ping is three round trips per transaction, a fifth of a "
        "one-record filing's; a filing whose pooled connection turns out broken is retried instead.",
    )
    intake_concurrency: int = Field(
        default=8, ge=1, description="Filings processed at once (each holds a database connection)."
    )
    intake_queue_limit: int = Field(
        default=200,
        ge=0,
        description="Filings allowed to wait for a slot; beyond, 503 at once. None waits longer than the "
        "request budget's queue share (DDT_REQUEST_BUDGET_SECONDS, shared/budget.py).",
    )
    xml_max_depth: int = Field(default=32, ge=8, le=256, description="Deepest XML element nesting accepted.")

    # --- personal data -------------------------------------------------------------
    pii_keys: SecretStr = secret_field(
        DEV_PII_KEYS,
        "AES-256-GCM keyring for personal data at rest: comma-separated `key_id:base64url(32 bytes)`.",
    )
    pii_active_key_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="Key id new ciphertexts are written with (default: the keyring's first); "
        "older ids stay readable, for rotation.",
    )
    pii_hash_key: SecretStr = secret_field(
        DEV_PII_HASH_KEY,
        "HMAC-SHA256 key of the lookup hashes of buyer/payer ID numbers (base64url, ≥ 32 bytes).",
    )

    # --- reference data ----------------------------------------------------------------
    exchange_rates_file: Path | None = Field(
        default=None,
        description="Monthly customs CNY rates (CSV: currency,month,cny_per_unit); default: shipped table.",
    )
    hs_tax_rates_file: Path | None = Field(
        default=None,
        description="Tax rates by HS prefix (CSV as tax/data/hs_tax_rates.csv); default: shipped table.",
    )

    # --- retail import limits and tax -------------------------------------------------------
    single_transaction_limit_cny: Decimal = Field(default=Decimal("5000"), gt=0)
    annual_limit_cny: Decimal = Field(default=Decimal("26000"), gt=0)
    retail_tax_share: Decimal = Field(default=Decimal("0.7"), gt=0, le=1)
    allow_single_indivisible_item: bool = True

    # --- business rules the spec leaves open ----------------------------------------------------
    goods_value_sum: Severity = Field(
        default="review", description="Σ line totalPrice = goodsValue is inferred, not stated by the spec."
    )
    allow_simplified_gcode: bool = Field(
        default=True, description="4/6-digit HS codes under statisticsFlag A (Lianyungang is a 综试区)."
    )
    b2b_channel_limit_cny: Decimal = Field(default=Decimal("5000"), gt=0)
    b2b_restricted_hs_prefixes: list[str] = Field(
        default_factory=list,
        description="HS prefixes needing licence/duty/inspection: 9710/9810 must use H2018.",
    )
    waybill_number_reuse_months: int = Field(
        default=6, ge=1, le=120, description="A carrier may reuse a logisticsNo after this many months."
    )
    platform_signs_outbound: bool = Field(
        default=True,
        description="The platform signs what it sends to customs: JSON filings need no enterprise signature.",
    )

    # --- who may file ------------------------------------------------------------------------
    ownership_profile: Literal["strict", "by_sender"] = Field(
        default="by_sender",
        description="by_sender (default): the codes naming the sender in its role must be the caller's, "
        "counterparties the spec makes it name (a payment firm's CEB411 names the platform) are references; "
        "strict: every enterprise code must be the caller's (orders' ebcCode may be a merchant's the caller "
        "files for).",
    )
    ownership_exempt_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra code fields, per message type, that name another party and are not checked "
        'for ownership (e.g. {"CEB411": ["ebpCode"]}).',
    )
    ownership_delegable_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra code fields, per message type, the caller may fill with the code of a party "
        "listed in its identity's on_behalf_of.",
    )

    # --- three-document match ------------------------------------------------------------------
    match_inferred_severity: Severity = Field(
        default="review", description="Comparisons the spec does not state (freight, insuredFee, weights)."
    )
    match_compare_gname: bool = Field(
        default=True, description="Inventory gname must equal the order's itemName."
    )

    # --- customs exchange (part 2; docs/declaration.md "Exchange with customs") -------------------
    customs_exchange_enabled: bool = Field(
        default=True,
        description="Run the exchange with customs (outbox, transport, receipts) in this process.",
    )
    customs_transport: Literal["simulator", "directory"] = Field(
        default="simulator",
        description="simulator: the embedded customs simulator (state in this service's database); "
        "directory: folders shared with the e-port's data-exchange client. Production refuses the simulator.",
    )
    customs_directory_root: Path | None = Field(
        default=None, description="Root of the directory transport (default: <var>/customs-exchange)."
    )
    customs_directory_settle_seconds: float = Field(
        default=5.0,
        ge=0,
        description="An unreadable inbox file younger than this may still be being written.",
    )
    customs_envelope: Literal["DxpMsgSv", "DxpMsg"] = Field(
        default="DxpMsgSv",
        description="DxpMsgSv: transport node (a third-party platform such as this one); "
        "DxpMsg: terminal node.",
    )
    customs_dxp_sender_id: str = Field(
        default="DXPENT0000000001", min_length=1, max_length=16, description="The platform's DXP user id."
    )
    customs_dxp_receiver_import: str = Field(default="DXPEDCCEB0000002", min_length=1, max_length=16)
    customs_dxp_receiver_export: str = Field(default="DXPEDCCEB0000003", min_length=1, max_length=16)
    customs_dxp_node_id: str = Field(
        default="32070001", pattern=r"^\d{8}$", description="The platform's transport node (StaNode, MsgId)."
    )
    customs_dxp_end_node: str = Field(default="10000001", pattern=r"^\d{8}$", description="Customs' node.")
    customs_signer: Literal["software", "remote"] = Field(
        default="software",
        description="software: a key held by this service; remote: a signing server (e-port key bridge, "
        "signing appliance) at customs_remote_signer_url.",
    )
    customs_signature_profile: Literal["rsa-sha1", "sm2-sm3", "sm2-sha1-eport"] = Field(
        default="rsa-sha1",
        description="rsa-sha1 and sm2-sm3 as interface-spec §6; "
        "sm2-sha1-eport as the e-port UKey bridge writes it.",
    )
    customs_signature_method_uri: str | None = Field(
        default=None,
        description="Override of the profile's SignatureMethod URI (deployments disagree on SM2).",
    )
    customs_digest_method_uri: str | None = Field(
        default=None, description="Override of the profile's DigestMethod URI."
    )
    customs_signer_credential: SecretStr = secret_field(
        DEV_SIGNER_CREDENTIAL,
        "software signer: the private key (RSA: PEM PKCS#8; SM2: `sm2:<private hex>:<public hex>`); "
        "remote signer: its bearer token. The development default generates a key under "
        "<var>/customs-signer/.",
    )
    customs_signer_certificate: str | None = Field(
        default=None,
        description="The signer's certificate (PEM, or base64 DER) for KeyInfo; "
        "with a remote signer it pins the key.",
    )
    customs_signer_key_name: str | None = Field(
        default=None, description="KeyName (证书编号); default: the certificate serial in hex."
    )
    customs_remote_signer_url: str | None = Field(default=None, description="Base URL of the signing server.")
    customs_forward_enterprise_signatures: bool = Field(
        default=True,
        description="Forward an enterprise's own signed XML byte for byte when its signature verifies and "
        "every record of it goes to customs together; otherwise the platform signs what it sends.",
    )
    customs_poll_seconds: float = Field(default=0.5, gt=0, description="Idle wait of the exchange loop.")
    customs_batch_documents: int = Field(default=500, ge=1, le=5000, description="Documents staged per pass.")
    customs_batch_receipts: int = Field(default=200, ge=1, le=5000, description="Receipt messages per pass.")
    customs_simulator_seed: int = 0
    customs_simulator_review_rate: float = Field(default=0.1, ge=0, le=1)
    customs_simulator_inspection_rate: float = Field(default=0.05, ge=0, le=1)
    customs_simulator_detention_rate: float = Field(default=0.2, ge=0, le=1)
    customs_simulator_detention_return_rate: float = Field(default=0.5, ge=0, le=1)
    customs_simulator_rejection_rate: float = Field(default=0.02, ge=0, le=1)
    customs_simulator_delay_scale: float = Field(
        default=1.0, ge=0, description="Multiplies the simulator's customs delays (0: every receipt at once)."
    )
    customs_simulator_receipts_per_message: int = Field(
        default=100,
        ge=1,
        le=100,
        description="Due receipts of one type for one enterprise delivered together (the XSDs allow 100).",
    )
    customs_simulator_snapshot_every: int = Field(
        default=10000, ge=1, description="Documents received by the simulator between two state snapshots."
    )
    customs_return_window_days: int = Field(
        default=30, ge=1, description="Import returns: days after release."
    )
    customs_summary_basis: Literal["closed", "released"] = Field(
        default="closed",
        description="A month's summary takes the inventories closed (899) in it, or released (800).",
    )
    customs_summary_trade_modes: list[str] = Field(
        default_factory=lambda: ["9610"], description="Export trade modes summarised monthly (CEB701)."
    )
    customs_summary_statistics_flags: list[str] = Field(
        default_factory=lambda: ["B"],
        description="statisticsFlag values that need a summary application "
        "(A 简化申报 needs none, inferred).",
    )
    customs_reminder_check_seconds: float = Field(
        default=3600.0, gt=0, description="How often the summary reminder check runs."
    )
    customs_crash_at: str | None = Field(
        default=None,
        description="TEST ONLY: `step[:n]` kills this process (SIGKILL) the n-th time the exchange reaches "
        "the step (see customs/crashpoints.py). Refused in production.",
    )

    @property
    def pii_key_ids(self) -> list[str]:
        """Key ids of the keyring, in order."""
        entries = self.pii_keys.get_secret_value().split(",")
        return [entry.split(":", 1)[0].strip() for entry in entries if entry.strip()]

    @property
    def effective_pii_key_id(self) -> str:
        """The key new personal data is sealed with."""
        return self.pii_active_key_id or self.pii_key_ids[0]

    @model_validator(mode="after")
    def _active_key_is_in_keyring(self) -> DeclarationSettings:
        if self.pii_active_key_id is not None and self.pii_active_key_id not in self.pii_key_ids:
            raise ValueError(
                f"DDT_DECLARATION_PII_ACTIVE_KEY_ID {self.pii_active_key_id!r} "
                "is not in DDT_DECLARATION_PII_KEYS"
            )
        return self

    @model_validator(mode="after")
    def _production_exchange(self) -> DeclarationSettings:
        if self.environment is not Environment.PRODUCTION:
            return self
        if self.customs_exchange_enabled and self.customs_transport == "simulator":
            raise ValueError(
                "production refuses the customs simulator; set DDT_DECLARATION_CUSTOMS_TRANSPORT=directory"
            )
        if self.customs_crash_at:
            raise ValueError("DDT_DECLARATION_CUSTOMS_CRASH_AT is for tests only")
        if self.customs_signer == "remote" and not self.customs_remote_signer_url:
            raise ValueError("a remote signer needs DDT_DECLARATION_CUSTOMS_REMOTE_SIGNER_URL")
        return self
