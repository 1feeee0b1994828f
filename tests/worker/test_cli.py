"""`capacity-exit worker` run from the shell: every job, or only those named."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.idempotency import IdempotencyRecord
from capacity_exit.worker.models import PeriodicJobState
from tests.fixtures.cli import run_cli

PERIODIC = [
    "audit_checkpoint",
    "idempotency_prune",
    "overdue_scan",
    "report_challenge_prune",
    "report_overdue_scan",
    "report_contact_retention",
]


async def _runs(database: Database) -> dict[str, int]:
    async with database.sessionmaker() as session:
        rows = await session.execute(select(PeriodicJobState.name, PeriodicJobState.runs))
    return {name: runs for name, runs in rows}


async def _old_key(database: Database) -> None:
    """An idempotency key past its retention: what pruning removes."""
    async with database.sessionmaker() as session, session.begin():
        session.add(
            IdempotencyRecord(
                subject="test|old", key="old", request_hash="0" * 64, state="done",
                created_at=clock.utcnow() - timedelta(hours=25),
            )
        )  # fmt: skip


async def _keys(database: Database) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0)


async def _worker(settings: Settings, *args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(
        run_cli, settings, "worker", "--until-idle", "--name", "operator", *args
    )
    return result.returncode, result.stderr


async def test_only_runs_the_named_job(app: FastAPI, settings: Settings) -> None:
    database: Database = app.state.database
    await _old_key(database)
    code, stderr = await _worker(settings, "--only", "idempotency_prune")
    assert code == 0, stderr
    assert await _runs(database) == {"idempotency_prune": 1}
    assert await _keys(database) == 0


async def test_until_idle_runs_each_periodic_job_once_per_period(
    app: FastAPI, settings: Settings
) -> None:
    database: Database = app.state.database
    for _ in range(2):  # the second run finds every job done for this period
        code, stderr = await _worker(settings)
        assert code == 0, stderr
        assert await _runs(database) == dict.fromkeys(PERIODIC, 1)
    clock.start_at(clock.utcnow() + timedelta(hours=1))
    code, stderr = await _worker(settings, "--no-scan")
    assert code == 0, stderr
    assert await _runs(database) == {
        "audit_checkpoint": 2,
        "idempotency_prune": 2,
        "overdue_scan": 1,
        "report_challenge_prune": 2,
        "report_overdue_scan": 2,  # --no-scan is the cases' scan only (its old flag)
        "report_contact_retention": 2,
    }


async def test_an_unknown_job_name_is_refused(app: FastAPI, settings: Settings) -> None:
    code, stderr = await _worker(settings, "--only", "idempotency_prune", "--only", "nope")
    assert code != 0
    assert "unknown job 'nope' (known: credit_delivery, overdue_scan" in stderr
    assert await _runs(app.state.database) == {}  # nothing ran
