"""OWASP API4:2023 Unrestricted Resource Consumption.

What an attacker (or a careless client) tries, to exhaust what the service has:

* a burst of parallel creates, each with its own `Idempotency-Key`, to take every pooled
  database connection (each request held one while its key claim waited for a second),
  so that the whole API stalls for 30 s and answers 500 (issue 14, item 2). The burst
  must end without a 500, and an unrelated read sent during it is answered within a
  second; parallel retries with one key create one record and get one answer;
* a body far larger than any record, sent without a `Content-Length` so that only the
  bytes themselves can give it away (413; a declared length: tests/core/test_errors.py);
* a page size beyond the cap on any list, to make one request read a whole table (422);
* a flood of token-less requests to the public routes from one address, in parallel so
  that the limiter's count is raced: exactly the allowance is served, the rest are 429
  with `Retry-After`, and other addresses are not affected.

The pool timeout answered 503 and the writers' lane are tested in tests/core/test_db_pool.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from capacity_exit.auth.roles import ALL_ROLES, Role
from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.core.pagination import MAX_LIMIT
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE
from capacity_exit.main import create_app
from capacity_exit.models import Enterprise
from tests.conftest import TokenFor
from tests.fixtures.factories import enterprise_body
from tests.fixtures.stores import store

URL = "/api/v1/enterprises"
# PostgreSQL is the production store; SQLite serializes its writers, so a smaller burst.
BURST = 200 if store() == "postgres" else 50
# The one latency bound the issue states: an unrelated read during the burst.
READ_BOUND_SECONDS = 1.0


def _client(app: FastAPI, token: str | None = None, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client that sees a 500 as a response, as an attacker would, instead of having
    it raised into the test."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers, timeout=120
    )


@pytest.fixture
async def officer(app: FastAPI, token_for: TokenFor) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, token_for("220322-ecoenv", Role.officer)) as client:
        yield client


async def _enterprises(app: FastAPI) -> int:
    database: Database = app.state.database
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Enterprise)) or 0)


@pytest.mark.serial  # its latency bound holds on a machine not busy with other tests
async def test_a_burst_of_keyed_creates_stalls_nothing(
    app: FastAPI, officer: httpx.AsyncClient
) -> None:
    # A warm process: the first request of a fresh app pays for connecting and compiling.
    assert (await officer.get(URL, params={"limit": 1})).status_code == 200

    async def create(i: int) -> httpx.Response:
        key = f"burst-{i:04d}"
        return await officer.post(URL, json=enterprise_body(), headers={"Idempotency-Key": key})

    burst = [asyncio.create_task(create(i)) for i in range(BURST)]
    await asyncio.sleep(0.05)  # every create is in the app, queued for the database
    started = time.perf_counter()
    read = await officer.get(URL, params={"limit": 1})
    read_took = time.perf_counter() - started
    pending_after_read = sum(1 for task in burst if not task.done())
    responses = await asyncio.gather(*burst)

    statuses = [r.status_code for r in responses]
    assert 500 not in statuses, next(r.text for r in responses if r.status_code == 500)
    for response in responses:
        if response.status_code == 503:  # would be shed retryably, never failed
            assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert int(response.headers["retry-after"]) >= 1
    assert statuses == [201] * BURST, sorted(set(statuses))
    assert await _enterprises(app) == BURST

    assert read.status_code == 200, read.text
    assert pending_after_read > 0, "the read was not sent during the burst"
    assert read_took < READ_BOUND_SECONDS, f"an unrelated read waited {read_took:.2f} s"


async def test_parallel_retries_with_one_key_create_once_and_answer_alike(
    app: FastAPI, officer: httpx.AsyncClient
) -> None:
    body = enterprise_body()
    headers = {"Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(
        *(officer.post(URL, json=body, headers=headers) for _ in range(20))
    )
    answers = {
        (
            r.status_code,
            r.content,
            r.headers["etag"],
            r.headers["location"],
            r.headers["content-type"],
        )
        for r in responses
    }
    assert len(answers) == 1, sorted({r.status_code for r in responses})
    assert responses[0].status_code == 201
    assert [r.headers.get("idempotent-replayed") for r in responses].count(None) == 1
    assert await _enterprises(app) == 1


async def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit(
    settings: Settings, officer: httpx.AsyncClient
) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"name": "'
        while sent < 16 * settings.max_body_bytes:  # far more than the limit, if read
            sent += 65536
            yield b"x" * 65536

    response = await officer.post(
        URL, content=endless(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "content-length" not in response.request.headers
    assert sent < 2 * settings.max_body_bytes  # read no further than the limit


def _list_paths(app: FastAPI) -> list[str]:
    """Every list operation the contract publishes that takes a page size, without path
    parameters (those with them read one object's children, under the same cap)."""
    paths = []
    for path, item in app.openapi()["paths"].items():
        get = item.get("get", {})
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        if "limit" in names and "{" not in path:
            paths.append(path)
    return sorted(paths)


async def test_no_list_reads_more_than_a_page_at_once(app: FastAPI, token_for: TokenFor) -> None:
    paths = _list_paths(app)
    assert "/api/v1/enterprises" in paths and "/api/v1/disclosures" in paths
    token = token_for("220300-miit", *ALL_ROLES)  # the widest scope: no 403 or 404 first
    async with _client(app, token) as http:
        for path in paths:
            for limit in (MAX_LIMIT + 1, 10**12):
                response = await http.get(path, params={"limit": limit})
                assert response.status_code == 422, (path, limit, response.status_code)
                assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert response.json()["errors"][0]["parameter"] == "limit"


async def test_a_parallel_flood_of_public_requests_gets_exactly_its_allowance(
    settings: Settings,
) -> None:
    allowance = 10
    app = create_app(settings.model_copy(update={"public_rate_limit": allowance}))
    try:
        await _flood(app, allowance)
    finally:
        await app.state.database.dispose()


async def _flood(app: FastAPI, allowance: int) -> None:
    async with _client(app, peer="203.0.113.7") as flood:
        path = "/api/v1/disclosures"
        responses = await asyncio.gather(*(flood.get(path) for _ in range(5 * allowance)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == allowance
        assert statuses.count(429) == 4 * allowance
        for response in responses:
            if response.status_code == 429:
                assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert int(response.headers["retry-after"]) >= 1
        async with _client(app, peer="203.0.113.8") as bystander:
            assert (await bystander.get(path)).status_code == 200
