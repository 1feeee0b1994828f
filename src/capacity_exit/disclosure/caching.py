"""How long browsers and shared caches may keep each public answer, and why.

A notice version's content never changes (a correction is a new version), but a
current version can still be withdrawn, and its document then says so: kept at most a
minute, then revalidated with its ETag (a 304 costs no rendering on the client). A
superseded or withdrawn version is final (only the current version is corrected or
withdrawn), so its document is kept for a day. The detail, the list and the feed change
with every correction, withdrawal, review or new notice: a minute, then revalidated.
"""

from __future__ import annotations

from capacity_exit.disclosure.models import Disclosure, DisclosureStatus

CHANGING = "public, max-age=60"
FINAL = "public, max-age=86400, immutable"

LIST = CHANGING
FEED = CHANGING
DETAIL = CHANGING


def is_final(disclosure: Disclosure) -> bool:
    """Nothing more can happen to this version's own record."""
    return disclosure.status != DisclosureStatus.current


def document(disclosure: Disclosure) -> str:
    """The `Cache-Control` of a version's document (HTML or text)."""
    return FINAL if is_final(disclosure) else CHANGING
