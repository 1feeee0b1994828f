"""Credit-push delivery: one worker against a bare httpx loop, to the fake on loopback.

A fresh PostgreSQL database holds `count` pending pushes (a third per target); the fake
credit platform (`capacity-exit fake-credit-platform`, no faults) runs in its own
process. First a bare loop posts the same payloads with the same headers, `batch` at a
time, with nothing else; then, after the fake forgets them, one worker claims, sends and
records them. Both run `rounds` times, alternated, from the same state (every push
pending, the platform empty). Reported: the median deliveries per second of each and
their ratio worker/bare (goal >= 0.7).
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import httpx
from sqlalchemy import delete, func, select, update
from tests.fixtures import baseline
from tests.fixtures.credit import TOKEN, sample_record, write_targets
from tests.fixtures.live_server import _free_port
from tests.fixtures.stores import fresh_postgres

from capacity_exit.config import Environment, Settings
from capacity_exit.core import migrations
from capacity_exit.core.db import Database
from capacity_exit.credit import delivery, outbox, targets
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.models import CreditPush, CreditPushAttempt
from capacity_exit.credit.records import Trigger
from capacity_exit.credit.worker import Worker
from capacity_exit.enterprise.models import Enterprise


async def _fill(database: Database, count: int) -> None:
    async with database.sessionmaker() as session, session.begin():
        enterprise = Enterprise(
            name="基准企业", credit_code="91220322MA0000000X", address="吉林省四平市",
            jurisdiction_code="220322", version=1,
        )  # fmt: skip
        session.add(enterprise)
        await session.flush()
        for n in range(count // len(targets.configured())):
            await outbox.add(
                session,
                sample_record(n, enterprise.name, enterprise.credit_code),
                trigger=Trigger.manual,
                enterprise_id=enterprise.id,
                jurisdiction_code="220322",
                case_id=None,
            )


async def _bare(database: Database, batch: int) -> tuple[int, float]:
    """The same payloads and headers, posted `batch` at a time: no claim, no record."""
    async with database.sessionmaker() as session:
        jobs = (await session.execute(select(CreditPush.target, CreditPush.idempotency_key,
                                             CreditPush.payload))).all()  # fmt: skip
    by_code = {t.code: t for t in targets.configured()}
    async with delivery.new_client() as client:
        started = time.perf_counter()
        for i in range(0, len(jobs), batch):
            answers = await asyncio.gather(*(
                delivery.send(client, by_code[j.target], j.idempotency_key, j.payload)
                for j in jobs[i : i + batch]
            ))  # fmt: skip
            assert all(a.status_code == 200 for a in answers), answers[0]
        return len(jobs), time.perf_counter() - started


async def _worker(database: Database, settings: Settings, batch: int) -> tuple[int, float]:
    worker = Worker(database, settings, name="bench", batch_size=batch)
    async with delivery.new_client() as client:
        started = time.perf_counter()
        await worker.drain(client)
        elapsed = time.perf_counter() - started
    async with database.sessionmaker() as session:
        delivered = await session.scalar(
            select(func.count()).where(CreditPush.status == PushStatus.delivered)
        )
    return int(delivered or 0), elapsed


async def _reset(database: Database, base: str) -> None:
    """Every push pending again, no attempts, and a platform that has seen nothing."""
    async with database.engine.begin() as connection:
        await connection.execute(delete(CreditPushAttempt))
        await connection.execute(
            update(CreditPush).values(
                status=PushStatus.pending.value, claims=0, delivered_at=None,
                lease_expires_at=None, worker=None, next_attempt_at=func.now(),
            )
        )  # fmt: skip
    async with httpx.AsyncClient() as client:
        await client.post(f"{base}/_reset")


async def _measure(
    url: str, settings: Settings, base: str, count: int, batch: int, rounds: int
) -> None:
    database = Database.from_url(url)
    bare: list[float] = []
    worker: list[float] = []
    try:
        await _fill(database, count)
        # Both measured with the process's long-lived objects frozen, as the worker runs.
        gc.collect()
        gc.freeze()
        for _ in range(rounds):  # alternated, so drifts of the machine touch both
            await _reset(database, base)
            bare_n, bare_s = await _bare(database, batch)
            await _reset(database, base)
            worker_n, worker_s = await _worker(database, settings, batch)
            assert worker_n == bare_n, (worker_n, bare_n)
            bare.append(bare_n / bare_s)
            worker.append(worker_n / worker_s)
    finally:
        await database.dispose()
    print(f"credit delivery: {worker_n:,} pushes, {batch} at a time, fake platform on loopback, "
          f"median of {rounds} alternated rounds")  # fmt: skip
    print(f"  bare httpx loop  {median(bare):8.1f} deliveries/s  (rounds: "
          f"{', '.join(f'{r:.0f}' for r in bare)})")  # fmt: skip
    print(f"  worker           {median(worker):8.1f} deliveries/s  (rounds: "
          f"{', '.join(f'{r:.0f}' for r in worker)})")  # fmt: skip
    print(f"  worker/bare: {median(worker) / median(bare):.2f} (goal >= 0.7)")


def run(count: int, batch: int, rounds: int = 3) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    fake = subprocess.Popen(
        [sys.executable, "-m", "capacity_exit.cli", "fake-credit-platform", "--port", str(port),
         "--token", TOKEN],
        stdout=subprocess.DEVNULL, env={**os.environ, "CAPEXIT_LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/_stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as directory, fresh_postgres() as url:
            migrations.upgrade(url)
            asyncio.run(baseline.seed(url))
            settings = Settings(
                env=Environment.test,
                database_url=url,
                var_dir=Path(directory),
                credit_targets_file=write_targets(Path(directory), base),
            )
            targets.install(settings)
            asyncio.run(_measure(url, settings, base, count, batch, rounds))
    finally:
        fake.terminate()
        fake.wait(timeout=10)
