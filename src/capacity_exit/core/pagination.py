"""Cursor pagination: opaque, URL-safe cursors bound to the filters they were issued with."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.problems import FieldProblem

T = TypeVar("T")
P = TypeVar("P")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT})."),
]
# What `encode_cursor` issues: unpadded base64url of `{"a":…,"f":…}`, so it always
# starts `eyJhIj`. Stated in the schema and checked by `decode_cursor` (422
# `invalid_cursor`, the code of every cursor this API did not issue), not by FastAPI.
CURSOR_PATTERN = r"^eyJhIj[A-Za-z0-9_-]+$"
_CURSOR_SHAPE = re.compile(CURSOR_PATTERN)
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=512,
        json_schema_extra={"pattern": CURSOR_PATTERN},
        description="Opaque cursor from a previous page's `next_cursor`, sent with the same "
        "filters it was issued with (a page's other parameters). A cursor this API did not "
        "issue, or one issued for other filters, is 422 `invalid_cursor`: a client never "
        "makes one up. Cursors are unpadded base64url, starting `eyJhIj`.",
    ),
]


def _filters_digest(filters: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {k: v for k, v in filters.items() if v is not None}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(after: Any, filters: Mapping[str, Any]) -> str:
    raw = json.dumps({"a": after, "f": _filters_digest(filters)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(detail: str) -> Unprocessable:
    return Unprocessable(
        detail,
        code="invalid_cursor",
        errors=[
            FieldProblem(parameter="cursor", location="query", detail=detail, code="invalid_cursor")
        ],
    )


def decode_cursor(cursor: str | None, filters: Mapping[str, Any]) -> Any:
    """The position a cursor points after, or None for the first page."""
    if cursor is None:
        return None
    if not _CURSOR_SHAPE.fullmatch(cursor):
        raise _invalid("The cursor is not one this API issued.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, digest = data["a"], data["f"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid("The cursor is not one this API issued.") from exc
    if digest != _filters_digest(filters):
        raise _invalid("The cursor was issued for other filters; start again without it.")
    return after


def page_of(
    rows: list[T], limit: int, filters: Mapping[str, Any], key: Any
) -> tuple[list[T], str | None]:
    """Split a `limit + 1` fetch into the page and the cursor of the next one."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(key(page[-1]), filters)


def uuid_position(after: Any) -> uuid.UUID:
    """A cursor position that is an id; anything else is a forged cursor (422)."""
    try:
        return uuid.UUID(str(after))
    except ValueError as exc:
        raise _invalid("The cursor is not one this API issued.") from exc


def int_position(after: Any) -> int:
    """A cursor position that is a sequence number; anything else is a forged cursor."""
    if isinstance(after, int) and not isinstance(after, bool):
        return after
    raise _invalid("The cursor is not one this API issued.")


async def paginate(
    cursor: str | None,
    limit: int,
    filters: Mapping[str, Any],
    fetch: Callable[[P | None, int], Awaitable[Sequence[T]]],
    *,
    position: Callable[[Any], P],
    key: Callable[[T], Any],
) -> tuple[list[T], str | None]:
    """One page: `fetch(after, limit + 1)` from the cursor's position, and the next cursor."""
    raw = decode_cursor(cursor, filters)
    rows = await fetch(None if raw is None else position(raw), limit + 1)
    return page_of(list(rows), limit, filters, key)
