"""GET /api/v1/report-challenges: a fresh ALTCHA challenge for anyone, never cached."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.config import Settings
from capacity_exit.core.challenge import ChallengeSpent, spend_solution
from capacity_exit.core.db import Database
from capacity_exit.main import create_app
from tests.fixtures.reports import encode, solve

pytestmark = pytest.mark.seed("一(一)5")
URL = "/api/v1/report-challenges"


async def test_anyone_gets_a_new_challenge_that_solves_once(
    app: FastAPI, anonymous: httpx.AsyncClient, settings: Settings
) -> None:
    answer = await anonymous.get(URL)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    issued = answer.json()
    assert issued["algorithm"] == "SHA-256"
    assert issued["maxnumber"] == settings.report_challenge_max_number
    assert (await anonymous.get(URL)).json()["challenge"] != issued["challenge"]

    payload = encode(solve(issued))
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        await spend_solution(session, payload, settings)
    async with database.sessionmaker() as session, session.begin():
        with pytest.raises(ChallengeSpent):
            await spend_solution(session, payload, settings)


async def test_the_challenge_route_is_under_the_public_rate_limit(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"public_rate_limit": 1}))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get(URL)).status_code == 200
            limited = await http.get(URL)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "60"
    finally:
        await app.state.database.dispose()
