"""gzip for large answers (Starlette's `GZipMiddleware`), with one `Vary` a cache can use.

gzip compresses only answers of `minimum_size` bytes or more and says
`Vary: Accept-Encoding` only on those, so a representation's 200 and its 304 (which has
no body) would disagree, while RFC 9110 (15.4.5) wants the 304 to repeat the 200's
`Vary`. Here every answer that carries an `ETag` says `Vary: Accept-Encoding`,
compressed or not and 304s alike, and the `Vary` values come out once each (Starlette
appends without looking).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCEPT_ENCODING = "Accept-Encoding"


def merged_vary(values: list[str], *, add: str | None = None) -> str:
    """The `Vary` field values, each once (case-insensitively), `add` appended if absent;
    `*` stays alone."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if "*" in names:
        return "*"
    if add is not None:
        names.append(add)
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append(name)
    return ", ".join(kept)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, minimum_size: int, compresslevel: int) -> None:
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.gzip(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cacheable = "etag" in headers
                if cacheable or len(headers.getlist("vary")) > 1:
                    vary = merged_vary(
                        headers.getlist("vary"), add=ACCEPT_ENCODING if cacheable else None
                    )
                    del headers["vary"]
                    headers["vary"] = vary
            await send(message)

        await self.gzip(scope, receive, send_with_vary)
