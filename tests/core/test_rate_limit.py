"""The per-client rate limits: the public routes', and those routes ask for by name."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends, FastAPI

from capacity_exit.config import Settings
from capacity_exit.core.rate_limit import RateLimiter, limited, named_limiters
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


async def _limited_app(settings: Settings) -> tuple[FastAPI, list[float]]:
    """The app with a route behind the report-submission limit (2 a minute), on a
    monotonic clock the test moves by hand. The route touches no database: no lifespan."""
    # The session's settings turn both report limits off; this app has them back.
    update = {"report_submit_per_minute": 2, "report_lookup_per_minute": 20}
    app = create_app(settings.model_copy(update=update))

    async def submit() -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/limited", submit, dependencies=[Depends(limited("report_submit"))])
    now = [1000.0]
    app.state.rate_limiters["report_submit"].clock = lambda: now[0]
    return app, now


async def test_a_named_limit_answers_429_with_retry_after_then_recovers(
    settings: Settings,
) -> None:
    app, now = await _limited_app(settings)
    client = "198.51.100.7"
    assert [(await _get(app, client, "/limited")).status_code for _ in range(2)] == [200, 200]
    refused = await _get(app, client, "/limited")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["retry-after"] == "30"  # one request every 30 s
    assert (await _get(app, "198.51.100.8", "/limited")).status_code == 200
    now[0] += 20
    again = await _get(app, client, "/limited")
    assert (again.status_code, again.headers["retry-after"]) == (429, "10")
    now[0] += 10  # the bucket has refilled one request's worth
    assert (await _get(app, client, "/limited")).status_code == 200
    # The public limit is off in these settings: the named one alone refused.
    assert settings.public_rate_limit == 0
    assert app.state.rate_limiters["report_lookup"].per_minute == 20  # untouched by it


async def test_an_ipv6_client_is_counted_by_its_64(settings: Settings) -> None:
    app, _ = await _limited_app(settings)
    statuses = [(await _get(app, f"2001:db8:1:2::{n:x}", "/limited")).status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # three addresses of one /64: one client
    assert (await _get(app, "2001:db8:1:3::1", "/limited")).status_code == 200
    assert (await _get(app, "::ffff:198.51.100.9", "/limited")).status_code == 200


async def test_an_unknown_limit_name_is_a_programming_error() -> None:
    app = FastAPI()
    app.state.rate_limiters = named_limiters({"report_submit": 1})

    async def route() -> None: ...

    app.add_api_route("/x", route, dependencies=[Depends(limited("report_sumbit"))])
    with pytest.raises(LookupError, match="no rate limit named 'report_sumbit'"):
        await _get(app, "198.51.100.7", "/x")
