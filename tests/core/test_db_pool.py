"""The connection pool under pressure: one connection per request at a time, a short
wait answered 503 with Retry-After, and a lane for writers that leaves room for readers
(issue 14, item 2; the bursts are in tests/security/test_api4_*)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core.admission import WriteLane
from capacity_exit.core.db import Database
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE
from capacity_exit.main import create_app
from tests.conftest import TokenFor
from tests.fixtures.factories import enterprise_body

URL = "/api/v1/enterprises"


@contextmanager
def _checked_out(database: Database) -> Iterator[list[int]]:
    """The most connections the pool had lent at once while inside the block."""
    pool = database.engine.sync_engine.pool
    lent, most = 0, [0]

    def checkout(*_args: Any) -> None:
        nonlocal lent
        lent += 1
        most[0] = max(most[0], lent)

    def checkin(*_args: Any) -> None:
        nonlocal lent
        lent -= 1

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        yield most
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)


def _client(app: FastAPI, token: str) -> httpx.AsyncClient:
    """Sees a 500 as a response, as a client would."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    )


@asynccontextmanager
async def _app(settings: Settings, **changes: Any) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update=changes))
    try:
        yield app
    finally:
        await app.state.database.dispose()


async def test_a_keyed_create_needs_one_connection_at_a_time(
    app: FastAPI, token_for: TokenFor
) -> None:
    """A request holding a connection while it waits for a second one is how a burst
    starved the pool: with enough of them, none gets its second."""
    async with _client(app, token_for("220322-ecoenv", Role.officer)) as http:
        await http.get(URL, params={"limit": 1})  # connect outside the measurement
        with _checked_out(app.state.database) as most:
            created = await http.post(
                URL, json=enterprise_body(), headers={"Idempotency-Key": "one-at-a-time"}
            )
            assert created.status_code == 201, created.text
            replayed = await http.post(
                URL,
                content=created.request.content,
                headers={"Idempotency-Key": "one-at-a-time", "content-type": "application/json"},
            )
        assert replayed.headers["idempotent-replayed"] == "true"
        assert most[0] == 1


async def _exhaust(database: Database) -> list[AsyncConnection]:
    """Every connection the pool will lend, held: on any store, whatever its size."""
    held: list[AsyncConnection] = []
    while True:
        try:
            held.append(await database.engine.connect())
        except PoolTimeout:
            return held


async def test_an_exhausted_pool_answers_503_with_retry_after_soon(
    settings: Settings, token_for: TokenFor
) -> None:
    async with (
        _app(settings, database_pool_size=1, database_pool_timeout_seconds=0.2) as app,
        _client(app, token_for("220322-ecoenv", Role.officer)) as http,
    ):
        assert (await http.get(URL)).status_code == 200
        held = await _exhaust(app.state.database)
        try:
            for busy in (
                await http.get(URL),
                await http.post(URL, json=enterprise_body(), headers={"Idempotency-Key": "k"}),
            ):
                assert busy.status_code == 503, busy.text
                assert busy.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert busy.headers["retry-after"] == "1"
                assert busy.json()["code"] == "database_busy"
        finally:
            for connection in held:
                await connection.close()
        # Nothing was left behind: the key refused for want of a connection is free.
        retried = await http.post(URL, json=enterprise_body(), headers={"Idempotency-Key": "k"})
        assert retried.status_code == 201, retried.text
        assert "idempotent-replayed" not in retried.headers


async def test_writers_beyond_the_lane_wait_then_503_while_readers_pass(
    settings: Settings, token_for: TokenFor
) -> None:
    async with (
        _app(settings, write_concurrency=1, write_queue_timeout_seconds=0.2) as app,
        _client(app, token_for("220322-ecoenv", Role.officer)) as http,
    ):
        lane: WriteLane = app.state.write_lane
        await lane.enter()  # a writer in progress takes the only place
        try:
            refused = await http.post(URL, json=enterprise_body())
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert refused.headers["retry-after"] == "1"
            assert refused.json()["code"] == "server_busy"
            assert (await http.get(URL)).status_code == 200  # readers do not queue
        finally:
            lane.leave()
        assert (await http.post(URL, json=enterprise_body())).status_code == 201


def test_the_writers_lane_leaves_part_of_the_pool_to_readers() -> None:
    postgres = "postgresql+asyncpg://capexit@db/capexit"
    assert Settings(database_url=postgres, database_pool_size=20).resolved_write_concurrency == 10
    assert Settings(database_url=postgres, database_pool_size=1).resolved_write_concurrency == 1
    assert Settings(database_url=postgres, write_concurrency=3).resolved_write_concurrency == 3


def test_the_embedded_sqlite_lets_one_writer_in_at_a_time() -> None:
    assert Settings(database_pool_size=20).resolved_write_concurrency == 1
    assert Settings(write_concurrency=3).resolved_write_concurrency == 3
