"""The OpenAPI document: every error is documented as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi._compat import get_definitions, get_flat_models_from_fields, get_model_name_map
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import get_fields_from_routes, get_openapi

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


def _document_security(operation: dict[str, Any]) -> None:
    """FastAPI lists the Bearer scheme on exactly the operations whose dependencies ask
    for it (`auth.dependencies.current_principal`); every other one says `security: []`,
    so a reader (and Redocly's `security-defined`) knows it is public, not forgotten."""
    operation.setdefault("security", [])


def _access_line(policy: dict[str, Any], path: str) -> str:
    """The `x-access` policy in words, for the end of the operation's description."""
    if policy.get("public"):
        line = "public, no token needed"
        if path.startswith(API_PREFIX):
            line += "; rate-limited per client address (429 with `Retry-After`)"
        return line
    roles = [f"`{role}`" for role in policy.get("roles", [])]
    named = f"the role {roles[0]}" if len(roles) == 1 else "one of the roles " + ", ".join(roles)
    line = f"a token with {named}"
    scope = policy.get("scope")
    if scope == "administration":
        line += ", in a department of the administering level (`CAPEXIT_ADMINISTRATION_LEVEL`)"
    elif scope == "jurisdiction":
        line += "; objects outside the caller's jurisdictions are 404"
    return line


def _describe_access(operation: dict[str, Any], path: str) -> None:
    """Ends every description with who may call the operation, read off its declared
    policy (`x-access`), which the route's dependencies enforce."""
    line = f"**Access:** {_access_line(operation.get('x-access', {}), path)}."
    description = operation.get("description", "").rstrip()
    operation["description"] = f"{description}\n\n{line}" if description else line


def _model_schemas(app: FastAPI) -> dict[str, Any]:
    """The components as the models give them, before FastAPI writes the document (as
    `get_openapi` computes them)."""
    fields = get_fields_from_routes(list(app.routes))
    models = get_flat_models_from_fields(fields, known_models=set())
    _, definitions = get_definitions(fields=fields, model_name_map=get_model_name_map(models))
    return definitions


_SCHEMA_NAME_MAPS = ("properties", "patternProperties", "$defs")


def _restore_examples(written: Any, given: Any, names: bool = False) -> None:
    """Put back the examples as `given` has them: FastAPI writes the document with
    `exclude_none`, which also drops every `null` inside an example
    (`"overdue_since": null`), and the example no longer validates."""
    if isinstance(written, list) and isinstance(given, list):
        for w, g in zip(written, given, strict=False):
            _restore_examples(w, g)
    if not (isinstance(written, dict) and isinstance(given, dict)):
        return
    for key, value in given.items():
        if key in ("examples", "example") and not names:
            written[key] = jsonable_encoder(value)
        elif key in written:
            _restore_examples(written[key], value, names=not names and key in _SCHEMA_NAME_MAPS)


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
        tags=app.openapi_tags,
        servers=app.servers,
        contact=app.contact,
        license_info=app.license_info,
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    _restore_examples(components, _model_schemas(app), names=True)
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components.update(_problem_components())
    for path, path_item in document.get("paths", {}).items():
        for operation in path_item.values():
            _document_access(operation, path)
            _document_security(operation)
            _describe_access(operation, path)
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
