"""Content negotiation: the offered media type an `Accept` header prefers, or 406."""

from __future__ import annotations

import pytest

from capacity_exit.api.negotiation import NotAcceptable, negotiate, negotiated_response

OFFERED = ("text/html", "text/plain")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/*", "text/html"),
        ("text/plain", "text/plain"),
        ("TEXT/PLAIN", "text/plain"),
        ("text/html;q=0.5, text/plain", "text/plain"),
        ("text/plain;q=0.9, text/html;q=0.9", "text/plain"),  # ties: the order written
        ("application/json, text/plain;q=0.1", "text/plain"),
        ("text/html;q=0, */*", "text/html"),  # the first refused, the wildcard still takes it
        ("text/html;q=oops, text/plain;q=0.2", "text/plain"),
    ],
)
def test_the_preferred_offered_type(accept: str | None, chosen: str) -> None:
    assert negotiate(accept, OFFERED) == chosen


@pytest.mark.parametrize(
    "accept", ["application/json", "application/*", "text/html;q=0, text/plain;q=0", "*/*;q=0"]
)
def test_nothing_acceptable_is_406(accept: str) -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate(accept, OFFERED)
    assert refused.value.status == 406
    assert str(refused.value) == "This document is served as text/html or text/plain."


def test_the_answer_is_rendered_in_the_chosen_type_and_varies_by_accept() -> None:
    response = negotiated_response("text/plain", {m: str.upper for m in OFFERED}, "notice")
    assert response.body == b"NOTICE"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["vary"] == "Accept"
