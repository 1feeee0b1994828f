"""Periodic jobs run once per period across all workers, and a run whose worker died
is taken over once its lease expires."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from capacity_exit.core import clock
from capacity_exit.core.db import Database, is_sqlite
from capacity_exit.core.jobs import PeriodicJob
from capacity_exit.worker import repository
from capacity_exit.worker.periodic import PeriodicRunner, next_run_after

PERIOD = 3600.0
LEASE = 60.0


@dataclass
class Ticks:
    """A periodic job whose effect is a list of the runs it made."""

    seconds: float = 0.05  # long enough for the workers' claims to overlap it
    runs: list[tuple[int, dt.date]] = field(default_factory=list)
    hold: asyncio.Event | None = None  # the first run waits for it (a stuck worker)
    fail: bool = False

    def job(self, name: str = "tick") -> PeriodicJob:
        async def run(database: Database, today: dt.date) -> None:
            self.runs.append((id(database), today))
            if self.hold is not None and len(self.runs) == 1:
                await self.hold.wait()
            await asyncio.sleep(self.seconds)
            if self.fail:
                raise RuntimeError("the job broke")

        return PeriodicJob(name, PERIOD, run)


@pytest.fixture
async def databases(database_url: str) -> AsyncIterator[list[Database]]:
    """Three workers' own engines on the test database."""
    opened = [Database.from_url(database_url, pool_size=2) for _ in range(3)]
    yield opened
    for database in opened:
        await database.dispose()


def _travel_one_period() -> None:
    clock.start_at(clock.utcnow() + dt.timedelta(seconds=PERIOD))


async def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (a condition on the test's own state)
            await asyncio.sleep(0.01)


async def test_three_workers_run_a_periodic_job_once_per_period(
    databases: list[Database], database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several workers claim at once on PostgreSQL; SQLite runs one worker")
    ticks = Ticks()
    job = ticks.job()
    runners = [
        PeriodicRunner(db, [job], worker=f"w{n}", lease_seconds=LEASE)
        for n, db in enumerate(databases)
    ]
    await asyncio.gather(*(r.prepare() for r in runners))
    stop = asyncio.Event()
    running = [asyncio.create_task(r.run(stop, poll_seconds=0.01)) for r in runners]
    try:
        await _until(lambda: len(ticks.runs) == 1)
        await asyncio.sleep(0.3)  # all three keep polling through the rest of the period
        state = await repository.state(databases[0], job.name)
        assert state is not None
        assert (len(ticks.runs), state.runs, state.claims, state.claimed_by) == (1, 1, 1, None)
        assert clock.as_utc(state.next_run_at) == next_run_after(
            clock.as_utc(state.last_started_at or state.next_run_at), PERIOD
        )

        _travel_one_period()
        await _until(lambda: len(ticks.runs) == 2)
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await asyncio.gather(*running)
    state = await repository.state(databases[0], job.name)
    assert state is not None
    assert (len(ticks.runs), state.runs, state.claims, state.last_error) == (2, 2, 2, None)
    assert {today for _, today in ticks.runs} == {clock.business_today()}


async def test_claims_made_at_the_same_moment_run_the_job_once(
    databases: list[Database], database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several workers claim at once on PostgreSQL; SQLite runs one worker")
    ticks = Ticks()
    job = ticks.job()
    runners = [PeriodicRunner(db, [job], worker=f"w{n}", lease_seconds=LEASE)
               for n, db in enumerate(databases)]  # fmt: skip
    await asyncio.gather(*(r.prepare() for r in runners))
    for period in (1, 2):
        ran = await asyncio.gather(*(r.run_due() for r in runners))
        assert sorted(map(len, ran)) == [0, 0, 1]
        assert await asyncio.gather(*(r.run_due() for r in runners)) == [[], [], []]
        assert len(ticks.runs) == period
        _travel_one_period()


async def test_a_run_whose_worker_is_stuck_is_taken_over_when_its_lease_expires(
    databases: list[Database], caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks(hold=asyncio.Event())
    job = ticks.job()
    stuck, other = (
        PeriodicRunner(db, [job], worker=name, lease_seconds=LEASE)
        for db, name in zip(databases, ("stuck", "other"), strict=False)
    )
    await stuck.prepare()
    first = asyncio.create_task(stuck.run_due())
    await _until(lambda: len(ticks.runs) == 1)
    assert await other.run_due() == []  # leased to the stuck worker
    state = await repository.state(databases[0], job.name)
    assert state is not None and state.claimed_by == "stuck"

    clock.start_at(clock.utcnow() + dt.timedelta(seconds=LEASE + 1))
    assert await other.run_due() == [job.name]  # the lease ran out: run again
    state = await repository.state(databases[0], job.name)
    assert state is not None
    assert (state.claims, state.runs, state.claimed_by) == (2, 1, None)

    assert ticks.hold is not None
    ticks.hold.set()  # the stuck worker wakes up: its finish does not land
    with caplog.at_level("WARNING", logger="capacity_exit.worker.periodic"):
        assert await first == [job.name]
    assert "outlived its lease" in caplog.text
    after = await repository.state(databases[0], job.name)
    assert after is not None
    assert (after.claims, after.runs, after.next_run_at) == (2, 1, state.next_run_at)
    assert await other.run_due() == [] and await stuck.run_due() == []  # this period is done


async def test_a_failed_run_is_kept_and_tried_again_next_period(
    databases: list[Database], caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks(seconds=0, fail=True)
    broken, fine = ticks.job("broken"), Ticks(seconds=0).job("fine")
    runner = PeriodicRunner(databases[0], [broken, fine], worker="w", lease_seconds=LEASE)
    await runner.prepare()
    with caplog.at_level("ERROR", logger="capacity_exit.worker.periodic"):
        assert await runner.run_due() == ["broken", "fine"]  # one failure stops no other
    assert "periodic job broken failed" in caplog.text
    state = await repository.state(databases[0], "broken")
    assert state is not None
    assert (state.runs, state.last_error) == (1, "RuntimeError: the job broke")
    assert await runner.run_due() == []
    _travel_one_period()
    assert await runner.run_due() == ["broken", "fine"]


async def test_a_job_that_is_off_never_runs(databases: list[Database]) -> None:
    off = PeriodicJob("off", 0, Ticks().job().run)
    runner = PeriodicRunner(databases[0], [off], worker="w", lease_seconds=LEASE)
    await runner.prepare()
    assert await runner.run_due() == []
    assert await repository.state(databases[0], "off") is None


def test_the_next_run_is_the_start_of_the_next_period() -> None:
    at = dt.datetime(2026, 11, 30, 2, 59, 59, tzinfo=dt.UTC)
    assert next_run_after(at, 3600) == dt.datetime(2026, 11, 30, 3, tzinfo=dt.UTC)
    assert next_run_after(at.replace(minute=0, second=0), 3600) == at.replace(
        hour=3, minute=0, second=0
    )
    assert next_run_after(at, 86_400) == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
