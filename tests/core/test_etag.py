"""The entity-tag rules of core.etag: weak comparison for `If-None-Match` (RFC 9110
13.1.2), strong for `If-Match`, and a detail's `"N.<digest>"` naming version N."""

from __future__ import annotations

import pytest

from capacity_exit.core.errors import PreconditionFailed, PreconditionRequired
from capacity_exit.core.etag import Precondition, content_etag, not_modified, weak_etag


@pytest.mark.parametrize(
    ("header", "current", "expected"),
    [
        (None, '"a"', False),
        ('"a"', '"a"', True),
        ('W/"a"', '"a"', True),  # weak comparison: W/ aside
        ('"a"', 'W/"a"', True),
        ('"b", W/"a"', '"a"', True),  # any tag of the list
        ('"a,b"', '"a"', False),  # a comma inside quotes is part of the tag
        ("*", 'W/"x"', True),
        (" * ", '"x"', True),
        ('"*"', '"x"', False),  # a tag spelled *, not the wildcard
        ("a", '"a"', False),  # unquoted: not an entity tag
        ('"A"', '"a"', False),  # tags are case-sensitive
    ],
)
def test_if_none_match_uses_the_weak_comparison(
    header: str | None, current: str, expected: bool
) -> None:
    assert not_modified(header, current) is expected


def test_tags_are_of_the_bytes_or_of_the_parts() -> None:
    assert content_etag(b"x") == content_etag(b"x") != content_etag(b"y")
    assert content_etag(b"x", 3).startswith('"3.')
    assert weak_etag("a", 1).startswith('W/"') and weak_etag("a", 1) != weak_etag("a1")


def test_if_match_takes_the_version_or_a_detail_of_that_version() -> None:
    detail = content_etag(b"detail", 3)
    assert Precondition('"3"').version_to_change(3) == 3
    assert Precondition(detail).version_to_change(3) == 3
    assert Precondition(f'"2", {detail}').version_to_change(3) == 3
    for stale in (content_etag(b"detail", 2), f"W/{detail}", '"3."', '"30"'):
        with pytest.raises(PreconditionFailed):
            Precondition(stale).version_to_change(3)
    with pytest.raises(PreconditionRequired):
        Precondition("*").version_to_change(3)
