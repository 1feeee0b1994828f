"""The public disclosure list under load: the app against a raw-asyncpg baseline.

One fresh PostgreSQL database is filled first with `small` disclosures, then grown to
`rows`. At each size both servers (the app, and `raw_disclosures`: the same query and
JSON with nothing else) are loaded in turn by `wrk` on loopback with the same filtered
request: one jurisdiction and category, a page of 50. Reported: requests per second and
p99 latency of each, the throughput ratio app/raw (goal ≥ 0.5) and the app's p99 at
`rows` over its p99 at `small` (goal ≤ 1.5).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from tests.fixtures import baseline
from tests.fixtures.live_server import _free_port, live_server
from tests.fixtures.stores import fresh_postgres

from capacity_exit.core import migrations
from capacity_exit.core.ids import uuid7

JURISDICTIONS = ["220302", "220303", "220322", "220323", "220382", "220300"]
CATEGORIES = ["illegal", "elimination", "rectification", "forced_exit", "compliant"]
TARGET = {"jurisdiction": "220322", "category": "elimination", "limit": "50"}
COLUMNS = (
    "id", "series_id", "version", "status", "kind", "category", "case_id", "step",
    "enterprise_id", "enterprise_name", "enterprise_credit_code", "enterprise_address",
    "department_code", "department_name", "level", "jurisdiction_code", "jurisdiction_name",
    "published_at", "due_date", "on_time", "period_end", "content", "previous_id",
    "correction_reason", "withdrawn_at", "withdrawn_reason", "published_by", "co_publishers",
)  # fmt: skip
CONTENT = json.dumps(
    {
        "elimination_items": [
            {
                "name": "1000立方米高炉",
                "model": "XG-1000",
                "quantity": 1,
                "capacity": 80,
                "capacity_unit": "万吨/年",
            }
        ],
        "elimination_basis": "《产业结构调整指导目录（2019年本）》淘汰类",
        "voluntary": False,
        "exit_method": "dismantle",
        "handling_requirements": "拆除高炉本体及配套设施。",
        "completion_deadline": "2027-06-30",
        "responsible_departments": [{"code": "220322-miit", "name": "梨树县工业和信息化局"}],
    },
    ensure_ascii=False,
)


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _owners(connection: asyncpg.Connection) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """One enterprise and case per jurisdiction, for the disclosures to refer to."""
    owners = []
    for n, code in enumerate(JURISDICTIONS):
        enterprise, case = uuid7(), uuid7()
        await connection.execute(
            "INSERT INTO enterprises (id, name, credit_code, address, jurisdiction_code,"
            " version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, now(), now())",
            enterprise, f"基准企业{n}", f"9122{n:014d}", "吉林省四平市", code,
        )  # fmt: skip
        await connection.execute(
            "INSERT INTO cases (id, category, status, enterprise_id, jurisdiction_code,"
            " department_code, payload, overdue, version, created_at, updated_at)"
            " VALUES ($1, 'elimination', 'publicized', $2, $3, $4, '{}', false, 1, now(), now())",
            case, enterprise, code, f"{code}-miit",
        )  # fmt: skip
        owners.append((enterprise, case, code))
    return owners


async def fill(url: str, count: int, seed: int) -> None:
    """Add `count` disclosures spread over jurisdictions, categories and statuses."""
    rng = random.Random(seed)
    connection = await asyncpg.connect(_dsn(url))
    try:
        owners = await connection.fetch("SELECT id, enterprise_id, jurisdiction_code FROM cases")
        if not owners:
            await _owners(connection)
            owners = await connection.fetch(
                "SELECT id, enterprise_id, jurisdiction_code FROM cases"
            )
        published = datetime(2025, 1, 1, tzinfo=UTC)
        batch: list[tuple[object, ...]] = []
        for i in range(count):
            case = owners[i % len(owners)]
            code = case["jurisdiction_code"]
            roll = rng.random()
            status = "current" if roll < 0.96 else ("superseded" if roll < 0.98 else "withdrawn")
            batch.append((
                uuid7(), uuid.uuid4(), 1, status, "publicity", CATEGORIES[rng.randrange(5)],
                case["id"], "publish", case["enterprise_id"], f"基准企业{i % 997}",
                f"9122{i:014d}", "吉林省四平市", f"{code}-miit", "工业和信息化局", "county",
                code, "四平市", published + timedelta(seconds=i), date(2025, 10, 16), True,
                None, CONTENT, None, None, None, None, "bench", "[]",
            ))  # fmt: skip
            if len(batch) == 50_000 or i == count - 1:
                await connection.copy_records_to_table(
                    "disclosures", records=batch, columns=COLUMNS
                )
                batch = []
        await connection.execute("ANALYZE disclosures")
    finally:
        await connection.close()


@contextmanager
def raw_server(url: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.raw_disclosures:app",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "BENCH_DSN": _dsn(url)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/", params=TARGET, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


_LATENCY = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> Load:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    latency, rate = _LATENCY.search(output), _RATE.search(output)
    if latency is None or rate is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return Load(float(rate.group(1)), float(latency.group(1)) * _SCALE[latency.group(2)])


def measure(app_base: str, raw_base: str, seconds: int, connections: int) -> tuple[Load, Load]:
    query = "&".join(f"{k}={v}" for k, v in TARGET.items())
    app_url, raw_url = f"{app_base}/api/v1/disclosures?{query}", f"{raw_base}/?{query}"
    app_ids = [d["id"] for d in httpx.get(app_url).json()["items"]]
    raw_ids = [d["id"] for d in httpx.get(raw_url).json()["items"]]
    if app_ids != raw_ids or len(app_ids) != int(TARGET["limit"]):
        raise RuntimeError("the app and the baseline disagree on the page")
    wrk(app_url, 2, connections)  # warm-up
    wrk(raw_url, 2, connections)
    return wrk(app_url, seconds, connections), wrk(raw_url, seconds, connections)


def run(rows: int, small: int, seconds: int, connections: int, seed: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package `wrk`); `make bench` installs it")
    results = {}
    with tempfile.TemporaryDirectory() as var_dir, fresh_postgres() as url:
        migrations.upgrade(url)
        asyncio.run(baseline.seed(url))
        started = time.perf_counter()
        asyncio.run(fill(url, small, seed))
        with (
            live_server(url, Path(var_dir), CAPEXIT_PUBLIC_RATE_LIMIT="0") as app,
            raw_server(url) as raw,
        ):
            results[small] = measure(app, raw, seconds, connections)
            asyncio.run(fill(url, rows - small, seed + 1))
            filled = time.perf_counter() - started
            results[rows] = measure(app, raw, seconds, connections)
    print(f"public disclosure list: {rows:,} rows filled in {filled:.0f} s; wrk -t1 "
          f"-c{connections} -d{seconds}s, filter {TARGET}")  # fmt: skip
    for size, (app_load, raw_load) in results.items():
        print(
            f"  {size:>9,} rows  app {app_load.requests_per_second:8.1f} req/s "
            f"p99 {app_load.p99_ms:7.2f} ms | raw {raw_load.requests_per_second:8.1f} req/s "
            f"p99 {raw_load.p99_ms:7.2f} ms | throughput app/raw "
            f"{app_load.requests_per_second / raw_load.requests_per_second:.2f} (goal >= 0.5)"
        )
    growth = results[rows][0].p99_ms / results[small][0].p99_ms
    print(f"  app p99 at {rows:,} / at {small:,}: {growth:.2f} (goal <= 1.5)")
