from __future__ import annotations

from datetime import UTC, datetime, timedelta

from capacity_exit.auth.throttle import ThrottleRules, ThrottleState, after_failure, retry_after

RULES = ThrottleRules(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=5))
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_locks_on_the_nth_failure_within_the_window() -> None:
    state = ThrottleState()
    for minute in range(2):
        state = after_failure(state, T0 + timedelta(minutes=minute), RULES)
        assert retry_after(state, T0 + timedelta(minutes=minute)) is None
    state = after_failure(state, T0 + timedelta(minutes=2), RULES)
    assert retry_after(state, T0 + timedelta(minutes=2)) == 300
    assert retry_after(state, T0 + timedelta(minutes=6, seconds=59)) == 1
    assert retry_after(state, T0 + timedelta(minutes=7)) is None


def test_failures_outside_the_window_start_a_new_count() -> None:
    state = after_failure(ThrottleState(), T0, RULES)
    state = after_failure(state, T0 + timedelta(minutes=1), RULES)
    state = after_failure(state, T0 + timedelta(minutes=20), RULES)
    assert state.failures == 1
    assert retry_after(state, T0 + timedelta(minutes=20)) is None
