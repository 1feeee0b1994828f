"""The application's clock: one place reads the time, tests and development may start it
elsewhere, production never."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
from pathlib import Path

import pytest

import capacity_exit
from capacity_exit.config import Environment, InsecureConfiguration, Settings, start_clock
from capacity_exit.core import clock
from tests.fixtures.clock import PINNED_DAY, PINNED_INSTANT, process_env

SOURCE = Path(capacity_exit.__file__).parent
# Reads of the system clock that are not "now" or "today" for a record: token validity
# (checked by peers against their own clocks), request timing, id ordering, and the
# timestamp a signed request to a credit platform carries.
SYSTEM_CLOCK_READERS = {
    "core/clock.py",
    "auth/tokens.py",
    "core/ids.py",
    "credit/delivery.py",
}
WALL_CLOCK_CALLS = {"now", "today", "utcnow", "time", "time_ns", "localtime", "gmtime"}


def _wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WALL_CLOCK_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"datetime", "date", "time", "dt"}
        ):
            found.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


def test_the_application_reads_today_only_through_the_clock() -> None:
    reads = [
        read
        for path in sorted(SOURCE.rglob("*.py"))
        if path.relative_to(SOURCE).as_posix() not in SYSTEM_CLOCK_READERS
        for read in _wall_clock_reads(path)
    ]
    assert reads == []


def test_every_test_starts_on_the_pinned_day() -> None:
    assert clock.business_today() == PINNED_DAY
    assert PINNED_INSTANT <= clock.utcnow() < PINNED_INSTANT + dt.timedelta(minutes=5)


async def test_a_started_clock_runs_on() -> None:
    clock.start_at(dt.datetime(2031, 6, 15, 23, 59, 59, 900_000, tzinfo=clock.BUSINESS_TZ))
    assert clock.business_today() == dt.date(2031, 6, 15)
    await asyncio.sleep(0.2)  # waits and leases see time pass
    assert clock.business_today() == dt.date(2031, 6, 16)


def test_the_business_day_is_shanghais() -> None:
    clock.start_at(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC))  # 00:30 in Shanghai
    assert clock.business_today() == dt.date(2027, 1, 1)
    assert clock.utcnow().tzinfo is dt.UTC


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        clock.start_at(dt.datetime(2026, 11, 30, 10))


def test_development_may_shift_the_clock(tmp_path: Path) -> None:
    clock.reset()
    system = clock.utcnow()
    week = dt.timedelta(days=7).total_seconds()
    start_clock(Settings(env=Environment.development, var_dir=tmp_path, clock_shift_seconds=week))
    assert clock.shift() == dt.timedelta(days=7)
    ahead = clock.utcnow() - system
    assert dt.timedelta(days=7) <= ahead < dt.timedelta(days=7, minutes=1)


def test_another_process_shares_the_tests_clock() -> None:
    shift = float(process_env()["CAPEXIT_CLOCK_SHIFT_SECONDS"])
    before = clock.utcnow()
    clock.reset()
    clock.shift_by(dt.timedelta(seconds=shift))  # what the other process's settings do
    assert before <= clock.utcnow() < before + dt.timedelta(seconds=1)


def test_production_refuses_a_moved_clock(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.production,
        database_url="postgresql+asyncpg://u@h/db",
        var_dir=tmp_path,
        clock_shift_seconds=86_400.0,
    )
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_CLOCK_SHIFT_SECONDS"):
        start_clock(settings)
    assert clock.business_today() == PINNED_DAY
