"""Delivery survives failures of theirs and ours (PostgreSQL, several worker processes).

2,000 pushes; the fake platform fails 30 % of requests with 500s, stalls past the
client's timeout and dropped connections; four `capacity-exit worker` processes run at
once and one is killed with SIGKILL mid-batch. At the end every push is delivered,
the platform applied each idempotency key exactly once (and only our keys), and no
push is left pending, retrying or in flight.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from capacity_exit.auth.roles import Role
from capacity_exit.credit import outbox, targets
from capacity_exit.credit.fake_platform import Faults
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.models import CreditPush, CreditPushAttempt
from capacity_exit.credit.records import Trigger
from tests.conftest import ClientAs
from tests.fixtures.clock import process_env
from tests.fixtures.credit import FakeCredit, sample_record, write_targets
from tests.fixtures.factories import enterprise_body
from tests.fixtures.stores import store

JOBS = 2_000
WORKERS = 4
pytestmark = pytest.mark.skipif(
    store() != "postgres", reason="several workers claim with SKIP LOCKED: PostgreSQL only"
)


def _worker(n: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "capacity_exit.cli", "worker", "--name", f"w{n}",
         "--no-scan", "--poll", "0.05", "--batch", "25"],
        env=env,
    )  # fmt: skip


async def _count(app: FastAPI, *statuses: PushStatus) -> int:
    async with app.state.database.sessionmaker() as session:
        query = select(func.count()).select_from(CreditPush)
        if statuses:
            query = query.where(CreditPush.status.in_(statuses))
        return int(await session.scalar(query) or 0)


@pytest.mark.seed("一(二)")
@pytest.mark.serial  # four worker processes and 2,001 pushes under a 180 s bound
async def test_every_push_is_delivered_once_through_faults_and_a_killed_worker(
    client_as: ClientAs,
    fake_credit: FakeCredit,
    app: FastAPI,
    database_url: str,
    tmp_path: Path,
) -> None:
    owner = client_as("220322-miit", Role.officer)
    enterprise = (await owner.post("/api/v1/enterprises", json=enterprise_body())).json()
    targets_file = write_targets(tmp_path, fake_credit.base, timeout=0.5)
    # The pushes get the workers' allowance of attempts (their budget is set when made):
    # under load leases expire and reclaims count as attempts too.
    targets.install(
        fake_credit.settings.model_copy(
            update={"credit_targets_file": targets_file, "credit_max_attempts": 50}
        )
    )
    async with app.state.database.sessionmaker() as session, session.begin():
        for n in range(JOBS // 3 + 1):  # three targets: 2,001 pushes
            await outbox.add(
                session,
                sample_record(n, enterprise["name"], enterprise["credit_code"]),
                trigger=Trigger.manual,
                enterprise_id=enterprise["id"],
                jurisdiction_code="220322",
                case_id=None,
            )
    total = await _count(app)
    assert total >= JOBS
    fake_credit.platform.faults = Faults(
        error_rate=0.3, kinds=["500", "timeout", "drop"], stall_seconds=0.8
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CAPEXIT_ENV": "test",
        "CAPEXIT_VAR_DIR": str(tmp_path),
        "CAPEXIT_LOG_LEVEL": "WARNING",
        "CAPEXIT_CREDIT_TARGETS_FILE": str(targets_file),
        "CAPEXIT_CREDIT_LEASE_SECONDS": "3",
        "CAPEXIT_CREDIT_BACKOFF_BASE_SECONDS": "0.05",
        "CAPEXIT_CREDIT_BACKOFF_CAP_SECONDS": "0.5",
        "CAPEXIT_CREDIT_MAX_ATTEMPTS": "50",
        **process_env(),
    }
    workers = [_worker(n, env) for n in range(WORKERS)]
    try:
        async with asyncio.timeout(180):
            # Kill one mid-batch, once the run is well under way.
            # (Polling the platform's counter, which has no event to wait on.)
            while fake_credit.platform.received < total // 5:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            workers[0].send_signal(signal.SIGKILL)
            while await _count(app, PushStatus.delivered) < total:
                assert await _count(app, PushStatus.dead, PushStatus.cancelled) == 0
                await asyncio.sleep(0.2)
        for worker in workers[1:]:  # the others stop cleanly on SIGTERM
            worker.send_signal(signal.SIGTERM)
        # (Waited for off the event loop, which serves the platform meanwhile.)
        codes = [await asyncio.to_thread(w.wait, 30) for w in workers[1:]]
        assert codes == [0] * (WORKERS - 1)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert workers[0].returncode == -signal.SIGKILL
    assert await _count(app, PushStatus.pending, PushStatus.retrying, PushStatus.in_flight) == 0
    platform = fake_credit.platform
    async with app.state.database.sessionmaker() as session:
        keys = set((await session.scalars(select(CreditPush.idempotency_key))).all())
        outcomes = dict(
            (
                await session.execute(
                    select(CreditPushAttempt.outcome, func.count()).group_by(
                        CreditPushAttempt.outcome
                    )
                )
            ).all()
        )
    assert set(platform.applied) == keys  # every push, and nothing but our pushes
    assert set(platform.applications.values()) == {1}  # each applied once
    # The faults really happened, and some deliveries the platform had applied went
    # unanswered and were sent again: deduplicated by their key.
    assert set(platform.faults_injected) == {"500", "timeout", "drop"}
    assert platform.stats()["duplicates"] > 0
    assert outcomes["delivered"] == total
    assert outcomes["retry"] > 0
