"""Typed runtime components: provided once at start-up, read by type."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.kit.context import Components, MissingComponent


@dataclass
class Pool:
    size: int


def test_a_component_is_read_back_by_its_type() -> None:
    components = Components()
    pool = components.provide(Pool(3))
    assert components.get(Pool) is pool


def test_reading_a_component_never_provided_says_which() -> None:
    with pytest.raises(MissingComponent, match="Pool"):
        Components().get(Pool)
