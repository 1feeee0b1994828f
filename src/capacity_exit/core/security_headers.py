"""Headers a browser needs, on every answer (issue 14, item 8).

* `X-Content-Type-Options: nosniff`, so that no answer is read as another type;
* `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; …` unless the
  route sets its own (the docs pages, `core.docs`): a notice's HTML document loads
  nothing and runs nothing, and no answer may be framed;
* `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`;
* `Referrer-Policy: no-referrer`: a link followed from a notice or the docs tells the
  next site nothing of the URL it came from (filters, ids);
* `Strict-Transport-Security: max-age=N` when `CAPEXIT_HSTS_SECONDS` is set;
* `Cache-Control: no-store` on answers to requests that carry `Authorization`: what a
  principal reads is theirs, and no shared or browser cache keeps it. Public answers
  keep their own caching headers (ETags, `Cache-Control`).

A pure ASGI middleware (as body_limit and request_id are): no BaseHTTPMiddleware, whose
per-request task and body streaming would cost the public list (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Loads nothing, runs nothing, framed by no one: an API answer or a notice's document.
DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_CACHE_CONTROL = b"cache-control"
_NO_STORE = (_CACHE_CONTROL, b"no-store")


class HeaderSettings(Protocol):
    """What the headers read of the settings (`config.Settings` has it)."""

    @property
    def hsts_seconds(self) -> int: ...


def baseline(settings: HeaderSettings) -> dict[str, str]:
    """The headers every answer carries unless its route set them."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOCUMENT_CSP,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
    if settings.hsts_seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}"
    return headers


def _authenticated(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: HeaderSettings) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in baseline(settings).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _authenticated(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.headers if h[0] not in present]
                if private:
                    headers = [h for h in headers if h[0].lower() != _CACHE_CONTROL]
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
