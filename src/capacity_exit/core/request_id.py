"""Request ids: taken from a valid `X-Request-ID`, else generated; echoed and logged.

The same middleware writes the request's access line (`capacity_exit.access`): method,
route template, path, status, duration and the principal's subject. Each request starts
as the anonymous actor, so it never inherits the serving process's own (`system:cli:…`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capacity_exit.core.actor import ANONYMOUS, act_as, current_actor, restore_actor

REQUEST_ID_HEADER = "x-request-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("capacity_exit.access")


def current_request_id() -> str | None:
    return _current.get()


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            return text if _VALID.match(text) else None
    return None


def route_template(scope: Scope) -> str | None:
    """The path template of the route that answered (`/api/v1/cases/{case_id}`); none
    when no route matched (a 404, a refused host).

    FastAPI (0.16x) no longer copies the routes of an included router: `scope["route"]`
    is the router's own, without the prefix, and the full template is on the inclusion's
    context it leaves in the scope. tests/core/test_logs.py notices if that moves."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    for source in (context, scope.get("route")):
        template = getattr(source, "path_format", None)
        if isinstance(template, str) and template:
            return template
    # Starlette's plain routes (the docs, the contract) leave no route in the scope, only
    # the endpoint; without path parameters their path is their template.
    if scope.get("endpoint") is not None and not scope.get("path_params"):
        path = scope.get("path")
        return path if isinstance(path, str) else None
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or uuid.uuid4().hex
        token = _current.set(request_id)
        actor_token = act_as(ANONYMOUS)
        # For answers sent past this middleware (Starlette's last-resort 500), which no
        # longer see the context variable: they read it from the request's state.
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Path only: query strings may carry personal data or (refused) tokens.
            method, path = scope.get("method"), scope.get("path")
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            subject = current_actor().subject
            access_log.info(
                "%s %s %s %.1fms %s",
                method,
                path,
                status,
                duration_ms,
                subject,
                extra={
                    "request_id": request_id,
                    "subject": subject,
                    "method": method,
                    "route": route_template(scope),
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            restore_actor(actor_token)
            _current.reset(token)
