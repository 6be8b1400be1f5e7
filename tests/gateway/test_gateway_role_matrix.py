"""The role × operation matrix: every operation refuses every role it does not list (403),
and lets through every role it lists; the table in docs/gateway.md is the matrix itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.gateway.authorization.matrix import OPERATIONS, Operation, matrix_markdown
from services.gateway.parties.roles import Role
from tests.gateway.support import Gateway, PartyKey

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gateway.md"


def _concrete(op: Operation) -> tuple[str, str]:
    method = sorted(op.methods)[0]
    path = re.sub(r"\{\w+\}", "probe-id", op.template).replace("/**", "/probe")
    return method, path


@pytest.fixture(scope="module")
async def one_party_per_role(gateway: Gateway) -> dict[Role, PartyKey]:
    return {role: await gateway.onboard(str(role)) for role in Role}


async def test_each_operation_refuses_exactly_the_roles_it_does_not_list(
    gateway: Gateway, one_party_per_role: dict[Role, PartyKey]
) -> None:
    wrong: list[str] = []
    for op in OPERATIONS:
        method, path = _concrete(op)
        for role, party in one_party_per_role.items():
            body = {} if method in ("POST", "PUT", "PATCH") else None
            response = await gateway.call(method, path, party, json_body=body)
            refused = response.status_code == 403 and response.json().get("code") == "auth.forbidden"
            if refused == (role in op.roles):
                wrong.append(f"{op.name} {role}: {response.status_code}")
    assert not wrong, wrong


async def test_regulator_cannot_reach_customs_documents(
    gateway: Gateway, one_party_per_role: dict[Role, PartyKey]
) -> None:
    response = await gateway.call("GET", "/v1/customs/orders", one_party_per_role[Role.REGULATOR])
    assert response.status_code == 403


async def test_enterprise_cannot_onboard_parties(
    gateway: Gateway, one_party_per_role: dict[Role, PartyKey]
) -> None:
    response = await gateway.call(
        "POST", "/v1/parties", one_party_per_role[Role.ECOMMERCE_ENTERPRISE], json_body={}
    )
    assert response.status_code == 403


async def test_unknown_path_is_404_only_after_authentication(gateway: Gateway) -> None:
    assert (await gateway.call("GET", "/v1/nothing-here", None)).status_code == 401
    assert (await gateway.call("GET", "/v1/nothing-here", gateway.admin)).json()["code"] == "route.not_found"


def test_docs_table_is_the_enforced_matrix() -> None:
    assert matrix_markdown() in DOCS.read_text(encoding="utf-8")
