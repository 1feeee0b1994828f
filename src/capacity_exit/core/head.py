"""`HEAD` wherever `GET` is served (RFC 9110, 9.3.2): the GET's status and headers, no body.

FastAPI's routes serve only the methods they declare, so `HEAD` on a GET route was a 405.
Declaring `HEAD` on every route would put a second operation for each GET into the
OpenAPI contract; instead this middleware routes a `HEAD` as the `GET` of the same
target (its dependencies, preconditions and errors included) and drops the body. A path
without a GET answers the GET's 405, whose `Allow` (core.errors) names `HEAD` only where
`GET` is served.

The headers are the GET's, `Content-Length` and `Content-Encoding` included (this sits
outside the gzip middleware, main). The body is never sent: the answer is complete at
its first body message, so a server stops a streamed answer's producer instead of
running it to the end. Pure ASGI (like the other middleware).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_MESSAGES = frozenset({"http.response.body", "http.response.pathsend"})
_ROUTING_KEYS = ("route", "endpoint", "path_params", "fastapi")
_END: Message = {"type": "http.response.body", "body": b"", "more_body": False}


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        ended = False

        async def send_headers_only(message: Message) -> None:
            nonlocal ended
            if message["type"] in _BODY_MESSAGES:
                if not ended:
                    ended = True
                    await send(_END)
                return
            if not ended:
                await send(message)

        # A copy: the server's own scope keeps `HEAD`, so it sends no body either.
        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, send_headers_only)
        finally:
            # What routing found is the HEAD's too: the log line and the metrics, outside
            # this middleware, name the route that answered.
            for key in _ROUTING_KEYS:
                if key in inner:
                    scope[key] = inner[key]
