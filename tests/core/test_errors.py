from __future__ import annotations

import logging

import httpx
import pytest

from capacity_exit.core.logs import RequestContextFilter, TextFormatter
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:capacity-exit:problem:")
    assert body["title"] and body["code"]
    assert "Traceback" not in response.text
    return dict(body)


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = _assert_problem(await client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/jurisdictions")
    _assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"  # HEAD wherever GET is (core.head)
    # Two routes share this path; Allow names both.
    both = await client.delete("/api/v1/enterprises")
    assert both.status_code == 405
    assert set(both.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_malformed_json_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/enterprises", content=b"{not json", headers={"content-type": "application/json"}
    )
    body = _assert_problem(response, 422)
    assert body["code"] == "validation_error"


async def test_nul_in_a_query_parameter_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/enterprises", params={"name_contains": "a\x00b"})
    _assert_problem(response, 422)


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    big = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    response = await client.post(
        "/api/v1/enterprises", content=big, headers={"content-type": "application/json"}
    )
    _assert_problem(response, 413)


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["x-request-id"] == "trace-42"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith tab"})
    assert generated.headers["x-request-id"] != "bad id\twith tab"
    assert len(generated.headers["x-request-id"]) == 32
    problem = await client.get("/api/v1/nothing", headers={"X-Request-ID": "trace-43"})
    assert problem.json()["request_id"] == "trace-43"


async def test_logs_carry_the_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="capacity_exit.access")
    await client.get("/api/v1/nothing-here", headers={"X-Request-ID": "trace-log-1"})
    [line] = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-log-1"]
    assert "GET /api/v1/nothing-here 404" in line.getMessage()
    formatted = TextFormatter()
    RequestContextFilter().filter(line)
    assert "[trace-log-1]" in formatted.format(line)


def test_text_patterns_agree_with_the_validators() -> None:
    """The JSON-schema patterns published for text fields refuse what the validators
    refuse (a fuzzer found a paragraph pattern that let a control character through)."""
    import re

    from capacity_exit.core.text import LINE_PATTERN, PARAGRAPH_PATTERN

    paragraph, line = re.compile(PARAGRAPH_PATTERN), re.compile(LINE_PATTERN)
    for bad in ["a\x03b", "\x00", "ok\x7f", "\x1b[31m"]:
        assert not paragraph.match(bad), bad
        assert not line.match(bad), bad
    assert paragraph.match("第一行\n第二行\t完")
    assert not line.match("第一行\n第二行")
    assert not paragraph.match("  \n ")
    for blank in ["\u3000", "\x85", " \xa0 "]:
        assert not line.match(blank) and not paragraph.match(blank), repr(blank)
