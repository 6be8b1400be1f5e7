"""Reading YAML/JSON documents exactly, and writing them canonically.

Two reading rules matter for reproducible money:

* decimal literals become :class:`~decimal.Decimal` from their *source text*
  (``0.8`` stays ``Decimal('0.8')``; it never passes through a binary float);
* a key repeated in one mapping is an error instead of "last one wins", since
  a silently dropped tier would change the amounts.

The canonical form is JSON with sorted keys, no insignificant whitespace,
UTF-8, numbers as canonical decimal strings and times in UTC. Its SHA-256 is
the identity recorded by a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DocumentValidationError, ValidationIssue, issues_from_pydantic
from .money import canonical_decimal

DocumentFormat = Literal["yaml", "json"]


class DocumentSyntaxError(ValueError):
    """The text is not well-formed YAML/JSON; carries one :class:`ValidationIssue`."""

    def __init__(self, issue: ValidationIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader with Decimal floats and duplicate-key detection."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    lowered = text.lower()
    if lowered in {".inf", "+.inf", "-.inf", ".nan"}:
        raise yaml.constructor.ConstructorError(
            None, None, f"non-finite number {text!r} is not allowed", node.start_mark
        )
    return Decimal(text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ExactLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name} is not allowed")


def parse_document(text: str | bytes, fmt: DocumentFormat) -> Any:
    """Parse YAML or JSON text into plain Python data with Decimal numbers.

    Raises :class:`DocumentSyntaxError` with a line/column position on bad syntax.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if fmt == "json":
        try:
            return json.loads(
                text,
                parse_float=Decimal,
                object_pairs_hook=_reject_duplicates,
                parse_constant=_reject_constant,
            )
        except json.JSONDecodeError as exc:
            raise DocumentSyntaxError(
                ValidationIssue("", f"JSON syntax error at line {exc.lineno} column {exc.colno}: {exc.msg}")
            ) from None
        except ValueError as exc:
            raise DocumentSyntaxError(ValidationIssue("", f"JSON error: {exc}")) from None
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise DocumentSyntaxError(ValidationIssue("", f"YAML error{where}: {exc.problem}")) from None
    except yaml.YAMLError as exc:
        raise DocumentSyntaxError(ValidationIssue("", f"YAML error: {exc}")) from None


def format_for_path(path: Path) -> DocumentFormat:
    """Pick the parser by file suffix: ``.json`` is JSON, ``.yaml``/``.yml`` YAML."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    raise DocumentSyntaxError(
        ValidationIssue("", f"unknown document type {suffix!r}; use .yaml, .yml or .json")
    )


_Model = TypeVar("_Model", bound=BaseModel)


class DocumentLoader(Generic[_Model]):
    """Reads one kind of input document (policy, snapshot) into its model.

    The kinds differ only in their model and error class, so the syntax, file-type
    and model errors of every kind reach the caller the same way: one ``error``
    listing every issue, naming the document's ``source``.
    """

    def __init__(self, model: type[_Model], error: type[DocumentValidationError]) -> None:
        self.model = model
        self.error = error

    def parse(self, data: Any, *, source: str | None = None) -> _Model:
        """Validate already-parsed data as the model."""
        try:
            return self.model.model_validate(data)
        except ValidationError as exc:
            raise self.error(issues_from_pydantic(exc), source=source) from None
        except self.error as exc:
            # The model's own cross-field checks raise it without knowing the source.
            raise self.error(exc.issues, source=source) from None

    def loads(self, text: str | bytes, fmt: DocumentFormat, *, source: str | None = None) -> _Model:
        """Parse YAML or JSON text, then validate it as the model."""
        try:
            data = parse_document(text, fmt)
        except DocumentSyntaxError as exc:
            raise self.error([exc.issue], source=source) from None
        return self.parse(data, source=source)

    def load(self, path: Path) -> _Model:
        """Read a .json, .yaml or .yml file, then validate it as the model."""
        try:
            fmt = format_for_path(path)
        except DocumentSyntaxError as exc:
            raise self.error([exc.issue], source=str(path)) from None
        return self.loads(path.read_bytes(), fmt, source=str(path))


def _canonical_value(value: Any) -> Any:
    # Fast paths for the shapes a snapshot is made of (exact types; subclasses take the slow path).
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if kind is list:
        return [_canonical_value(v) for v in value]
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        # Our models never hold floats; reaching here is a programming error.
        raise TypeError("floats have no canonical form here; use Decimal")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError("naive datetimes have no canonical form; use timezone-aware UTC")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return _canonical_value(value.value)
    if isinstance(value, Mapping):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_value(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def canonical_json(data: Any) -> bytes:
    """Canonical UTF-8 JSON of plain data (as produced by ``model_dump(mode='python')``)."""
    return json.dumps(
        _canonical_value(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """``sha256:<hex>`` of the bytes; the prefix names the algorithm for future agility."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
