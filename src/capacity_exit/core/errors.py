"""Typed application errors and the handlers that turn every failure into a problem."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from capacity_exit.core import cors
from capacity_exit.core.problems import FieldProblem, problem_response
from capacity_exit.core.request_id import REQUEST_ID_HEADER, current_request_id
from capacity_exit.core.security_headers import baseline

log = logging.getLogger(__name__)

# Retry-After (seconds) of a 503 that says the process is saturated for the moment.
BUSY_RETRY_AFTER = "1"


class AppError(Exception):
    """An error with its HTTP status and stable code; raised by services, rendered once."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors = errors
        self.headers = headers
        self.extra = extra


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"

    @classmethod
    def referenced(cls, field: str, what: str, value: object) -> NotFound:
        """A body field names a `what` the caller cannot see: as if addressed directly."""
        code = f"{what}_not_found"
        return cls(
            f"No {what} {value} in your jurisdictions.",
            code=code,
            errors=[FieldProblem(pointer=f"/{field}", detail="not found", code=code)],
        )


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PreconditionRequired(AppError):
    status, code, title = 428, "precondition_required", "Precondition required"


class Unprocessable(AppError):
    status, code, title = 422, "validation_error", "Invalid request"

    @classmethod
    def at(cls, pointer: str, detail: str, code: str) -> Unprocessable:
        """A 422 about one field of the body."""
        return cls(
            detail, code=code, errors=[FieldProblem(pointer=pointer, detail=detail, code=code)]
        )


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class ServiceUnavailable(AppError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


def _instance(request: Request) -> str:
    return request.url.path


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=_instance(request),
        request_id=current_request_id(),
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


_LOCATIONS = {"query", "path", "header", "cookie"}


_ABSENT = object()


def _document_path(parts: list[Any], document: Any) -> list[str]:
    """The parts of a pydantic location that are in the document, in order.

    Pydantic puts a union member's tag (`illegal`) or type name (`str`) into the
    location; such a part names no member of the document, so it is dropped, unless it
    is the last part (a missing field is named by the last part)."""
    kept, node = [], document
    for i, part in enumerate(parts):
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif node is not _ABSENT and (i < len(parts) - 1 or not isinstance(node, dict)):
            continue  # a union tag or member type, not a path step
        else:
            node = _ABSENT
        kept.append(str(part))
    return kept


def field_problem_from_pydantic(error: dict[str, Any], document: Any = _ABSENT) -> FieldProblem:
    """A problem for one pydantic error; `document` is the validated input, when known,
    so that union tags are left out of the pointer."""
    raw = list(error.get("loc", ()))
    loc = [str(part) for part in raw]
    code = str(error.get("type", "invalid"))
    message = str(error.get("msg", "Invalid value"))
    if loc and loc[0] in _LOCATIONS:
        return FieldProblem(
            parameter=loc[1] if len(loc) > 1 else None,
            location=loc[0],
            detail=message,
            code=code,
        )
    parts = raw[1:] if loc and loc[0] == "body" else raw
    names = _document_path(parts, document) if document is not _ABSENT else [str(p) for p in parts]
    if code in ("union_tag_invalid", "union_tag_not_found"):
        # The discriminator itself is what is wrong: point at it.
        names.append(str(error.get("ctx", {}).get("discriminator", "")).strip("'"))
    pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in names if p)
    return FieldProblem(pointer=pointer if pointer != "/" else "", detail=message, code=code)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [field_problem_from_pydantic(dict(e), exc.body) for e in exc.errors()]
    detail = "; ".join(f"{e.pointer or e.parameter or 'request'}: {e.detail}" for e in errors[:5])
    return problem_response(
        status=422,
        code="validation_error",
        title="Invalid request",
        detail=detail or None,
        instance=_instance(request),
        request_id=current_request_id(),
        errors=errors,
    )


_HTTP_CODES = {
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only one route's).

    Asks each route whether it fully matches the request with another method, through
    the public `BaseRoute.matches`, so it holds for nested routers too. `HEAD` is served
    wherever `GET` is (core.head), though the API's routes do not declare it.
    """
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400:
        # The framework's only 400 is a body it could not decode (e.g. not UTF-8); like
        # malformed JSON, that is an invalid request: 422.
        return problem_response(
            status=422,
            code="malformed_body",
            title="Invalid request",
            detail="The request body could not be decoded: send JSON encoded in UTF-8.",
            instance=_instance(request),
            request_id=current_request_id(),
        )
    code, title = _HTTP_CODES.get(status, ("http_error", "HTTP error"))
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail.lower() != title.lower() else None
    )
    return problem_response(
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        instance=_instance(request),
        request_id=current_request_id(),
        headers=headers or None,
    )


async def _pool_exhausted(request: Request, exc: Exception) -> Response:
    """No pooled connection came free within the pool's wait: shed the request, retryably.

    Handled here rather than as an unexpected error, so that it is neither a 500 nor
    logged with a stack trace: it says the process is saturated, not that it is broken."""
    assert isinstance(exc, PoolTimeout)
    log.warning("no database connection free for %s %s", request.method, request.url.path)
    return problem_response(
        status=503,
        code="database_busy",
        title="Service unavailable",
        detail="Every database connection is in use; retry shortly.",
        instance=_instance(request),
        request_id=current_request_id(),
        headers={"Retry-After": BUSY_RETRY_AFTER},
    )


def _last_resort_headers(request: Request, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Answers of `_unexpected_error` are sent by Starlette's outermost middleware, past
    ours: they carry the browser headers (core.security_headers), the CORS headers
    (core.cors) and the request id themselves."""
    found = {**baseline(request.app.state.settings), "Cache-Control": "no-store"}
    found.update(cors.headers_for(request.app.state.cors_origins, request.headers.get("origin")))
    if (request_id := _last_resort_request_id(request)) is not None:
        found[REQUEST_ID_HEADER] = request_id
    return {**found, **(extra or {})}


def _last_resort_request_id(request: Request) -> str | None:
    found = current_request_id() or getattr(request.state, "request_id", None)
    return found if isinstance(found, str) else None


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        # A pooled connection found dead (the database restarted or failed over): the
        # pool has already replaced it and its peers, so a retry succeeds.
        log.warning("database connection lost on %s %s", request.method, request.url.path)
        return problem_response(
            status=503,
            code="database_reconnecting",
            title="Service unavailable",
            detail="The database connection was lost and has been renewed; retry.",
            instance=_instance(request),
            request_id=_last_resort_request_id(request),
            headers=_last_resort_headers(request, {"Retry-After": "1"}),
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="The server could not complete the request; it has been logged.",
        instance=_instance(request),
        request_id=_last_resort_request_id(request),
        headers=_last_resort_headers(request),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeout, _pool_exhausted)
    app.add_exception_handler(Exception, _unexpected_error)
