"""`HEAD` wherever `GET` is served: the GET's status and headers, no body."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.factories import enterprise_body
from tests.fixtures.live_server import live_server

# Differs between any two requests.
_PER_REQUEST = {"x-request-id"}


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in _PER_REQUEST}


async def _assert_head_is_get(client: httpx.AsyncClient, path: str, **headers: str) -> None:
    got = await client.get(path, headers=headers)
    head = await client.head(path, headers=headers)
    assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
    assert _headers(head) == _headers(got), path
    assert head.content == b"", path
    assert got.content, path


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/docs-static/swagger-ui.css",
        "/docs-static/redoc.standalone.js",
        "/api/v1/disclosures",
        "/api/v1/disclosures/feed.atom",
        "/api/v1/calendar/years/2026",
        "/api/v1/nothing-here",  # a 404 problem's headers too
    ],
)
async def test_head_answers_what_get_answers_without_the_body(
    anonymous: httpx.AsyncClient, path: str
) -> None:
    await _assert_head_is_get(anonymous, path)


async def test_head_with_a_token_and_an_etag(client_as: ClientAs) -> None:
    officer = client_as("220322-ecoenv", Role.officer)
    created = await officer.post("/api/v1/enterprises", json=enterprise_body())
    assert created.status_code == 201
    url = f"/api/v1/enterprises/{created.json()['id']}"
    await _assert_head_is_get(officer, url)
    head = await officer.head(url)
    assert head.headers["etag"] == created.headers["etag"]
    assert head.headers["cache-control"] == "no-store"  # an authenticated answer
    await _assert_head_is_get(officer, "/api/v1/jurisdictions")
    # Refusals are the GET's refusals: unknown query parameters, no token.
    await _assert_head_is_get(officer, "/api/v1/jurisdictions?nope=1")
    assert (await client_as(None).head("/api/v1/jurisdictions")).status_code == 401


async def test_head_and_get_agree_under_gzip(anonymous: httpx.AsyncClient) -> None:
    await _assert_head_is_get(anonymous, "/openapi.json", **{"Accept-Encoding": "gzip"})
    head = await anonymous.head("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert head.headers["content-encoding"] == "gzip"
    assert int(head.headers["content-length"]) > 0


async def test_head_where_no_get_is_served_is_405(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.head("/api/v1/auth/token")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.content == b""


async def test_405_lists_head_wherever_get_is_served(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/disclosures")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_head_is_not_an_operation_of_the_contract(app: FastAPI) -> None:
    """HEAD is implied by GET (RFC 9110, 9.3.2): generated clients get no second
    operation for each read."""
    for path, item in app.openapi()["paths"].items():
        assert "head" not in item, path


def test_on_the_wire_head_gzip_and_415(database_url: str, tmp_path: Path) -> None:
    """Through uvicorn: HEAD sends the GET's headers and no body, gzip is on the wire,
    and a JSON body to the token endpoint (a form) is 415."""
    with live_server(database_url, tmp_path) as base, httpx.Client(base_url=base) as http:
        gzip = {"Accept-Encoding": "gzip"}
        got = http.get("/openapi.json", headers=gzip)
        with http.stream("HEAD", "/openapi.json", headers=gzip) as head:
            sent = b"".join(head.iter_raw())
        assert head.status_code == 200 and sent == b""
        for name in ("content-length", "content-encoding", "content-type", "vary"):
            assert head.headers[name] == got.headers[name], name
        assert got.headers["content-encoding"] == "gzip"
        refused = http.post("/api/v1/auth/token", json={"grant_type": "client_credentials"})
        assert refused.status_code == 415, refused.text
        assert refused.headers["accept-post"] == "application/x-www-form-urlencoded"
