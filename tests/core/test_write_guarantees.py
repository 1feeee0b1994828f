"""Optimistic concurrency and idempotent creates, through HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from capacity_exit.audit.models import AuditEvent
from capacity_exit.auth.roles import Role
from capacity_exit.core import idempotency
from capacity_exit.core.actor import Actor
from capacity_exit.core.clock import utcnow
from capacity_exit.core.db import Database
from capacity_exit.models import Enterprise
from tests.conftest import ClientAs
from tests.fixtures.factories import enterprise_body

URL = "/api/v1/enterprises"


async def _count(app: FastAPI, query: object) -> int:
    database: Database = app.state.database
    async with database.sessionmaker() as session:
        return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def test_fifty_concurrent_patches_one_wins_one_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await client.post(URL, json=enterprise_body())
    url, enterprise_id = created.headers["location"], created.json()["id"]
    results = await asyncio.gather(
        *(
            client.patch(url, json={"address": f"地址{i}"}, headers={"If-Match": '"1"'})
            for i in range(50)
        )
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1
    assert statuses.count(412) == 49
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in results
        if r.status_code == 412
    )
    updates = await _count(
        app,
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.object_id == enterprise_id, AuditEvent.action == "enterprise.update"),
    )
    assert updates == 1
    final = (await client.get(url)).json()
    winner = next(r for r in results if r.status_code == 200).json()
    assert final == winner and final["version"] == 2


async def test_replays_create_one_record_and_return_the_same_body(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = enterprise_body()
    headers = {"Idempotency-Key": "create-lishu-cement-001"}
    first = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201
    sequential = [await client.post(URL, json=body, headers=headers) for _ in range(9)]
    concurrent = await asyncio.gather(
        *(client.post(URL, json=body, headers=headers) for _ in range(10))
    )
    for response in [*sequential, *concurrent]:
        assert response.status_code == 201, response.text
        assert response.content == first.content
        assert response.headers["etag"] == first.headers["etag"]
        assert response.headers["location"] == first.headers["location"]
        assert response.headers["idempotent-replayed"] == "true"
    count = await _count(
        app,
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.credit_code == body["credit_code"]),
    )
    assert count == 1

    different = await client.post(URL, json={**body, "address": "别处"}, headers=headers)
    assert different.status_code == 422
    assert different.json()["code"] == "idempotency_key_reused"


async def test_concurrent_first_requests_create_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = enterprise_body()
    headers = {"Idempotency-Key": "simultaneous-first"}
    responses = await asyncio.gather(
        *(client.post(URL, json=body, headers=headers) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    count = await _count(
        app,
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.credit_code == body["credit_code"]),
    )
    assert count == 1


async def test_keys_belong_to_their_principal(client_as: ClientAs) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    lishu = client_as("220322-ecoenv", Role.officer)
    other = client_as("220322-market", Role.officer)
    first = await lishu.post(URL, json=enterprise_body(), headers=headers)
    second = await other.post(URL, json=enterprise_body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


async def test_retry_while_the_first_is_in_flight_is_409(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", timedelta(milliseconds=200))
    body = enterprise_body()
    request = client.build_request("POST", URL, json=body)
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        session.add(
            idempotency.IdempotencyRecord(
                subject=idempotency._owner(Actor("test:220322-ecoenv", "220322-ecoenv", ())),
                key="still-running",
                request_hash=idempotency._request_hash_of("POST", URL, request.content),
                state="in_flight",
                created_at=utcnow(),
            )
        )
    response = await client.post(URL, json=body, headers={"Idempotency-Key": "still-running"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"


async def test_failed_first_attempt_frees_the_key(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "first-fails"}
    body = enterprise_body(jurisdiction="220381")  # a retired division: refused
    assert (await client.post(URL, json=body, headers=headers)).status_code == 422
    # Nothing was stored for the failure, so the corrected request may use the same key.
    fixed = await client.post(URL, json={**body, "jurisdiction": "220322"}, headers=headers)
    assert fixed.status_code == 201
    assert "idempotent-replayed" not in fixed.headers


async def test_prune_keeps_keys_for_their_retention(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await client.post(URL, json=enterprise_body(), headers={"Idempotency-Key": "old-key"})
    await client.post(URL, json=enterprise_body(), headers={"Idempotency-Key": "new-key"})
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(idempotency.IdempotencyRecord)
            .where(idempotency.IdempotencyRecord.key == "old-key")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    assert await idempotency.prune(database, timedelta(hours=24)) == 1
    assert await _count(app, select(func.count()).select_from(idempotency.IdempotencyRecord)) == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "tab\there"])
async def test_malformed_keys_are_422(client: httpx.AsyncClient, key: str) -> None:
    response = await client.post(URL, json=enterprise_body(), headers={"Idempotency-Key": key})
    assert response.status_code == 422
