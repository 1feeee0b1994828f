"""Content negotiation: which of the media types a resource is served in a request's
`Accept` asks for, and the answer rendered in it.

Quality values rank the client's choices (ties in the order written, `q=0` refuses);
`*/*` and `type/*` take the first offered type they match. Nothing acceptable is 406.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import Response

from capacity_exit.core.errors import AppError
from capacity_exit.core.etag import cached_content

T = TypeVar("T")


class NotAcceptable(AppError):
    status, code, title = 406, "not_acceptable", "Not acceptable"


def _ranked(accept: str | None) -> list[str]:
    """The media ranges `accept` takes, most preferred first (none refused with `q=0`)."""
    ranked = []
    for position, part in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media.lower()))
    return [media for negative_quality, _, media in sorted(ranked) if negative_quality < 0]


def _matches(media_range: str, media: str) -> bool:
    if media_range == "*/*" or media_range == media:
        return True
    kind, _, subtype = media_range.partition("/")
    return subtype == "*" and media.startswith(f"{kind}/")


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The media type of `offered` (first is the default) that `accept` prefers."""
    for media_range in _ranked(accept):
        for media in offered:
            if _matches(media_range, media):
                return media
    raise NotAcceptable(f"This document is served as {' or '.join(offered)}.")


def negotiated_response(
    accept: str | None,
    renderers: Mapping[str, Callable[[T], str]],
    value: T,
    *,
    cache_control: str | None = None,
    if_none_match: str | None = None,
) -> Response:
    """`value` rendered in the media type of `renderers` that `accept` prefers; the
    answer varies by `Accept`, so caches keep one per media type. With `cache_control`,
    it carries a strong ETag of its bytes (one per media type) and answers
    `If-None-Match` (`core.etag.cached_content`)."""
    media = negotiate(accept, list(renderers))
    media_type = f"{media}; charset=utf-8"
    body = renderers[media](value)
    if cache_control is not None:
        return cached_content(
            if_none_match, body.encode(), media_type, cache_control=cache_control, vary="Accept"
        )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def text_content(
    media_types: Sequence[str], examples: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An OpenAPI response whose body is text in each of `media_types`, with an example of
    each (`examples[media]`) when given."""
    examples = examples or {}
    return {
        "content": {
            media: {"schema": {"type": "string"}}
            | ({"example": examples[media]} if media in examples else {})
            for media in media_types
        }
    }
