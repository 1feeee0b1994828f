"""`/metrics` (issue 16, item 7), scraped as Prometheus would: answers counted under the
route's template, latency buckets, the pool, the credit-push queue, the periodic jobs'
runs; off or behind a token where the settings say so."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, InsecureConfiguration, Settings
from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import PeriodicJob
from capacity_exit.core.metrics import UNMATCHED
from capacity_exit.main import create_app
from capacity_exit.worker.periodic import PeriodicRunner
from tests.conftest import ClientAs, TokenFor
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.credit import TARGETS, FakeCredit

CASE = "/api/v1/cases/{case_id}"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def _build(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield application, client
    await application.state.database.dispose()


@pytest.fixture
async def metered(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An application of its own, so that its counts are this test's alone."""
    async for built in _build(settings):
        yield built


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


async def test_answers_are_counted_under_the_route_template_and_status(
    metered: tuple[FastAPI, httpx.AsyncClient], token_for: TokenFor
) -> None:
    _, client = metered
    missing = uuid.uuid4()
    token = token_for(f"{COUNTY}-ecoenv", Role.officer)
    for _ in range(2):
        assert (await client.get("/healthz")).status_code == 200
    found = await client.get(
        f"/api/v1/cases/{missing}", headers={"Authorization": f"Bearer {token}"}
    )
    assert found.status_code == 404
    assert (await client.get(f"/api/v1/cases/{uuid.uuid4()}")).status_code == 401
    assert (await client.get(f"/no/such/{missing}")).status_code == 404
    assert (await client.head("/api/v1/disclosures")).status_code == 200
    assert (await client.get("/openapi.json")).status_code == 200
    untrusted = await client.get("/api/v1/disclosures", headers={"Host": "evil.example"})
    assert untrusted.status_code == 400

    response = await client.get("/metrics")
    samples = parse(response.text)
    total = "capexit_http_requests_total"
    assert value(samples, total, route="/healthz", method="GET", status="200") == 2
    assert value(samples, total, route=CASE, method="GET", status="404") == 1
    assert value(samples, total, route=CASE, method="GET", status="401") == 1
    # HEAD is answered by the GET's route, and a plain route (the contract) by its path.
    assert value(samples, total, route="/api/v1/disclosures", method="HEAD", status="200") == 1
    assert value(samples, total, route="/openapi.json", method="GET", status="200") == 1
    # A path no route answers, and a refusal before routing, under one label.
    assert value(samples, total, route=UNMATCHED, method="GET", status="404") == 1
    assert value(samples, total, route=UNMATCHED, method="GET", status="400") == 1
    # Never the path as sent, nor the principal.
    assert str(missing) not in response.text
    assert "test:" not in response.text and token not in response.text


async def test_latency_is_a_histogram_with_buckets(
    metered: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = metered
    for _ in range(3):
        await client.get("/healthz")
    samples = await scrape(client)
    name = "capexit_http_request_duration_seconds"
    labels = {"route": "/healthz", "method": "GET", "status_class": "2xx"}
    buckets = sorted(
        (float(dict(key)["le"]), count)
        for (sample, key), count in samples.items()
        if sample == f"{name}_bucket" and {(k, v) for k, v in key if k != "le"} == labels.items()
    )
    assert len(buckets) > 5
    assert buckets[-1] == (float("inf"), 3)
    counts = [count for _, count in buckets]
    assert counts == sorted(counts)  # cumulative
    assert value(samples, f"{name}_count", **labels) == 3
    assert (value(samples, f"{name}_sum", **labels) or 0) > 0


async def test_the_pool_is_measured(metered: tuple[FastAPI, httpx.AsyncClient]) -> None:
    application, client = metered
    database: Database = application.state.database
    pool = database.engine.sync_engine.pool
    async with database.engine.connect():
        held = await scrape(client)
    after = await scrape(client)
    assert value(held, "capexit_db_pool_size") == pool.size()  # type: ignore[attr-defined]
    assert value(held, "capexit_db_pool_checked_out") == 1
    assert value(after, "capexit_db_pool_checked_out") == 0
    assert value(after, "capexit_db_pool_overflow") == 0


async def test_the_credit_queue_by_target_and_status(
    metered: tuple[FastAPI, httpx.AsyncClient], client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    _, client = metered
    queued, age = "capexit_credit_pushes_queued", "capexit_credit_push_oldest_age_seconds"
    before = await scrape(client)
    for code, _name in TARGETS:
        assert value(before, queued, target=code, status="pending") == 0

    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    await take(owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。")
    clock.start_at(clock.utcnow() + dt.timedelta(hours=2))
    waiting = await scrape(client)
    for code, _name in TARGETS:
        assert value(waiting, queued, target=code, status="pending") == 1
        assert value(waiting, queued, target=code, status="dead") == 0
        assert 7200 <= (value(waiting, age, target=code, status="pending") or 0) < 7300

    await fake_credit.deliver_all()
    delivered = await scrape(client)
    for code, _name in TARGETS:
        assert value(delivered, queued, target=code, status="pending") == 0
        assert value(delivered, age, target=code, status="pending") == 0
    assert value(delivered, "capexit_metrics_source_up", source="credit_queue") == 1


async def test_periodic_job_runs_by_outcome_and_last_success(
    metered: tuple[FastAPI, httpx.AsyncClient], fake_credit: FakeCredit, database_url: str
) -> None:
    _, client = metered
    await fake_credit.scan_overdue()  # the worker's overdue scan, run once, successfully
    ran_at = clock.utcnow()

    async def broken(_database: Database, _today: dt.date) -> None:
        raise RuntimeError("the job broke")

    database = Database.from_url(database_url, pool_size=1)
    try:
        runner = PeriodicRunner(
            database, [PeriodicJob("test-broken", 3600, broken)], worker="w", lease_seconds=60
        )
        await runner.prepare()
        await runner.run_due()
    finally:
        await database.dispose()

    samples = await scrape(client)
    runs, last = (
        "capexit_periodic_job_runs_total",
        ("capexit_periodic_job_last_success_timestamp_seconds"),
    )
    [scan] = {dict(key)["job"] for (name, key) in samples if name == runs} - {"test-broken"}
    assert value(samples, runs, job=scan, outcome="succeeded") == 1
    assert value(samples, runs, job=scan, outcome="failed") == 0
    assert abs((value(samples, last, job=scan) or 0) - ran_at.timestamp()) < 5
    assert value(samples, runs, job="test-broken", outcome="failed") == 1
    assert value(samples, runs, job="test-broken", outcome="succeeded") == 0
    assert value(samples, last, job="test-broken") is None  # never succeeded


async def test_metrics_are_off_where_disabled_and_outside_the_contract(
    settings: Settings, metered: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    application, _ = metered
    assert "/metrics" not in application.openapi()["paths"]
    async for _, client in _build(settings.model_copy(update={"metrics_enabled": False})):
        response = await client.get("/metrics")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Settings(env=Environment.production).serves_metrics is False
    assert Settings(env=Environment.development).serves_metrics is True


async def test_a_token_guards_the_metrics(settings: Settings, tmp_path: Path) -> None:
    token_file = tmp_path / "metrics-token"
    token_file.write_text("scrape-secret-0123456789\n")
    guarded = settings.model_copy(update={"metrics_token_file": token_file})
    async for _, client in _build(guarded):
        # Prometheus names the instance by its address, not the public host name.
        instance = {"Host": "10.0.0.5:8000"}
        refused = await client.get("/metrics", headers=instance)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer guessed"})
        assert wrong.status_code == 401
        samples = await scrape(client, Authorization="Bearer scrape-secret-0123456789", **instance)
        assert value(samples, "capexit_db_pool_checked_out") == 0


def test_production_serves_metrics_only_behind_a_token(tmp_path: Path) -> None:
    settings = Settings(env=Environment.production, var_dir=tmp_path, metrics_enabled=True)
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_METRICS_TOKEN_FILE"):
        create_app(settings)


_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    import httpx
    from capacity_exit.config import Environment, Settings
    from capacity_exit.main import create_app

    async def main(requests: int, scrape: bool) -> None:
        app = create_app(Settings(env=Environment.test, database_url=sys.argv[3]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for _ in range(requests):
                assert (await c.get("/healthz")).status_code == 200
            if scrape:
                print((await c.get("/metrics")).text)
        app.state.metrics.close()
        await app.state.database.dispose()

    asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "scrape"))
    """
)


def test_several_processes_are_summed_in_multiprocess_mode(
    tmp_path: Path, database_url: str
) -> None:
    """`uvicorn --workers N`: each process writes to PROMETHEUS_MULTIPROC_DIR; a scrape
    answered by any one of them counts them all."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    env["PYTHONPATH"] = os.pathsep.join([str(Path("src").resolve()), env.get("PYTHONPATH", "")])

    def run(requests: int, mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _PROCESS, str(requests), mode, database_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(2, "count")
    samples = parse(run(3, "scrape"))
    total = "capexit_http_requests_total"
    assert value(samples, total, route="/healthz", method="GET", status="200") == 5
    assert value(samples, "capexit_metrics_source_up", source="periodic_jobs") == 1
