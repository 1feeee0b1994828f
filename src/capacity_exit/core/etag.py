"""Versions as strong ETags; `If-Match` preconditions for every change; conditional
`GET` (`If-None-Match` → 304) for the public reads.

The precondition is decided by the database (a conditional update on the version),
so of two concurrent writers holding the same version exactly one succeeds.

An answer that shows more than its version (a notice's detail shows its series'
history, which grows without a new version) carries `"N.<digest>"`: the version, then
a digest of the answer's bytes. `If-Match` compares the version part, `If-None-Match`
the whole tag.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Response

from capacity_exit.core.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description='The `ETag` of the version being changed, e.g. `"3"`. Required: a missing '
        "header (or `*`) is 428; a tag that is not the current one is 412.",
    ),
]

IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=1000,
        description="The `ETag`s of copies the client holds (or `*`): when one matches the "
        "current answer (weak comparison, RFC 9110 13.1.2) the answer is 304 with no body.",
    ),
]

# One entity tag of a list: optional `W/`, then a quoted opaque tag (RFC 9110 8.8.3).
_ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def _digest(data: bytes) -> str:
    """22 URL-safe characters of SHA-256: a tag, not a signature."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:16]).decode().rstrip("=")


def content_etag(body: bytes, version: int | None = None) -> str:
    """A strong ETag of exactly these bytes (`"N.<digest>"` with a version)."""
    digest = _digest(body)
    return f'"{digest}"' if version is None else f'"{version}.{digest}"'


def weak_etag(*parts: object) -> str:
    """A weak ETag of what an answer is made of, for an answer whose bytes may differ
    while it means the same (e.g. a time stamped at the request)."""
    return f'W/"{_digest(chr(31).join(str(p) for p in parts).encode())}"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def _listed(header: str) -> list[str]:
    """The opaque tags of an `If-None-Match` / `If-Match` list; malformed members dropped."""
    return [match.group(2) for match in _ENTITY_TAG.finditer(header)]


def not_modified(if_none_match: str | None, current: str) -> bool:
    """Whether the client's copy is `current`: `If-None-Match` is `*` or lists a tag that
    weakly matches (RFC 9110 13.1.2: `W/` aside, the opaque tags are equal)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return _opaque(current) in _listed(if_none_match)


@dataclass(frozen=True)
class Caching:
    """How a public answer may be kept: its validator, `Cache-Control` and `Vary`."""

    etag: str
    cache_control: str
    vary: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Cache-Control": self.cache_control}
        if self.vary is not None:
            headers["Vary"] = self.vary
        return headers


def conditional_response(
    if_none_match: str | None,
    caching: Caching,
    body: bytes | Callable[[], bytes],
    media_type: str,
) -> Response:
    """The answer, or 304 with no body and the same `ETag`, `Cache-Control` and `Vary`
    when the client holds it. `body` may be a function: not called for a 304."""
    if not_modified(if_none_match, caching.etag):
        return Response(status_code=304, headers=caching.headers())
    content = body() if callable(body) else body
    return Response(content, media_type=media_type, headers=caching.headers())


def cached_content(
    if_none_match: str | None,
    body: bytes,
    media_type: str,
    *,
    cache_control: str,
    vary: str | None = None,
    version: int | None = None,
) -> Response:
    """`conditional_response` with a strong ETag of `body` itself."""
    caching = Caching(content_etag(body, version), cache_control, vary)
    return conditional_response(if_none_match, caching, body, media_type)


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


VERSION_TAG = 'The resource\'s version, e.g. `"3"`: send it in `If-Match` to change the resource.'


def etag_header(description: str = VERSION_TAG) -> dict[str, dict[str, Any]]:
    """The `ETag` entry of an OpenAPI response's `headers`."""
    return {"ETag": _header(description)}


def etag_response(status: int = 200, description: str = VERSION_TAG) -> dict[int | str, Any]:
    """The `responses=` entry of an answer that sends `set_etag`'s tag."""
    return {status: {"headers": etag_header(description)}}


def conditional_get_responses(
    etag: str, cache_control: str, *, vary: str | None = None, ok: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries of a conditional `GET`: the 200 (`ok`, e.g. its
    content) with its `ETag`, `Cache-Control` (and `Vary`) headers, described by these
    texts, and the 304 that repeats them."""
    headers = {"ETag": _header(etag), "Cache-Control": _header(cache_control)}
    if vary is not None:
        headers["Vary"] = _header(vary)
    return {
        200: {**(ok or {}), "headers": headers},
        304: {
            "description": "Not modified: the copy `If-None-Match` names is current (no body).",
            "headers": headers,
        },
    }


@dataclass(frozen=True)
class Precondition:
    """An `If-Match` as received; checked by the service once the resource is found,
    so an unknown resource is 404 whatever the header says."""

    if_match: str | None

    def _tags(self) -> list[str]:
        return [t.strip() for t in (self.if_match or "").split(",") if t.strip()]

    def require(self) -> None:
        """428 unless a tag was sent: a service calls it as soon as the resource is found
        and the caller may change it, before the request's content is judged (a missing
        If-Match is 428 whatever the content; a stale one is judged with the change)."""
        tags = self._tags()
        if not tags or "*" in tags:
            raise PreconditionRequired(
                "Send If-Match with the resource's current ETag to change it "
                "(`*` is not accepted: it would defeat the lost-update check).",
                code="if_match_required",
            )

    def version_to_change(self, current: int) -> int:
        """The version the change must be conditioned on, or 428/412."""
        self.require()
        tags = self._tags()
        # Strong comparison (RFC 9110 13.1.1): weak or malformed tags never match.
        if not any(_names_version(tag, current) for tag in tags):
            raise stale(current)
        return current


def _names_version(tag: str, current: int) -> bool:
    """`"N"`, or `"N.<digest>"` of an answer showing version N with more (module doc)."""
    return tag == etag(current) or (
        tag.startswith(f'"{current}.') and tag.endswith('"') and len(tag) > len(etag(current)) + 1
    )


def stale(current: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"The resource is at version {current} (ETag {etag(current)}); reload it and retry.",
        code="version_mismatch",
        extra={"current_etag": etag(current)},
    )
