"""OpenAPI declarations of the answers a route gives besides its response model.

Every route declares its success model (``response_model``) or, for a raw answer (XML,
CSV, XLSX, HTML), the media types and an example with :func:`raw_response`; the
problem+json answers it can give are declared with :func:`problems`. The merged OpenAPI
then documents every answer a client can meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.problems import PROBLEM_MEDIA_TYPE


class FieldError(BaseModel):
    """One invalid field of a request."""

    model_config = ConfigDict(extra="allow")

    pointer: str | None = Field(
        None,
        description="JSON pointer (RFC 6901) to the field, e.g. `/body/orderNo`; absent when the "
        "error is not one field's (an XML message in no CEB namespace, say)",
    )
    detail: str
    type: str | None = None
    code: str | None = Field(
        None, description="The customs-style error code, e.g. `DDT-X06`, where there is one"
    )


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error answer of the platform."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Relative URI of the problem's documentation, `/problems/<code>`")
    title: str
    status: int
    code: str = Field(description="Stable machine-readable code to branch on")
    detail: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Not authenticated (or the gateway's identity is missing or invalid)",
    403: "Authenticated, but not allowed",
    404: "No such resource (or not yours)",
    405: "Method not allowed on this path",
    406: "None of the accepted media types can be produced",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported content type",
    422: "Failed validation",
    429: "Rate limited",
    503: "Temporarily unavailable; retry after `Retry-After`",
}

#: What every authenticated operation can answer.
COMMON_PROBLEMS = (401, 403, 422)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries: these statuses answer a :class:`ProblemDetails` as problem+json."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Problem"),
            "model": ProblemDetails,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
        }
        for status in statuses
    }


def raw_response(
    media_types: Mapping[str, Any],
    description: str = "Success",
    status: int = 200,
    *,
    schemas: Mapping[str, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entry for a raw answer: ``{media type: example or None}``.

    Use with ``response_class=Response`` (or a subclass) so FastAPI does not also
    document a JSON schema. ``schemas`` gives a media type a schema of its own (e.g. a
    ``$ref`` to the model each NDJSON line is) instead of "a string".
    """
    content: dict[str, Any] = {}
    for media_type, example in media_types.items():
        entry: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
        if media_type.endswith("json") or media_type.endswith("xml") or media_type.startswith("text/"):
            entry["schema"] = {"type": "string"}
        if schemas and media_type in schemas:
            entry["schema"] = schemas[media_type]
        if example is not None:
            entry["example"] = example
        content[media_type] = entry
    return {status: {"description": description, "content": content}}


__all__ = ["COMMON_PROBLEMS", "FieldError", "ProblemDetails", "problems", "raw_response"]
