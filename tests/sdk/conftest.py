"""Helpers that read docs/signing.md, so the tests hold the doc to the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SIGNING_DOC = Path(__file__).resolve().parents[2] / "docs" / "signing.md"


class SigningDoc:
    """Pulls marked examples and tables out of docs/signing.md."""

    def __init__(self, text: str) -> None:
        self.text = text

    def block(self, marker: str) -> str:
        """Content of the fenced block (or inline code) right after ``<!-- marker -->``."""
        match = re.search(
            rf"<!-- {re.escape(marker)} -->\n(?:```[a-z]*\n(?P<fenced>.*?)\n```|`(?P<inline>[^`]+)`)",
            self.text,
            re.DOTALL,
        )
        assert match, f"marker {marker!r} not found in {SIGNING_DOC}"
        return match.group("fenced") if match.group("fenced") is not None else match.group("inline")

    def table(self, heading: str) -> list[tuple[str, str]]:
        """Two-column rows of the table that follows the line ``heading``; (empty) → ""."""
        start = self.text.index(heading)
        rows: list[tuple[str, str]] = []
        for line in self.text[start:].splitlines()[1:]:
            if not line.strip():
                if rows:
                    break
                continue
            if not line.startswith("|"):
                if rows:
                    break
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set(cells[0]) <= {"-"} or cells[0].startswith(("Path as", "Query as")):
                continue
            rows.append(tuple(_cell(c) for c in cells[:2]))  # type: ignore[arg-type]
        return rows

    def input_value(self, name: str) -> str:
        """Value of a row in the worked-example inputs table."""
        section = self.text[self.text.index("## 5. Worked example") :]
        match = re.search(rf"^\| {re.escape(name)} \| `([^`]*)`", section, re.MULTILINE)
        assert match, f"input {name!r} not found"
        return match.group(1)


def _cell(cell: str) -> str:
    if cell == "(empty)":
        return ""
    assert cell.startswith("`") and cell.endswith("`"), cell
    return cell[1:-1]


@pytest.fixture(scope="session")
def signing_doc() -> SigningDoc:
    return SigningDoc(SIGNING_DOC.read_text(encoding="utf-8"))
