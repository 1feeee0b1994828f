"""Versions as strong ETags; `If-Match` preconditions for every change.

The precondition is decided by the database (a conditional update on the version),
so of two concurrent writers holding the same version exactly one succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

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


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


@dataclass(frozen=True)
class Precondition:
    """An `If-Match` as received; checked by the service once the resource is found,
    so an unknown resource is 404 whatever the header says."""

    if_match: str | None

    def version_to_change(self, current: int) -> int:
        """The version the change must be conditioned on, or 428/412."""
        tags = [t.strip() for t in (self.if_match or "").split(",") if t.strip()]
        if not tags or "*" in tags:
            raise PreconditionRequired(
                "Send If-Match with the resource's current ETag to change it "
                "(`*` is not accepted: it would defeat the lost-update check).",
                code="if_match_required",
            )
        # Strong comparison (RFC 9110 13.1.1): weak or malformed tags never match.
        if etag(current) not in tags:
            raise stale(current)
        return current


def stale(current: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"The resource is at version {current} (ETag {etag(current)}); reload it and retry.",
        code="version_mismatch",
        extra={"current_etag": etag(current)},
    )
