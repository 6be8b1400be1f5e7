"""Who may file a document: every enterprise code in it must be the caller's.

The rule (issue 4, "Who may file"): each enterprise code a record carries —
``ebpCode``, ``ebcCode``, ``payCode``, ``logisticsCode``, ``agentCode``,
``declAgentCode``, ``ownerCode``, ``assureCode``, ``areaCode``, ``iacCode``,
``operatorCode``, and ``copCode`` of ``BaseTransfer`` ("需要与接入客户端的企业身份一致")
— must be registered to the calling party for that kind of code
(:meth:`shared.identity.Identity.owns_code`). Otherwise the whole message is refused
with 403 naming every offending field: authorisation is not a per-record business
verdict, and a message naming someone else's codes was not the caller's to send.

Two configurable openings (docs/declaration.md):

* *delegable* fields — a platform files orders for its merchants: the merchant's
  ``ebcCode`` passes when the directory says it belongs to a party listed in the
  caller's ``on_behalf_of`` (default: ``ebcCode`` of CEB311/CEB303 only);
* *exempt* fields — deployments whose registry gives each party only its own codes
  can list the code fields that merely name a counterparty (e.g. the payment firm's
  CEB411 ``ebpCode``); none by default.

Two profiles set both tables at once: ``strict`` (the default: every code must be the
caller's, only orders' ``ebcCode`` delegable) and ``by_sender`` (:data:`BY_SENDER_EXEMPT`
and :data:`BY_SENDER_DELEGABLE`: a code must be the caller's when it names the party
the spec says sends the message, may be a principal's when the sender acts for it,
and is only a reference otherwise). Explicit tables in the settings extend a profile.

**Either sender** (:data:`EITHER_SENDER`): some messages may come from one of two parties.
The CEB507 arrival is the logistics firm's message (the XSD names it
"物流运抵地数据报文（物流企业）") but the supervised site's operator may file it too, so a
record passes when the caller holds its ``logisticsCode`` *or* its ``operatorCode``; the
other code then names a counterparty (a carrier reporting arrival at a site another company
runs). When the caller holds neither, both are reported.

``无`` (an export ``ebpCode`` for a platform without a customs registration, per the
202205 revision notes) names no enterprise and is not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.model import CebMessage
from services.declaration.directory.service import parties_of
from shared.identity import Identity
from shared.problems import ProblemError, problem_type

CODE_FIELDS = (
    "ebpCode",
    "ebcCode",
    "payCode",
    "logisticsCode",
    "agentCode",
    "declAgentCode",
    "ownerCode",
    "assureCode",
    "areaCode",
    "iacCode",
    "operatorCode",
)
NO_ENTERPRISE = "无"

#: ``by_sender``: code fields naming a counterparty, per message (who sends what:
#: customs-domain.md §1.2/§1.3 — the platform names the payment firm, the payment firm
#: names the platform, the declaring agent names platform, carrier and warehouse …).
BY_SENDER_EXEMPT: dict[str, frozenset[str]] = {
    "CEB311": frozenset({"payCode"}),
    "CEB411": frozenset({"ebpCode"}),
    "CEB621": frozenset({"ebpCode", "logisticsCode", "areaCode", "assureCode"}),
    "CEB623": frozenset({"ebpCode", "logisticsCode"}),
    "CEB625": frozenset({"ebpCode", "logisticsCode"}),
    "CEB711": frozenset({"logisticsCode"}),
    "CEB403": frozenset({"ebpCode"}),
    "CEB505": frozenset({"ebcCode"}),
    "CEB509": frozenset(),
    "CEB603": frozenset({"ebpCode", "logisticsCode", "ownerCode", "iacCode"}),
    "CEB607": frozenset({"logisticsCode"}),
    "CEB213": frozenset({"ebpCode", "logisticsCode"}),
    "CEB215": frozenset({"logisticsCode"}),
    "CEB701": frozenset({"declAgentCode"}),
}
#: Messages either of two parties may send, per message type: the fields naming them. A record
#: passes these fields when the caller holds any one of them (in every profile).
EITHER_SENDER: dict[str, tuple[str, ...]] = {
    "CEB507": ("logisticsCode", "operatorCode"),
}
#: ``by_sender``: the e-commerce enterprise's code where a platform or agent files for it.
BY_SENDER_DELEGABLE: dict[str, frozenset[str]] = {
    code: frozenset({"ebcCode"})
    for code in (
        "CEB311",
        "CEB303",
        "CEB403",
        "CEB621",
        "CEB623",
        "CEB625",
        "CEB603",
        "CEB605",
        "CEB213",
        "CEB701",
    )
}
STRICT_DELEGABLE: dict[str, frozenset[str]] = {
    "CEB311": frozenset({"ebcCode"}),
    "CEB303": frozenset({"ebcCode"}),
}

CODE_NOT_REGISTERED = problem_type(
    "declaration.code_not_registered",
    403,
    "Enterprise code not registered to the caller",
    "Every enterprise code in a document must be registered to the calling party (or, where "
    "allowed, to a party it files for).",
)


@dataclass(frozen=True)
class OwnershipPolicy:
    """Which code fields may name others: per message type, field names."""

    exempt: Mapping[str, frozenset[str]] = field(default_factory=dict)
    delegable: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, profile: str, exempt: Mapping[str, list[str]], delegable: Mapping[str, list[str]]
    ) -> OwnershipPolicy:
        """A profile's tables, extended by the settings' explicit JSON mappings."""
        base_exempt = BY_SENDER_EXEMPT if profile == "by_sender" else {}
        base_delegable = BY_SENDER_DELEGABLE if profile == "by_sender" else STRICT_DELEGABLE
        return cls(exempt=_merged(base_exempt, exempt), delegable=_merged(base_delegable, delegable))


def _merged(base: Mapping[str, frozenset[str]], extra: Mapping[str, list[str]]) -> dict[str, frozenset[str]]:
    merged = dict(base)
    for message_type, fields in extra.items():
        code = message_type.removesuffix("Message")
        merged[code] = merged.get(code, frozenset()) | frozenset(fields)
    return merged


@dataclass(frozen=True, slots=True)
class CodeUse:
    """One enterprise code the caller does not own."""

    pointer: str
    field: str
    code: str
    delegable: bool


def foreign_codes(message: CebMessage, identity: Identity, policy: OwnershipPolicy) -> list[CodeUse]:
    """Codes in ``message`` the caller does not own, minus the exempt fields (pure)."""
    exempt = policy.exempt.get(message.message_type, frozenset())
    delegable = policy.delegable.get(message.message_type, frozenset())
    either = EITHER_SENDER.get(message.message_type, ())
    found: list[CodeUse] = []
    for index, record in enumerate(message.records):
        sender_held = any(
            isinstance(record.head.get(name), str)
            and identity.owns_code(str(record.head[name]).strip(), name)
            for name in either
        )
        for name in CODE_FIELDS:
            value = record.head.get(name)
            if (
                not isinstance(value, str)
                or not value.strip()
                or value.strip() == NO_ENTERPRISE
                or name in exempt
                or (sender_held and name in either)
            ):
                continue
            if not identity.owns_code(value.strip(), name):
                found.append(CodeUse(f"/records/{index}/head/{name}", name, value.strip(), name in delegable))
    cop_code = (message.base_transfer or {}).get("copCode")
    if isinstance(cop_code, str) and cop_code.strip() and not identity.owns_code(cop_code.strip(), "copCode"):
        found.append(CodeUse("/baseTransfer/copCode", "copCode", cop_code.strip(), False))
    return found


def refusal_detail(use: CodeUse, identity: Identity) -> str:
    """Why ``use`` is refused and what to do, in the terms of the caller's registry entry (pure).

    A code the caller holds under other kinds is the common case (a self-operated seller
    whose code is registered as ``ebcCode`` only, filing an order that names it as
    ``ebpCode``): saying "not registered to the calling party" about the caller's own code
    misleads, so the answer names the kinds it is held as and the registry route that adds one.
    """
    held = sorted({kind for c in identity.codes if c.code == use.code for kind in c.kinds})
    if held:
        return (
            f"{use.field} {use.code} is registered to the calling party as {', '.join(held)}, "
            f"not as {use.field}: a platform administrator adds the kind with "
            f"PUT /v1/parties/{identity.party_id}/codes/{use.code} (the party's roles must allow "
            f'{use.field}; docs/gateway.md "Enterprise codes")'
        )
    detail = f"{use.field} {use.code} is not registered to the calling party"
    if use.delegable:
        return (
            detail + " and its owner has not authorised the caller for this message type (on_behalf_of): "
            "the owner's delegation is registered with POST /v1/parties/{caller}/delegations "
            '(docs/gateway.md "Delegations")'
        ).replace("{caller}", identity.party_id)
    return detail + f": if it is the caller's, register it (POST /v1/parties/{identity.party_id}/codes)"


async def check_ownership(
    session: AsyncSession, message: CebMessage, identity: Identity, policy: OwnershipPolicy
) -> None:
    """Raise 403 naming every field whose code is neither the caller's nor filed for by delegation."""
    foreign = foreign_codes(message, identity, policy)
    if not foreign:
        return
    delegated = [use for use in foreign if use.delegable]
    owners = (
        await parties_of(session, (use.code for use in delegated))
        if delegated and identity.on_behalf_of
        else {}
    )
    refused = [
        use
        for use in foreign
        if not (use.delegable and identity.may_file_for(owners.get(use.code), message.message_type))
    ]
    if not refused:
        return
    errors = [
        {"pointer": use.pointer, "field": use.field, "detail": refusal_detail(use, identity)}
        for use in refused
    ]
    fields = sorted({use.field for use in refused})
    raise ProblemError(
        CODE_NOT_REGISTERED,
        f"{len(refused)} enterprise code(s) are not registered to the caller: {', '.join(fields)}.",
        errors=errors,
    )
