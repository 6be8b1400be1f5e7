"""Reward policies as data: upload (YAML or JSON), validate, store, select.

A policy is stored under the SHA-256 of its canonical form, so uploading the same
rules twice (whatever the formatting) is one policy, and a run names exactly the
rules it used. ``policy_id`` may have several versions; selecting by id takes the
latest upload. The shipped example policy is stored at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.rewards import EXAMPLE_POLICY_PATH, Policy, RewardsError, loads_policy
from services.stats.rewards.runs.models import RewardPolicy
from services.stats.rewards.runs.problems import problem_from
from services.stats.rewards.runs.repository import PolicyRepository
from shared.problems import NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


@dataclass(frozen=True)
class StoredPolicy:
    """A validated policy and its stored row."""

    policy: Policy
    row: RewardPolicy


def parse(text: str, fmt: str) -> Policy:
    """Validate policy text; a 422 problem listing every issue with its path."""
    try:
        return loads_policy(text, "json" if fmt == "json" else "yaml", source="upload")
    except RewardsError as exc:
        raise problem_from(exc) from None


async def store(session: AsyncSession, text: str, fmt: str, actor: str) -> tuple[RewardPolicy, bool]:
    """Validate and keep a policy; (row, created)."""
    policy = parse(text, fmt)
    sha = policy.sha256()
    policies = PolicyRepository.from_session(session)
    created = await policies.add(
        {
            "sha256": sha,
            "policy_id": policy.policy_id,
            "year": policy.year,
            "status": policy.status.value,
            "title": policy.title[:400],
            "source_format": fmt,
            "source_text": text,
            "canonical_json": policy.canonical_json().decode(),
            "uploaded_by": actor,
            "uploaded_at": utcnow(),
        },
    )
    row = await policies.get(sha)
    assert row is not None
    return row, created


async def seed_example(session: AsyncSession) -> None:
    """Store the shipped example policy (idempotent)."""
    await store(session, EXAMPLE_POLICY_PATH.read_text("utf-8"), "yaml", "system")


async def resolve(session: AsyncSession, ref: str) -> StoredPolicy:
    """A policy by ``sha256:…`` or by ``policy_id`` (latest upload)."""
    policies = PolicyRepository.from_session(session)
    row = await (policies.get(ref) if ref.startswith("sha256:") else policies.latest(ref))
    if row is None:
        raise ProblemError(NOT_FOUND, f"No reward policy {ref!r}.")
    return StoredPolicy(loads_policy(row.canonical_json, "json"), row)


async def listing(session: AsyncSession) -> list[RewardPolicy]:
    """Every stored policy, newest first."""
    return await PolicyRepository.from_session(session).listing()


def describe(row: RewardPolicy, *, with_text: bool = False) -> dict[str, object]:
    """JSON view of a stored policy."""
    out: dict[str, object] = {
        "sha256": row.sha256,
        "policyId": row.policy_id,
        "year": row.year,
        "status": row.status,
        "title": row.title,
        "format": row.source_format,
        "uploadedBy": row.uploaded_by,
        "uploadedAt": row.uploaded_at.isoformat(),
    }
    if with_text:
        out["source"] = row.source_text
    return out
