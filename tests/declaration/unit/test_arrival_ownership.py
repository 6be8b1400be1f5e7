"""Who may file a CEB507 arrival: the logistics firm (logisticsCode) or the site's operator (operatorCode).

The XSD names the message the logistics firm's ("物流运抵地数据报文（物流企业）"); a supervised
site's operator may file it as well. Either one's code is enough, in both profiles; a caller
holding neither is refused naming both fields.
"""

from __future__ import annotations

import pytest

from services.declaration.ceb.model import CebMessage, Record
from services.declaration.prechecks.ownership import OwnershipPolicy, foreign_codes
from tests.declaration.service.factory import party

CARRIER = "3207960004"
SITE_OPERATOR = "3207960099"


def _arrival(
    logistics_code: str = CARRIER, operator_code: str = SITE_OPERATOR, cop: str = CARRIER
) -> CebMessage:
    head = {
        "guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        "copNo": "ARR001",
        "operatorCode": operator_code,
        "operatorName": "连云港港口监管场所",
        "logisticsCode": logistics_code,
        "logisticsName": "测试物流",
        "ieFlag": "E",
    }
    return CebMessage(
        "CEB507",
        "311af125-6fed-4603-8c5d-49b1fa4b4b9b",
        "1.0",
        [Record(head, [])],
        base_transfer={"copCode": cop},
    )


POLICIES = {name: OwnershipPolicy.from_settings(name, {}, {}) for name in ("strict", "by_sender")}
CARRIER_ONLY = party("carrier-only", (CARRIER, ["logisticsCode", "copCode"]))
OPERATOR_ONLY = party("operator-only", (SITE_OPERATOR, ["operatorCode", "copCode"]))
STRANGER = party("stranger", ("3207969999", ["logisticsCode", "operatorCode", "copCode"]))


@pytest.mark.parametrize("profile", sorted(POLICIES))
def test_the_carrier_reports_arrival_at_a_site_another_company_runs(profile: str) -> None:
    assert foreign_codes(_arrival(), CARRIER_ONLY, POLICIES[profile]) == []


@pytest.mark.parametrize("profile", sorted(POLICIES))
def test_the_site_operator_reports_arrival_for_the_carrier(profile: str) -> None:
    message = _arrival(cop=SITE_OPERATOR)
    assert foreign_codes(message, OPERATOR_ONLY, POLICIES[profile]) == []


@pytest.mark.parametrize("profile", sorted(POLICIES))
def test_a_caller_holding_neither_code_is_refused_naming_both(profile: str) -> None:
    message = _arrival(cop="3207969999")
    fields = [use.field for use in foreign_codes(message, STRANGER, POLICIES[profile])]
    assert fields == ["logisticsCode", "operatorCode"]


def test_a_code_held_for_another_kind_does_not_make_the_caller_the_sender() -> None:
    # The carrier's code registered only as copCode is not its logisticsCode.
    wrong_kind = party("wrong-kind", (CARRIER, ["copCode"]))
    fields = [use.field for use in foreign_codes(_arrival(), wrong_kind, POLICIES["strict"])]
    assert fields == ["logisticsCode", "operatorCode"]


def test_either_sender_applies_per_record() -> None:
    message = _arrival()
    message.records.append(Record({**message.records[0].head, "logisticsCode": "3207968888"}, []))
    uses = foreign_codes(message, CARRIER_ONLY, POLICIES["by_sender"])
    assert [(use.pointer, use.field) for use in uses] == [
        ("/records/1/head/logisticsCode", "logisticsCode"),
        ("/records/1/head/operatorCode", "operatorCode"),
    ]
