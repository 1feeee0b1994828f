"""The throttle's rules, and the atomic reservation of guesses in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from capacity_exit.auth import repository
from capacity_exit.auth.throttle import (
    Reservation,
    ThrottleRules,
    locks_on_failure,
    may_check,
    retry_after,
)
from capacity_exit.core.db import Database

RULES = ThrottleRules(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=5))
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_retry_after_counts_down_to_the_end_of_the_lock() -> None:
    until = T0 + timedelta(minutes=5)
    assert retry_after(until, T0) == 300
    assert retry_after(until, T0 + timedelta(minutes=4, seconds=59)) == 1
    assert retry_after(until, until) is None
    assert retry_after(None, T0) is None


def test_only_guesses_within_the_limit_are_checked() -> None:
    assert may_check(Reservation(3, None), T0, RULES)
    assert not may_check(Reservation(4, None), T0, RULES)
    assert not may_check(Reservation(1, T0 + timedelta(seconds=1)), T0, RULES)
    assert not locks_on_failure(Reservation(2, None), RULES)
    assert locks_on_failure(Reservation(3, None), RULES)


async def _reserve(app: FastAPI, login: str, now: datetime) -> Reservation:
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        return await repository.reserve_guess(session, login, now, RULES)


async def test_reservations_count_lock_and_start_again(app: FastAPI) -> None:
    counts = [(await _reserve(app, "r.one", T0 + timedelta(seconds=i))).failures for i in range(3)]
    assert counts == [1, 2, 3]
    # Past the limit the name locks itself, whatever the service does with the answer.
    over = await _reserve(app, "r.one", T0 + timedelta(seconds=3))
    assert over.failures == 4 and retry_after(over.locked_until, T0 + timedelta(seconds=3)) == 300
    # While locked nothing moves.
    during = await _reserve(app, "r.one", T0 + timedelta(minutes=4))
    assert during == Reservation(4, during.locked_until)
    assert retry_after(during.locked_until, T0 + timedelta(minutes=4)) == 63
    # After the lock, a new count.
    after = await _reserve(app, "r.one", T0 + timedelta(minutes=6))
    assert (after.failures, after.locked_until) == (1, None)


async def test_a_closed_window_starts_a_new_count(app: FastAPI) -> None:
    await _reserve(app, "r.two", T0)
    assert (await _reserve(app, "r.two", T0 + timedelta(minutes=1))).failures == 2
    assert (await _reserve(app, "r.two", T0 + timedelta(minutes=16))).failures == 1
    assert (await _reserve(app, "r.two", T0 + timedelta(minutes=17))).failures == 2
