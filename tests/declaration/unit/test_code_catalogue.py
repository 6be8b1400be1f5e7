"""The code catalogue documents every code the declaration service emits, and the docs are its output.

The source scan reads string constants through ``ast``, so a code in a docstring or a
comment does not count, and every literal that is exactly a code does: a new code
written anywhere under services/declaration fails here until the catalogue documents it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.declaration.ceb import code_catalogue
from services.declaration.ceb.catalogue import Role, spec_for
from services.declaration.ceb.code_catalogue import (
    BY_CODE,
    CUSTOMS_CODE,
    ENTRIES,
    FAMILY_INTRO,
    FAMILY_TITLE,
    PLATFORM_CODE,
    Family,
    Scheme,
    catalogue_json,
    render_markdown,
)

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "services" / "declaration"
CODES_MODULE = SOURCE / "ceb" / "codes.py"
CATALOGUE_MODULE = SOURCE / "ceb" / "code_catalogue.py"
DOCUMENT = ROOT / "docs" / "declaration-codes.md"
#: What a code literal looks like in the source (the brief's grep, as a full match).
CODE_LITERAL = re.compile(r"DDT-[A-Z0-9]+|-[0-9]{6}|000[12]")


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _code_literals() -> dict[str, list[str]]:
    """Every string constant that is exactly a code, with the files it is written in."""
    found: dict[str, list[str]] = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CODE_LITERAL.fullmatch(node.value):
                    found.setdefault(node.value, []).append(str(path.relative_to(ROOT)))
    return found


def _codes_module_constants() -> dict[str, str]:
    """``NAME: Final = "code"`` assignments of ceb/codes.py, by name."""
    tree = ast.parse(CODES_MODULE.read_text(encoding="utf-8"))
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                constants[node.target.id] = node.value.value
    return constants


def _names_used_from_codes() -> set[str]:
    """Constants of ceb/codes.py the checks reference (``codes.NAME`` or imported by name)."""
    used: set[str] = set()
    for path, tree in _trees():
        if path in (CODES_MODULE, CATALOGUE_MODULE):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "codes":
                    used.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").endswith("ceb.codes"):
                used.update(alias.name for alias in node.names)
    return used


def test_every_code_written_in_the_declaration_source_is_documented() -> None:
    undocumented = {code: files for code, files in _code_literals().items() if code not in BY_CODE}
    assert undocumented == {}, "add these codes to services/declaration/ceb/code_catalogue.py"


def test_every_documented_code_is_written_somewhere_in_the_source() -> None:
    assert sorted(set(BY_CODE) - set(_code_literals())) == []


def test_reserved_codes_are_exactly_the_constants_no_module_uses() -> None:
    constants = _codes_module_constants()
    unused = {constants[name] for name in set(constants) - _names_used_from_codes()}
    assert {entry.code for entry in ENTRIES if entry.reserved} == unused


def test_the_generated_document_is_the_catalogue() -> None:
    regenerate = "python -m services.declaration.ceb.code_catalogue > docs/declaration-codes.md"
    assert DOCUMENT.read_text(encoding="utf-8") == render_markdown(), regenerate


def test_codes_are_unique() -> None:
    assert len(BY_CODE) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.code)
def test_a_code_has_the_shape_of_its_scheme(entry: code_catalogue.CodeEntry) -> None:
    pattern = CUSTOMS_CODE if entry.scheme is Scheme.CUSTOMS else PLATFORM_CODE
    assert pattern.fullmatch(entry.code)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.code)
def test_customs_codes_and_only_they_quote_the_spec_in_chinese(entry: code_catalogue.CodeEntry) -> None:
    text = entry.official_text
    if entry.scheme is Scheme.CUSTOMS:
        assert text and re.search(r"[\u4e00-\u9fff]", text)
    else:
        assert text is None


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.code)
def test_every_entry_says_what_it_means_and_what_to_do(entry: code_catalogue.CodeEntry) -> None:
    assert entry.meaning.strip() and entry.action.strip()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.code)
def test_the_message_types_named_are_declarations_of_the_edition(entry: code_catalogue.CodeEntry) -> None:
    roles = {t: getattr(spec_for(t), "role", None) for t in entry.message_types}
    assert all(role is Role.DECLARATION for role in roles.values()), roles


def test_the_platform_families_keep_their_numbering() -> None:
    prefixes = {
        Family.HOSTILE_XML: "DDT-X",
        Family.JSON: "DDT-J",
        Family.SINGLE_DOCUMENT: "DDT-1",
        Family.CROSS_DOCUMENT: "DDT-2",
        Family.LIMITS_AND_TAX: "DDT-3",
        Family.EXCHANGE: "DDT-E",
    }
    misplaced = [
        entry.code
        for entry in ENTRIES
        if entry.scheme is Scheme.PLATFORM and not entry.code.startswith(prefixes.get(entry.family, "-"))
    ]
    assert misplaced == []


def test_every_family_has_a_title_an_introduction_and_codes() -> None:
    assert all(FAMILY_TITLE[f] and FAMILY_INTRO[f] and any(e.family is f for e in ENTRIES) for f in Family)


def test_the_json_form_lists_every_entry_in_catalogue_order() -> None:
    assert [item["code"] for item in catalogue_json()["codes"]] == [entry.code for entry in ENTRIES]
