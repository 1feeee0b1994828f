"""The periodic jobs' queries, each on one job's row (its name in the statement).

A claim is one conditional UPDATE ... RETURNING: on PostgreSQL a concurrent claim waits
for the first to commit, then finds the row leased and takes nothing; SQLite runs one
worker (and serialises writers anyway). No lock is held while the job runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from capacity_exit.core.clock import as_utc
from capacity_exit.core.db import Database
from capacity_exit.worker.models import PeriodicJobState

ERROR_CHARS = 2000  # what is kept of a failed run's error


async def ensure(database: Database, names: Sequence[str], now: datetime) -> None:
    """A row for each job not seen before, due at once."""
    if not names:
        return
    insert = postgresql.insert if database.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(PeriodicJobState)
        .values(
            [{"name": n, "next_run_at": now, "claims": 0, "runs": 0, "failures": 0} for n in names]
        )
        .on_conflict_do_nothing(index_elements=[PeriodicJobState.name])
    )
    async with database.engine.begin() as connection:
        await connection.execute(statement)


async def claim(
    database: Database, name: str, *, worker: str, now: datetime, lease_until: datetime
) -> int | None:
    """The job's run, leased to `worker`, if it is due and nobody holds a live lease on
    it: the claim's number, which its finish names; else None."""
    row = PeriodicJobState
    statement = (
        update(row)
        .where(
            row.name == name,
            row.next_run_at <= now,
            or_(row.lease_until.is_(None), row.lease_until <= now),
        )
        .values(
            claimed_by=worker,
            lease_until=lease_until,
            last_started_at=now,
            claims=row.claims + 1,
        )
        .returning(row.claims)
    )
    async with database.engine.begin() as connection:
        return (await connection.execute(statement)).scalar_one_or_none()


async def finish(
    database: Database,
    name: str,
    *,
    claim: int,
    now: datetime,
    next_run_at: datetime,
    error: str | None,
) -> bool:
    """Record the end of claim `claim` and when the job runs next; False (nothing
    written) when its lease expired and another worker has claimed it since."""
    row = PeriodicJobState
    outcome: dict[str, Any] = (
        {"last_error": None, "last_succeeded_at": now}
        if error is None
        else {"last_error": error[:ERROR_CHARS], "failures": row.failures + 1}
    )
    statement = (
        update(row)
        .where(row.name == name, row.claims == claim)
        .values(
            claimed_by=None,
            lease_until=None,
            last_finished_at=now,
            runs=row.runs + 1,
            next_run_at=next_run_at,
            **outcome,
        )
        .returning(row.name)
    )
    async with database.engine.begin() as connection:
        return (await connection.execute(statement)).first() is not None


async def next_chance(database: Database, name: str) -> datetime | None:
    """The earliest instant the job could be claimed: its next run, or the end of the
    lease held on it, whichever is later (None: no row)."""
    row = PeriodicJobState
    statement = select(row.next_run_at, row.lease_until).where(row.name == name)
    async with database.engine.connect() as connection:
        found = (await connection.execute(statement)).first()
    if found is None:
        return None
    next_run_at, lease_until = found
    return max(as_utc(next_run_at), as_utc(lease_until or next_run_at))


async def every_state(database: Database) -> Sequence[PeriodicJobState]:
    """Every job's row, by name: the system's view, for /metrics."""
    async with database.sessionmaker() as session:
        return (
            await session.scalars(select(PeriodicJobState).order_by(PeriodicJobState.name))
        ).all()


async def state(database: Database, name: str) -> PeriodicJobState | None:
    """The job's row as stored (operators, tests)."""
    async with database.sessionmaker() as session:
        return await session.get(PeriodicJobState, name)
