"""RFC 9457 problem details: the body of every 4xx and 5xx answer."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:capacity-exit:problem:"


class FieldProblem(BaseModel):
    """One problem with one part of the request."""

    pointer: str | None = Field(
        default=None,
        description="JSON Pointer (RFC 6901) into the request body, for body problems.",
        examples=["/credit_code"],
    )
    parameter: str | None = Field(
        default=None, description="Name of the query, path or header parameter at fault."
    )
    location: str | None = Field(
        default=None, description="Where the parameter is: query, path or header."
    )
    detail: str
    code: str = Field(description="Stable machine-readable code of the rule that failed.")


class Problem(BaseModel):
    """Problem details (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:capacity-exit:problem:not_found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str = Field(description="Stable machine-readable code, e.g. `credit_code_checksum`.")
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


def problem_type(code: str) -> str:
    return f"{PROBLEM_TYPE_PREFIX}{code}"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "code": code,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if request_id is not None:
        body["request_id"] = request_id
    if errors:
        body["errors"] = [e.model_dump(exclude_none=True) for e in errors]
    if extra:
        body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


_STATUS_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed for the caller's roles",
    404: "Not found (or outside the caller's scope)",
    405: "Method not allowed",
    409: "Conflict with the current state",
    412: "Precondition failed: the If-Match version is stale",
    413: "Request body too large",
    422: "Invalid request",
    428: "Precondition required: send If-Match",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given statuses, all with the problem schema."""
    return {
        status: {
            "description": _STATUS_DESCRIPTIONS.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def public() -> dict[str, Any]:
    """Route keyword arguments for an operation open to anyone, without a token
    (documented as `x-access: {public: true}`; see auth.dependencies.access)."""
    return {"openapi_extra": {"x-access": {"public": True}}}
