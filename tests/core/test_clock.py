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
from tests.fixtures.clock import PINNED_DAY, PINNED_INSTANT

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


def test_development_may_start_the_clock_elsewhere(tmp_path: Path) -> None:
    start = dt.datetime(2031, 6, 15, 10, tzinfo=clock.BUSINESS_TZ)
    start_clock(Settings(env=Environment.development, var_dir=tmp_path, clock_start=start))
    assert clock.business_today() == dt.date(2031, 6, 15)


def test_production_refuses_a_moved_clock(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.production,
        database_url="postgresql+asyncpg://u@h/db",
        var_dir=tmp_path,
        clock_start=dt.datetime(2031, 6, 15, 10, tzinfo=clock.BUSINESS_TZ),
    )
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_CLOCK_START"):
        start_clock(settings)
    assert clock.business_today() == PINNED_DAY
