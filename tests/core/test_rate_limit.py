"""The public routes' per-client rate limit."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from capacity_exit.config import Settings
from capacity_exit.core.rate_limit import RateLimiter
from capacity_exit.main import create_app


def test_a_bucket_refills_at_the_rate() -> None:
    limiter = RateLimiter(per_minute=3)
    assert [limiter.seconds_until_allowed("a", now=0.0) for _ in range(3)] == [0.0] * 3
    assert limiter.seconds_until_allowed("a", now=0.0) == 20.0  # one token every 20 s
    assert limiter.seconds_until_allowed("b", now=0.0) == 0.0  # others are not affected
    assert limiter.seconds_until_allowed("a", now=20.0) == 0.0
    assert RateLimiter(per_minute=0).seconds_until_allowed("a", now=0.0) == 0.0


def test_a_burst_limit_spreads_requests_evenly() -> None:
    # A credit target at 2 requests a second: one second's worth at once, then every 0.5 s.
    limiter = RateLimiter(per_minute=120, burst=2)
    assert [limiter.seconds_until_allowed("t", now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limiter.seconds_until_allowed("t", now=0.0) == 0.5
    assert limiter.seconds_until_allowed("t", now=0.5) == 0.0
    # Below one a minute: one every 100 s, not rounded up to a minute.
    slow = RateLimiter(per_minute=0.6, burst=1)
    assert slow.seconds_until_allowed("t", now=0.0) == 0.0
    assert slow.seconds_until_allowed("t", now=0.0) == 100.0


async def _get(app: FastAPI, client: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(client, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path)


async def test_the_public_api_answers_429_with_retry_after(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"public_rate_limit": 2}))
    async with app.router.lifespan_context(app):
        path = "/api/v1/disclosures"
        assert (await _get(app, "203.0.113.5", path)).status_code == 200
        assert (await _get(app, "203.0.113.5", path)).status_code == 200
        limited = await _get(app, "203.0.113.5", path)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) == 30
        assert (await _get(app, "203.0.113.6", path)).status_code == 200
        # Health checks are not the public API and are never limited.
        assert (await _get(app, "203.0.113.5", "/healthz")).status_code == 200
