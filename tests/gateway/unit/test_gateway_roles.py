"""Party roles and the enterprise-code kinds each may claim."""

from __future__ import annotations

import pytest

from services.gateway.parties.roles import (
    ENTERPRISE_CODE_KINDS_BY_ROLE,
    FILER_ROLES,
    EnterpriseCodeKind,
    Role,
    allowed_code_kinds,
    may_claim,
    roles_for_code_kind,
)


def test_the_eleven_roles() -> None:
    assert {r.value for r in Role} == {
        "ecommerce_enterprise",
        "ecommerce_platform",
        "logistics_firm",
        "payment_institution",
        "bank",
        "overseas_warehouse_operator",
        "customs_broker",
        "supervised_site_operator",
        "bonded_area_operator",
        "regulator",
        "platform_admin",
    }
    assert set(ENTERPRISE_CODE_KINDS_BY_ROLE) == set(Role)


def test_kinds_are_customs_element_names_and_exclude_document_numbers() -> None:
    assert EnterpriseCodeKind("ebpCode") is EnterpriseCodeKind.EBP
    with pytest.raises(ValueError):
        EnterpriseCodeKind("coElNo")  # an enterprise's own document number, not an enterprise code


def test_every_kind_is_claimable_by_someone() -> None:
    for kind in EnterpriseCodeKind:
        assert roles_for_code_kind(kind), kind


def test_key_assignments() -> None:
    assert roles_for_code_kind("ebpCode") == {Role.ECOMMERCE_PLATFORM}
    assert roles_for_code_kind("ebcCode") == {Role.ECOMMERCE_ENTERPRISE}
    assert roles_for_code_kind("payCode") == {Role.PAYMENT_INSTITUTION, Role.BANK}
    assert roles_for_code_kind("logisticsCode") == {Role.LOGISTICS_FIRM}
    assert Role.PAYMENT_INSTITUTION not in roles_for_code_kind("assureCode")


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.PLATFORM_ADMIN, Role.OVERSEAS_WAREHOUSE_OPERATOR])
def test_roles_without_customs_codes(role) -> None:
    assert allowed_code_kinds([role]) == frozenset()


def test_multiple_roles_union_and_strings_accepted() -> None:
    kinds = allowed_code_kinds(["ecommerce_platform", Role.ECOMMERCE_ENTERPRISE])
    assert {EnterpriseCodeKind.EBP, EnterpriseCodeKind.EBC} <= kinds
    assert may_claim(["logistics_firm"], "operatorCode")
    assert not may_claim(["bank"], "ebcCode")
    assert may_claim(["customs_broker"], "agentCode") and not may_claim(["customs_broker"], "ebcCode")
    with pytest.raises(ValueError):
        allowed_code_kinds(["customs_agent"])


def test_every_role_that_claims_codes_files_customs_messages() -> None:
    # A filer role is what a delegation may be given to: every role with a transmitting code.
    assert FILER_ROLES == {r for r, kinds in ENTERPRISE_CODE_KINDS_BY_ROLE.items() if kinds}
