"""Single-message business rules for CEB declarations.

:func:`check_message` runs every rule that needs nothing but the message
itself and returns issues whose ``pointer`` names the offending field.
Rules needing state — duplicates, the annual quota, three-document matching —
live elsewhere as pure functions the service feeds with stored data
(:mod:`~services.declaration.ceb.keys`, :mod:`~services.declaration.quota.rules`,
:mod:`~services.declaration.matching.rules`, :mod:`~services.declaration.customs.core.refunds`).
"""

from __future__ import annotations

from services.declaration.ceb.catalogue import Direction, Role
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import CebMessage
from services.declaration.prechecks.rules import common
from services.declaration.prechecks.rules.config import RuleConfig
from services.declaration.prechecks.rules.export_rules import check_export_record
from services.declaration.prechecks.rules.import_rules import check_import_record
from services.declaration.quota.rules import QuotaLimits

__all__ = ["RuleConfig", "check_message", "check_record"]


def check_message(
    message: CebMessage, config: RuleConfig | None = None, limits: QuotaLimits | None = None
) -> list[Issue]:
    """Every single-message business rule; empty list = business-valid.

    Only declarations (enterprise-sent messages) are checked; receipts and
    customs data are customs' own output and yield no issues.
    """
    config = config or RuleConfig()
    limits = limits or QuotaLimits()
    if message.spec.role is not Role.DECLARATION:
        return []
    issues = common.check_envelope(message, config)
    for index, _record in enumerate(message.records):
        issues += check_record(message, index, config, limits)
    return issues


def check_record(message: CebMessage, index: int, config: RuleConfig, limits: QuotaLimits) -> list[Issue]:
    """Rules for the record at ``index`` of ``message``."""
    spec = message.spec
    record = message.records[index]
    issues = common.check_fields(spec, index, record, config)
    issues += common.check_app_fields(spec, index, record)
    issues += common.check_gnum(spec, index, record)
    issues += common.check_lines(spec, index, record, config)
    issues += common.check_weights(index, record)
    if spec.direction is Direction.IMPORT:
        issues += check_import_record(spec, index, record, config, limits)
    else:
        issues += check_export_record(spec, index, record, config)
    return issues
