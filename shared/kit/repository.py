"""The repository base: every SQL statement of a domain module lives in a subclass.

A repository is built from the unit of work's session (``FooRepository(session)`` or
``FooRepository.from_session(session)``) and never commits: the request's (or the
consumed event's) transaction does, once, at the end. Services call repositories;
routes call services.

Services build their repositories with ``FooRepository.from_session(session)``. A fast
test can hand a service a *fake unit of work* instead of a database session
(:func:`fake_unit_of_work`): a session bound to nothing, carrying in-memory stand-ins
for the repositories, so the service's orchestration runs without a database — and any
statement that slipped past the repositories fails loudly, as the session has no bind.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Generic, Self, TypeVar, cast

from sqlalchemy import Select, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from shared.kit import sql
from shared.kit.pagination import Keyset, PageRequest, apply_page, page_of

M = TypeVar("M", bound=DeclarativeBase)
R = TypeVar("R")

#: ``session.info`` key of the stand-in repositories of a fake unit of work.
FAKE_REPOSITORIES = "ddt.kit.fake_repositories"


class Repository:
    """Queries over one session; subclasses add the module's own."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> Self:
        """The repository of ``session``'s unit of work (a fake unit of work's stand-in, if it has one)."""
        fakes = session.info.get(FAKE_REPOSITORIES)
        if fakes:
            fake = fakes.get(cls)
            if fake is not None:
                return cast(Self, fake)
        return cls(session)

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return sql.dialect_of(self.session)

    async def insert_ignore(
        self, table: Table, rows: sql.Rows, *, conflict: Sequence[str] | None = None
    ) -> int:
        """Insert the rows that are new; how many were (see :func:`shared.kit.sql.insert_ignore`)."""
        return await sql.insert_ignore(self.session, table, rows, conflict=conflict)

    async def upsert(
        self,
        table: Table,
        rows: sql.Rows,
        key: Sequence[str],
        *,
        replace: Collection[str] | None = None,
        add: Collection[str] = (),
        set_: sql.SetBuilder | None = None,
        where: sql.WhereBuilder | None = None,
    ) -> None:
        """Insert or update on ``key`` (see :func:`shared.kit.sql.upsert`)."""
        await sql.upsert(self.session, table, rows, key, replace=replace, add=add, set_=set_, where=where)

    async def page(
        self,
        stmt: Select[Any],
        keyset: Keyset,
        request: PageRequest,
        key: Callable[[Any], Sequence[Any]],
        *,
        scalars: bool = True,
    ) -> tuple[list[Any], str | None]:
        """One page of ``stmt`` in ``keyset`` order, and the cursor of the next page.

        ``key`` gives an item's keyset values (e.g. ``lambda row: (row.created_at, row.id)``).
        With ``scalars`` the items are the first column of each row (ORM objects).
        """
        result = await self.session.execute(apply_page(stmt, keyset, request))
        rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
        return page_of(rows, request, keyset, key)


class ModelRepository(Repository, Generic[M]):
    """A repository centred on one mapped class, with the lookups every module needs."""

    model: type[M]

    async def get(self, *key: Any) -> M | None:
        """The row with this primary key, or None."""
        return await self.session.get(self.model, key[0] if len(key) == 1 else key)

    def add(self, obj: M) -> M:
        """Stage a new row (written at the next flush or at commit)."""
        self.session.add(obj)
        return obj

    async def flush(self) -> None:
        """Write staged rows now (ids, constraint errors) without committing."""
        await self.session.flush()


def fake_unit_of_work(*fakes: Repository) -> AsyncSession:
    """A unit of work for fast tests: no database, these repositories instead of the real ones.

    Each fake is registered under every :class:`Repository` class it derives from (a
    ``FakeQuotaRepository(QuotaRepository)`` answers ``QuotaRepository.from_session``).
    The session has no bind: a statement run on it directly raises at once.
    """
    session = AsyncSession()
    registry: dict[type[Repository], Repository] = {}
    for fake in fakes:
        for cls in type(fake).__mro__:
            if (
                isinstance(cls, type)
                and issubclass(cls, Repository)
                and cls not in (Repository, ModelRepository)
            ):
                registry.setdefault(cls, fake)
    session.info[FAKE_REPOSITORIES] = registry
    for fake in fakes:
        fake.session = session
    return session


__all__ = ["FAKE_REPOSITORIES", "ModelRepository", "Repository", "fake_unit_of_work"]
