"""Typed components of a running service, and the route dependency that reads them.

What a service builds once at start-up (its configuration and reference tables, an HTTP
pool, a signer, a simulator) is registered on the runtime by its type —
``runtime.components.provide(DeclarationContext(...))`` — and read back by type, so
there is no string key to misspell and no ``# type: ignore`` at the reader:

    DeclarationContextDep = Annotated[DeclarationContext, Depends(component(DeclarationContext))]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from fastapi import Request

T = TypeVar("T")


class MissingComponent(LookupError):
    """A component was read before (or without) being provided at start-up."""


class Components:
    """A registry of one instance per type."""

    def __init__(self) -> None:
        self._items: dict[type[Any], Any] = {}

    def provide(self, instance: T, as_type: type[T] | None = None) -> T:
        """Register ``instance`` (under its own type, or ``as_type``); returns it."""
        self._items[as_type or type(instance)] = instance
        return instance

    def get(self, cls: type[T]) -> T:
        """The instance registered for ``cls``; :class:`MissingComponent` if none was."""
        try:
            return cast(T, self._items[cls])
        except KeyError:
            raise MissingComponent(f"{cls.__name__} was not provided at start-up") from None

    def find(self, cls: type[T]) -> T | None:
        """The instance registered for ``cls``, or None."""
        return cast(T | None, self._items.get(cls))

    def __contains__(self, cls: type[Any]) -> bool:
        return cls in self._items


def component(cls: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A FastAPI dependency answering the running service's ``cls`` component.

    Async on purpose: FastAPI runs a plain-function dependency in its thread pool, a
    hop per request for what is a dictionary read.
    """

    async def dependency(request: Request) -> T:
        components: Components = request.app.state.runtime.components
        return components.get(cls)

    dependency.__name__ = f"component_{cls.__name__}"
    return dependency


__all__ = ["Components", "MissingComponent", "component"]
