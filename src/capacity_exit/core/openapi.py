"""The OpenAPI document: every error is documented as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE, Problem

API_PREFIX = "/api/"

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_components() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}


def _not_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` -> X. A query or header parameter is absent, never null."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(options):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest}


_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "The Bearer challenge (RFC 6750)",
        "schema": {"type": "string"},
    }
}


_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}
}


def _document_access(operation: dict[str, Any], path: str) -> None:
    """Protected operations list 401 (with its challenge) and 403; public ones no security,
    and the public API's operations their rate limit (429)."""
    policy = operation.get("x-access", {})
    responses = operation.setdefault("responses", {})
    # Every operation refuses unknown query parameters.
    responses.setdefault("422", {"description": "Invalid request"})
    if policy.get("public"):
        operation.pop("security", None)
        if path.startswith(API_PREFIX):
            responses.setdefault("429", {"description": "Too many requests"})["headers"] = (
                _RETRY_AFTER
            )
        operation["responses"] = dict(sorted(responses.items()))
        return
    responses.setdefault("401", {"description": "Not authenticated"})["headers"] = _WWW_AUTHENTICATE
    refused = "Not allowed for the caller's roles"
    if policy.get("scope") == "administration":
        refused += " or level (administered at the administering level only)"
    responses.setdefault("403", {"description": refused})
    operation["responses"] = dict(sorted(responses.items()))


_BODY_REFUSALS = {
    "413": "Request body too large (over `CAPEXIT_MAX_BODY_BYTES`, 1 MiB by default)",
    "415": "Unsupported media type: the body's `Content-Type` is not one the operation takes",
}


def document_request_rules(operation: dict[str, Any]) -> None:
    """What the server requires of a request, stated where the dependencies cannot say
    it: `If-Match` is required (core.etag: its absence is 428, checked once the resource
    is found, so the parameter stays optional to FastAPI), and a body may be refused for
    its size (core.body_limit) or media type (core.media_types)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
            parameter["required"] = True
    if "requestBody" in operation:
        responses = operation.setdefault("responses", {})
        for status, description in _BODY_REFUSALS.items():
            responses.setdefault(status, {"description": description})
        operation["responses"] = dict(sorted(responses.items()))


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components.update(_problem_components())
    for path, path_item in document.get("paths", {}).items():
        for operation in path_item.values():
            _document_access(operation, path)
            document_request_rules(operation)
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _not_nullable(parameter.get("schema", {}))
            for status, response in operation.get("responses", {}).items():
                if status.startswith(("4", "5")):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
                    if status == "422":
                        response["description"] = "Invalid request"
    return dict(sorted(document.items()))


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
