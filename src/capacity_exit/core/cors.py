"""Cross-origin requests from browsers (issue 16, item 5): CORS for the origins configured.

`CAPEXIT_CORS_ORIGINS` names the web origins (`https://portal.example.gov.cn`) whose
pages may call the API; none by default, and then no `Access-Control-*` header is sent
(an `OPTIONS` is 405 as before). `*` lets any page call it.

No credentials: the API authenticates with bearer tokens a page sets itself in
`Authorization`, never with cookies, HTTP authentication or client certificates, so
`Access-Control-Allow-Credentials` is never sent. That is what makes `*` safe: a page
gains nothing a script outside a browser lacks, since the browser attaches nothing of
its own. (Were credentials ever allowed, `*` would have to be refused at start.)

Starlette's `CORSMiddleware` does the work; this module fixes its policy and makes its
refusal of a preflight a problem+json answer like every other refusal. Its place in
`main.create_app` matters: inside the host check, outside the body limit, the
idempotency recorder and the error handlers, so that refusals (401, 404, 413, 422 …)
carry the headers a browser needs to read them, and a replayed answer gets the
replaying request's origin, not the recorded one. Answers sent past all middleware
(the last-resort 500 and 503, `core.errors`) add them through `headers_for`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from capacity_exit.core.problems import problem_response
from capacity_exit.core.request_id import current_request_id

ANY_ORIGIN = "*"
ALLOW_CREDENTIALS = False
ALLOW_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Request headers a page may set besides the CORS-safelisted ones (Accept, Content-Type …).
ALLOW_HEADERS = ("Authorization", "Idempotency-Key", "If-Match", "If-None-Match", "X-Request-ID")
# Response headers a page's script may read besides the safelisted ones (Cache-Control,
# Content-Type, Content-Length, Expires, Last-Modified …).
EXPOSE_HEADERS = (
    "ETag",  # If-Match on the next write
    "Location",  # what a 201 created
    "Retry-After",  # 429, 503
    "X-Request-ID",  # quoted in a report of a failure
    "Idempotent-Replayed",  # a retried create answered from its first attempt
    "WWW-Authenticate",  # why a 401 (expired token, wrong audience)
    "Allow",  # the methods a 405 names
)
# How long a browser may reuse a preflight's answer (Chromium caps it at 7200).
MAX_AGE_SECONDS = 600
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CorsSettings(Protocol):
    """What CORS reads of the settings (`config.Settings` has it)."""

    @property
    def cors_origins(self) -> Sequence[str]: ...


def _origin(value: str) -> str:
    """An origin as browsers send it (`scheme://host[:port]`, lower case, no default port)."""
    text = value.strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme.lower() not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or port == -1
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"CAPEXIT_CORS_ORIGINS: {value!r} is not an origin "
            "(scheme://host[:port], no path) or '*'"
        )
    scheme, host = parts.scheme.lower(), parts.hostname
    name = f"[{host}]" if ":" in host else host
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{name}"
    return f"{scheme}://{name}:{port}"


def allowed_origins(settings: CorsSettings) -> tuple[str, ...]:
    """The origins served, normalized; a malformed one stops the start (ValueError)."""
    found = [value.strip() for value in settings.cors_origins if value.strip()]
    if ANY_ORIGIN in found:
        if len(found) > 1:
            raise ValueError("CAPEXIT_CORS_ORIGINS: '*' allows every origin; name no other")
        if ALLOW_CREDENTIALS:  # pragma: no cover - the policy sends no credentials
            raise ValueError("CAPEXIT_CORS_ORIGINS: '*' is refused when credentials are allowed")
        return (ANY_ORIGIN,)
    return tuple(dict.fromkeys(_origin(value) for value in found))


class CorsMiddleware(CORSMiddleware):
    """Starlette's, with this API's policy; a refused preflight is 400 problem+json."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=ALLOW_METHODS,
            allow_headers=ALLOW_HEADERS,
            allow_credentials=ALLOW_CREDENTIALS,
            expose_headers=EXPOSE_HEADERS,
            max_age=MAX_AGE_SECONDS,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        headers = {
            name: value
            for name, value in answer.headers.items()
            if name.startswith(("access-control-", "vary"))
        }
        if answer.status_code < 400:
            return Response(status_code=204, headers=headers)
        # A refusal grants nothing: it keeps only `Vary`, for caches.
        refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        return problem_response(
            status=400,
            code="cors_refused",
            title="Cross-origin request refused",
            detail=f"This API does not allow the request's {refused} from a browser page "
            "(CAPEXIT_CORS_ORIGINS, and the methods and headers it accepts).",
            request_id=current_request_id(),
            headers={"Vary": headers["vary"]},
        )


def headers_for(origins: Sequence[str], origin: str | None) -> dict[str, str]:
    """The CORS headers of an answer sent past the middleware (`core.errors`' last resort)
    to a request from `origin`, as the middleware would have added them."""
    if not origins:
        return {}
    headers = {"Vary": "Origin"}
    if origin is None:
        return headers
    headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSE_HEADERS)
    if ANY_ORIGIN in origins:
        headers["Access-Control-Allow-Origin"] = ANY_ORIGIN
    elif origin in origins:
        headers["Access-Control-Allow-Origin"] = origin
    return headers
