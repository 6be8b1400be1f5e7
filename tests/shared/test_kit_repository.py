"""A fake unit of work: services get in-memory stand-ins for their repositories, and no database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.kit.repository import Repository, fake_unit_of_work


class CounterRepository(Repository):
    async def count(self) -> int:
        return int(await self.session.scalar(text("SELECT 41")) or 0) + 1


class FakeCounterRepository(CounterRepository):
    def __init__(self) -> None:
        super().__init__(AsyncSession())

    async def count(self) -> int:
        return 7


async def service_count(session: AsyncSession) -> int:
    return await CounterRepository.from_session(session).count()


async def test_a_service_reads_through_the_fake_repository_of_a_fake_unit_of_work() -> None:
    assert await service_count(fake_unit_of_work(FakeCounterRepository())) == 7


async def test_a_repository_the_fake_unit_of_work_lacks_cannot_reach_a_database() -> None:
    with pytest.raises(Exception, match="bind"):
        await service_count(fake_unit_of_work())


def test_a_real_session_builds_the_real_repository() -> None:
    session = AsyncSession()
    repository = CounterRepository.from_session(session)
    assert type(repository) is CounterRepository and repository.session is session
