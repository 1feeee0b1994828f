"""Duplicated names in a JSON body are refused: 422 `duplicate_key`, with a pointer.

Python's `json` (and so FastAPI) keeps the last of duplicated names silently, so two
readers of one body (a gateway that checks the first `jurisdiction`, this service that
acts on the last) would see two different requests. RFC 8259 leaves the meaning of such
a body undefined; we refuse it, at any depth.

The check is a dependency of the API routers, after authentication: the body FastAPI
has already read (and size-limited) is parsed once more, keeping every pair. Requests
without a JSON body (GET, HEAD, form posts) are not touched.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.media_types import is_json, media_type_of
from capacity_exit.core.problems import FieldProblem

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_REPORTED = 20


class _Object(dict[str, Any]):
    """A JSON object that remembers the names it was given more than once."""

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[str] = []


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def duplicate_pointers(body: bytes | str) -> list[str]:
    """JSON Pointers (RFC 6901) of every name given twice in one object, in document
    order; empty for a body without duplicates. Raises ValueError on invalid JSON."""
    seen_any = False

    def pairs(items: list[tuple[str, Any]]) -> _Object:
        nonlocal seen_any
        obj = _Object()
        for name, value in items:
            if name in obj and name not in obj.duplicates:
                obj.duplicates.append(name)
                seen_any = True
            obj[name] = value
        return obj

    document = json.loads(body, object_pairs_hook=pairs)
    if not seen_any:
        return []
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:  # depth-first, in document order, without recursion
        pointer, node = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(node, _Object):
            found.extend(f"{pointer}/{_escape(name)}" for name in node.duplicates)
            children = [(f"{pointer}/{_escape(k)}", v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
        stack.extend(reversed(children))
    return found


async def reject_duplicate_keys(request: Request) -> None:
    """Dependency: 422 when the JSON body names a member twice in one object."""
    if request.method in _BODILESS or not is_json(
        media_type_of(request.headers.get("content-type"))
    ):
        return
    body = await request.body()
    if not body:
        return
    try:
        pointers = duplicate_pointers(body)
    except ValueError:  # not JSON: the body's own validation says so (or it is unused)
        return
    if pointers:
        raise Unprocessable(
            f"The JSON body names {pointers[0]} more than once; send each member once.",
            code="duplicate_key",
            errors=[
                FieldProblem(
                    pointer=pointer,
                    detail="this member appears more than once",
                    code="duplicate_key",
                )
                for pointer in pointers[:_MAX_REPORTED]
            ],
        )
