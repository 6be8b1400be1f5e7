"""The role × operation matrix, enforced by the gateway before anything else runs.

Every public route is one :class:`Operation`: a method set, a path template and
the roles allowed to call it. A request matching no operation is 404; a caller
holding none of the roles is 403. The table in docs/gateway.md is generated from
:data:`OPERATIONS` (a test keeps them equal). Object-level checks ("only your own
objects") come after, in the route or the service that owns the object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.gateway.caller import Caller
from services.gateway.parties.roles import Role
from shared.problems import FORBIDDEN, ProblemError

R = Role
ALL = frozenset(Role)
BUSINESS = frozenset(
    {
        R.ECOMMERCE_ENTERPRISE,
        R.ECOMMERCE_PLATFORM,
        R.LOGISTICS_FIRM,
        R.PAYMENT_INSTITUTION,
        R.BANK,
        R.OVERSEAS_WAREHOUSE_OPERATOR,
        R.CUSTOMS_BROKER,
        R.SUPERVISED_SITE_OPERATOR,
        R.BONDED_AREA_OPERATOR,
    }
)
ADMIN = frozenset({R.PLATFORM_ADMIN})
#: Who sends customs messages: e-commerce enterprises and platforms (orders, inventories,
#: summaries), logistics firms (waybills, statuses, arrivals, departures, manifests) and
#: payment institutions and banks (payment records CEB411, receipts CEB403), customs brokers
#: (inventories and summaries for the enterprises that authorise them), supervised-site and
#: bonded-area operators (arrivals, departures, bonded inventories).
CUSTOMS_FILERS = frozenset(
    {
        R.ECOMMERCE_ENTERPRISE,
        R.ECOMMERCE_PLATFORM,
        R.LOGISTICS_FIRM,
        R.PAYMENT_INSTITUTION,
        R.BANK,
        R.CUSTOMS_BROKER,
        R.SUPERVISED_SITE_OPERATOR,
        R.BONDED_AREA_OPERATOR,
    }
)
#: Who files import inventories (CEB621, the agentCode's holder: the enterprise itself, a platform
#: or a customs broker it authorises, a bonded-area operator for 1210) and so may ask how much of
#: a buyer's annual quota is left (only for buyers it filed for: the declaration service checks).
INVENTORY_FILERS = frozenset(
    {R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM, R.CUSTOMS_BROKER, R.BONDED_AREA_OPERATOR}
)
#: Whose goods sit in overseas warehouses, and who runs them.
MERCHANTS = frozenset({R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM})
WAREHOUSING = MERCHANTS | {R.OVERSEAS_WAREHOUSE_OPERATOR}
#: Who takes part in payments: institutions and the enterprises and platforms they serve.
PAYMENT_PARTIES = frozenset({R.PAYMENT_INSTITUTION, R.BANK, R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM})
#: Who reports and records logistics: carriers and warehouses, and enterprises and platforms
#: (shipments they make themselves, costs, aggregator data they relay for their own parcels).
LOGISTICS_REPORTERS = frozenset(
    {R.LOGISTICS_FIRM, R.OVERSEAS_WAREHOUSE_OPERATOR, R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM}
)
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ = frozenset({"GET"})


@dataclass(frozen=True)
class Operation:
    """One public operation and who may call it."""

    name: str
    methods: frozenset[str]
    template: str  # "{param}" matches one segment; a trailing "/**" matches any sub-path
    roles: frozenset[Role]
    summary: str
    #: Served without credentials (pages and static files that hold no data).
    public: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.escape(self.template.removesuffix("/**"))
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        if self.template.endswith("/**"):
            regex += r"(?:/.*)?"
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters if this operation serves ``method path``, else None."""
        if method not in self.methods:
            return None
        found = self.pattern.match(path)
        return found.groupdict() if found else None

    def allows(self, roles: Iterable[str]) -> bool:
        """True if any of ``roles`` may call this operation."""
        return any(r in self.roles for r in roles)


def _op(
    name: str,
    methods: str | frozenset[str],
    template: str,
    roles: Iterable[Role],
    summary: str,
    *,
    public: bool = False,
) -> Operation:
    method_set = frozenset({methods}) if isinstance(methods, str) else methods
    return Operation(name, method_set, template, frozenset(roles), summary, public)


# Order matters: the first match wins, so specific templates precede the wildcards.
OPERATIONS: tuple[Operation, ...] = (
    # Registry
    _op("parties.read_self", "GET", "/v1/parties/me", ALL, "Own registry entry (codes, roles, delegations)"),
    _op(
        "parties.milestone_filing",
        frozenset({"GET", "PUT"}),
        "/v1/parties/me/milestone-filing",
        {R.LOGISTICS_FIRM},
        "How the track files CEB507/509/513 for the firm (off, review, auto)",
    ),
    _op("parties.list", "GET", "/v1/parties", ADMIN | {R.REGULATOR}, "List and search parties"),
    _op("parties.create", "POST", "/v1/parties", ADMIN, "Onboard a party"),
    _op("parties.read", "GET", "/v1/parties/{party_id}", ALL, "One registry entry (others: own only)"),
    _op("parties.update", "PATCH", "/v1/parties/{party_id}", ADMIN, "Change name, location, roles"),
    _op("parties.suspend", "POST", "/v1/parties/{party_id}/suspend", ADMIN, "Suspend a party"),
    _op("parties.reactivate", "POST", "/v1/parties/{party_id}/reactivate", ADMIN, "Reactivate a party"),
    _op("parties.codes.add", "POST", "/v1/parties/{party_id}/codes", ADMIN, "Register an enterprise code"),
    _op("parties.codes.kinds", "PUT", "/v1/parties/{party_id}/codes/{code}", ADMIN, "Change a code's kinds"),
    _op("parties.codes.remove", "DELETE", "/v1/parties/{party_id}/codes/{code}", ADMIN, "Unregister a code"),
    _op(
        "parties.delegations.add",
        "POST",
        "/v1/parties/{party_id}/delegations",
        ADMIN,
        "Let an agent (any filer role) file some message types for an enterprise",
    ),
    _op(
        "parties.delegations.remove",
        "DELETE",
        "/v1/parties/{party_id}/delegations/{merchant_party_id}",
        ADMIN,
        "Withdraw a delegation",
    ),
    _op(
        "parties.credentials.list",
        "GET",
        "/v1/parties/{party_id}/credentials",
        ADMIN,
        "List a party's credentials (never secrets)",
    ),
    _op(
        "parties.credentials.create",
        "POST",
        "/v1/parties/{party_id}/credentials",
        ADMIN,
        "Issue a credential to a party",
    ),
    _op(
        "parties.credentials.revoke",
        "DELETE",
        "/v1/parties/{party_id}/credentials/{key_id}",
        ADMIN,
        "Revoke a party's credential",
    ),
    _op("reference.read", "GET", "/v1/reference/**", ALL, "Districts, parks and roles reference data"),
    # Own credentials
    _op("credentials.list", "GET", "/v1/credentials", ALL, "Own credentials (never secrets)"),
    _op("credentials.create", "POST", "/v1/credentials", ALL, "New own credential (secret shown once)"),
    _op("credentials.revoke", "DELETE", "/v1/credentials/{key_id}", ALL, "Revoke an own credential"),
    # Webhooks
    _op(
        "webhooks.subscriptions.list",
        "GET",
        "/v1/webhooks/subscriptions",
        BUSINESS | ADMIN,
        "Own subscriptions",
    ),
    _op(
        "webhooks.subscriptions.create",
        "POST",
        "/v1/webhooks/subscriptions",
        BUSINESS | ADMIN,
        "Subscribe a URL",
    ),
    _op(
        "webhooks.subscriptions.read",
        "GET",
        "/v1/webhooks/subscriptions/{subscription_id}",
        BUSINESS | ADMIN,
        "One own subscription",
    ),
    _op(
        "webhooks.subscriptions.update",
        "PATCH",
        "/v1/webhooks/subscriptions/{subscription_id}",
        BUSINESS | ADMIN,
        "Change URL, event types, status",
    ),
    _op(
        "webhooks.subscriptions.delete",
        "DELETE",
        "/v1/webhooks/subscriptions/{subscription_id}",
        BUSINESS | ADMIN,
        "Delete a subscription",
    ),
    _op(
        "webhooks.subscriptions.rotate_secret",
        "POST",
        "/v1/webhooks/subscriptions/{subscription_id}/rotate-secret",
        BUSINESS | ADMIN,
        "New endpoint secret",
    ),
    _op(
        "webhooks.deliveries.list",
        "GET",
        "/v1/webhooks/subscriptions/{subscription_id}/deliveries",
        BUSINESS | ADMIN,
        "Delivery log of a subscription",
    ),
    _op(
        "webhooks.deliveries.search",
        "GET",
        "/v1/webhooks/deliveries",
        BUSINESS | ADMIN,
        "Own deliveries by status (dead letters)",
    ),
    _op(
        "webhooks.deliveries.read",
        "GET",
        "/v1/webhooks/deliveries/{delivery_id}",
        BUSINESS | ADMIN,
        "One delivery with its attempts",
    ),
    _op(
        "webhooks.deliveries.replay",
        "POST",
        "/v1/webhooks/deliveries/{delivery_id}/replay",
        BUSINESS | ADMIN,
        "Send a delivery again",
    ),
    _op("webhooks.allowlist.read", "GET", "/v1/admin/webhook-allowlist", ADMIN, "Webhook allow-list"),
    _op(
        "webhooks.allowlist.add", "POST", "/v1/admin/webhook-allowlist", ADMIN, "Allow a private host/network"
    ),
    _op(
        "webhooks.allowlist.remove",
        "DELETE",
        "/v1/admin/webhook-allowlist/**",
        ADMIN,
        "Remove an entry (host name or network, e.g. /10.1.0.0/16)",
    ),
    # Audit and idempotency records
    _op("audit.search", "GET", "/v1/audit", ALL, "Audit log (admins: everyone's; others: own)"),
    _op("audit.export", "GET", "/v1/audit/export", ALL, "Audit log as NDJSON (same scope as search)"),
    _op("idempotency.read", "GET", "/v1/idempotency-keys/{key}", ALL, "State of an own Idempotency-Key"),
    # Services behind the gateway
    _op(
        "customs.orders.file",
        "POST",
        "/v1/customs/{direction}/orders",
        {R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM},
        "File orders (CEB311 import, CEB303 export)",
    ),
    _op(
        "customs.quota.lookup",
        "POST",
        "/v1/customs/quota/lookups",
        INVENTORY_FILERS,
        "Quota left of a buyer one filed inventories for (ID number in the body, answer masked, audited)",
    ),
    _op(
        "customs.read",
        READ,
        "/v1/customs/**",
        CUSTOMS_FILERS,
        "Read own customs documents, filings and receipts",
    ),
    _op(
        "customs.write",
        WRITE,
        "/v1/customs/**",
        CUSTOMS_FILERS,
        "File customs documents (the declaration service checks every enterprise code is the caller's)",
    ),
    # Overseas warehouses, returns and claims (issue 11): the specific families first.
    _op(
        "logistics.warehouses.read",
        READ,
        "/v1/logistics/warehouses/**",
        BUSINESS - {R.PAYMENT_INSTITUTION, R.BANK} | {R.REGULATOR} | ADMIN,
        "The warehouse registry; monthly reports (operator and regulators)",
    ),
    _op(
        "logistics.warehouses.write",
        WRITE,
        "/v1/logistics/warehouses/**",
        {R.OVERSEAS_WAREHOUSE_OPERATOR} | ADMIN,
        "Register a warehouse, change its profile, file its monthly report",
    ),
    _op(
        "logistics.products.read",
        READ,
        "/v1/logistics/products/**",
        MERCHANTS | {R.OVERSEAS_WAREHOUSE_OPERATOR},
        "SKUs with their customs fields (own; operators: those in their warehouses)",
    ),
    _op("logistics.products.write", WRITE, "/v1/logistics/products/**", MERCHANTS, "Add and change own SKUs"),
    _op(
        "logistics.inbound",
        READ | WRITE,
        "/v1/logistics/inbound/**",
        WAREHOUSING,
        "ASNs (merchants), receiving and putaway (the warehouse's operator)",
    ),
    _op(
        "logistics.stock.read",
        READ,
        "/v1/logistics/stock/**",
        WAREHOUSING | ADMIN,
        "Stock by SKU, warehouse and lot, the movement ledger, ageing",
    ),
    _op(
        "logistics.stock.write",
        WRITE,
        "/v1/logistics/stock/**",
        {R.OVERSEAS_WAREHOUSE_OPERATOR},
        "Holds, write-offs and stock counts",
    ),
    _op(
        "logistics.outbound",
        READ | WRITE,
        "/v1/logistics/outbound/**",
        WAREHOUSING,
        "Outbound orders (merchants), pick, pack and ship (the warehouse's operator)",
    ),
    _op(
        "logistics.returns",
        READ | WRITE,
        "/v1/logistics/returns/**",
        WAREHOUSING,
        "Returns and exchanges (merchants open them, the warehouse receives and grades)",
    ),
    _op(
        "logistics.claims.read",
        READ,
        "/v1/logistics/claims/**",
        MERCHANTS | {R.LOGISTICS_FIRM, R.REGULATOR},
        "Loss and damage claims and their evidence (the claim's parties and regulators)",
    ),
    _op(
        "logistics.claims.write",
        WRITE,
        "/v1/logistics/claims/**",
        MERCHANTS | {R.LOGISTICS_FIRM},
        "Submit a claim and its evidence (merchants); review, decide and pay it (the carrier)",
    ),
    # Logistics (docs/logistics.md). Specific operations first; the general ones last.
    _op(
        "logistics.push",
        "POST",
        "/v1/logistics/push/{source}",
        LOGISTICS_REPORTERS,
        "Tracking in a carrier's native format (the service refuses events for others' legs)",
    ),
    _op(
        "logistics.events",
        "POST",
        "/v1/logistics/events",
        LOGISTICS_REPORTERS,
        "Tracking events in the platform's JSON or CSV batch",
    ),
    _op(
        "logistics.unmapped_codes",
        "GET",
        "/v1/logistics/unmapped-codes",
        ADMIN,
        "Native codes kept raw with a fallback status",
    ),
    _op(
        "logistics.subscriptions",
        frozenset({"GET", "POST", "DELETE"}),
        "/v1/logistics/subscriptions/**",
        BUSINESS,
        "Subscribe to own shipments; list, remove, test-fire",
    ),
    _op(
        "logistics.read",
        READ,
        "/v1/logistics/**",
        LOGISTICS_REPORTERS | {R.REGULATOR} | ADMIN,
        "Shipments, legs, timelines, costs (own; regulators: all)",
    ),
    _op(
        "logistics.write",
        WRITE,
        "/v1/logistics/**",
        LOGISTICS_REPORTERS | ADMIN,
        "Shipments, legs and costs (the service checks they are the caller's)",
    ),
    # Payments (docs/payments.md). Specific operations first; the two general ones last.
    _op(
        "payments.evidence_keys",
        "GET",
        "/v1/payments/evidence/keys",
        ALL,
        "The platform's public keys that verify evidence packages (JWKS; no data)",
        public=True,
    ),
    _op(
        "payments.institutions.read",
        READ,
        "/v1/payments/institutions/**",
        BUSINESS | {R.REGULATOR},
        "Banks and payment institutions and their licence data",
    ),
    _op(
        "payments.grants.write",
        WRITE,
        "/v1/payments/grants/**",
        {R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM},
        "Grant or revoke an institution's access to your transaction information",
    ),
    _op(
        "payments.thresholds.read",
        READ,
        "/v1/payments/thresholds/**",
        PAYMENT_PARTIES | {R.REGULATOR},
        "USD 200,000 counters (own; institutions: granted clients; regulators: all)",
    ),
    _op(
        "payments.reconciliation.write",
        WRITE,
        "/v1/payments/reconciliation/**",
        PAYMENT_PARTIES,
        "Run reconciliations (or dry runs), decide review items",
    ),
    _op(
        "payments.expected.write",
        WRITE,
        "/v1/payments/expected-items/**",
        PAYMENT_PARTIES,
        "Register expected receipts and payments (open receivables) for reconciliation",
    ),
    _op(
        "payments.insurance.write",
        WRITE,
        "/v1/payments/insurance/**",
        # Only the insured enterprise records policies, limits, submissions and financing.
        {R.ECOMMERCE_ENTERPRISE, R.ECOMMERCE_PLATFORM},
        "Export credit insurance: policies, shipment declarations, financing",
    ),
    _op(
        "payments.insurance.read",
        READ,
        "/v1/payments/insurance/**",
        PAYMENT_PARTIES | {R.REGULATOR},
        "Export credit insurance: policies, limits and exposure, declarations, financing "
        "(own, or granted; regulators: all)",
    ),
    _op(
        "payments.read",
        READ,
        "/v1/payments/**",
        PAYMENT_PARTIES,
        "Transactions, evidence packages, statements, balances (own, or granted)",
    ),
    _op(
        "payments.write",
        WRITE,
        "/v1/payments/**",
        {R.PAYMENT_INSTITUTION, R.BANK},
        "Institution profile and clients, transactions, settlements, statements, SAFE lists, registrations",
    ),
    _op(
        "stats.summary",
        "GET",
        "/v1/stats/summary",
        BUSINESS | {R.REGULATOR},
        "Activity summary (own; regulators: platform-wide)",
    ),
    _op(
        "stats.dashboard_page",
        "GET",
        "/v1/stats/dashboard/**",
        ALL,
        "The regulator dashboard's page and static files (no data; the page signs in for its figures)",
        public=True,
    ),
    _op("stats.read", READ, "/v1/stats/**", BUSINESS | {R.REGULATOR} | ADMIN, "Statistics and exports"),
    _op(
        "stats.write", WRITE, "/v1/stats/**", {R.REGULATOR, R.PLATFORM_ADMIN}, "Reward runs and their reviews"
    ),
)


@dataclass(frozen=True, slots=True)
class ResolvedOperation:
    """The operation a request is, with its path parameters."""

    operation: Operation
    params: dict[str, str]

    @property
    def object_id(self) -> str | None:
        """The object the request addresses (its last path parameter), for the audit log."""
        return next(reversed(self.params.values()), None) if self.params else None


def resolve_operation(method: str, path: str) -> ResolvedOperation | None:
    """The operation serving ``method path``, or None (→ 404)."""
    for operation in OPERATIONS:
        params = operation.match(method, path)
        if params is not None:
            return ResolvedOperation(operation, params)
    return None


def authorize(resolved: ResolvedOperation, caller: Caller) -> None:
    """403 unless the caller holds a role the operation allows."""
    if not resolved.operation.allows(caller.identity.roles):
        allowed = ", ".join(sorted(resolved.operation.roles))
        raise ProblemError(FORBIDDEN, f"{resolved.operation.name} needs one of the roles: {allowed}.")


def matrix_markdown() -> str:
    """The role × operation table for docs/gateway.md (✓ = allowed)."""
    roles = list(Role)
    short = {
        R.ECOMMERCE_ENTERPRISE: "ent",
        R.ECOMMERCE_PLATFORM: "plat",
        R.LOGISTICS_FIRM: "log",
        R.PAYMENT_INSTITUTION: "pay",
        R.BANK: "bank",
        R.OVERSEAS_WAREHOUSE_OPERATOR: "wh",
        R.CUSTOMS_BROKER: "broker",
        R.SUPERVISED_SITE_OPERATOR: "site",
        R.BONDED_AREA_OPERATOR: "area",
        R.REGULATOR: "reg",
        R.PLATFORM_ADMIN: "admin",
    }
    lines = [
        "| Operation | Method | Path | " + " | ".join(short[r] for r in roles) + " |",
        "|---|---|---|" + "---|" * len(roles),
    ]
    for op in OPERATIONS:
        methods = {WRITE: "POST/PUT/PATCH/DELETE", READ | WRITE: "GET/POST/PUT/PATCH/DELETE"}.get(
            op.methods, "/".join(sorted(op.methods))
        )
        cells = " | ".join("✓" if r in op.roles else "" for r in roles)
        name = f"`{op.name}` (public, no credentials)" if op.public else f"`{op.name}`"
        lines.append(f"| {name} | {methods} | `{op.template}` | {cells} |")
    return "\n".join(lines)
