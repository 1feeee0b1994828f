"""A request body in a media type the operation does not take is refused: 415.

Without this, FastAPI hands a `text/plain` or form body to a JSON operation as raw bytes
and its validation answers 422 "Input should be a valid dictionary", which reads as if
the content were wrong rather than its label. An operation takes the media type its
contract declares for the body (`application/json`; the token endpoint's
`application/x-www-form-urlencoded`); a JSON operation also takes any
`application/*+json` (e.g. `application/merge-patch+json`), as FastAPI parses those as
JSON. A body sent without `Content-Type` is refused too: FastAPI does not parse it
(strict content type), and guessing would let a proxy and this service disagree.

The check is a dependency of the API routers, after authentication (like
core.json_body). A request has a body when it declares a non-zero `Content-Length` or
a `Transfer-Encoding` (RFC 9112, 6.1); an empty body is left to the operation's own
validation (a required body is 422 `missing`).
"""

from __future__ import annotations

from fastapi import Request

from capacity_exit.core.errors import UnsupportedMediaType

JSON = "application/json"
_HEADER_FOR_METHOD = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}


def media_type_of(content_type: str | None) -> str | None:
    """`type/subtype`, lower case, without parameters (`; charset=utf-8`); None when
    absent or blank. A malformed value is kept as sent, so no type is made up for it."""
    found = (content_type or "").split(";", 1)[0].strip().lower()
    return found or None


def is_json(media_type: str | None) -> bool:
    """`application/json` or a structured `application/*+json` (RFC 6839)."""
    return media_type is not None and (
        media_type == JSON
        or (media_type.startswith("application/") and media_type.endswith("+json"))
    )


def _declared(request: Request) -> str | None:
    """The media type the matched operation declares for its body; None without one."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None:
        return None
    declared = getattr(body_field.field_info, "media_type", JSON)
    return declared if isinstance(declared, str) else JSON


async def _has_body(request: Request, declared: str) -> bool:
    if "transfer-encoding" in request.headers:
        return True
    length = request.headers.get("content-length", "").strip()
    if length.isdigit():
        return int(length) > 0
    # No length (HTTP/2 may omit it): a JSON operation's body is already read and kept
    # by FastAPI; a form's was consumed by its parser, and is judged by headers alone.
    return declared == JSON and bool(await request.body())


def _takes(declared: str, sent: str | None) -> bool:
    return sent == declared or (declared == JSON and is_json(sent))


async def require_declared_media_type(request: Request) -> None:
    """Dependency: 415 `unsupported_media_type` when the body's `Content-Type` is not
    one the operation takes, naming the accepted types (body and `Accept-Post`/
    `Accept-Patch`)."""
    declared = _declared(request)
    if declared is None or not await _has_body(request, declared):
        return
    sent = media_type_of(request.headers.get("content-type"))
    if _takes(declared, sent):
        return
    accepted = [declared, "application/*+json"] if declared == JSON else [declared]
    headers = {}
    if (name := _HEADER_FOR_METHOD.get(request.method)) is not None:
        headers[name] = ", ".join(accepted)
    # The type sent is not echoed: a header is the client's to write.
    raise UnsupportedMediaType(
        f"This operation takes a body in {' or '.join(accepted)}: send it with that "
        "Content-Type." + ("" if sent else " The request named none."),
        headers=headers or None,
        extra={"accepted_media_types": accepted},
    )
