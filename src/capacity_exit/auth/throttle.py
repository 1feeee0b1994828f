"""Brute-force throttle for the token endpoint: a pure state machine over one login name.

`max_failures` failures within `window` lock the name for `lockout`; a success clears
it. Unknown names are throttled like known ones, so probing reveals nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from capacity_exit.core.clock import as_utc


@dataclass(frozen=True)
class ThrottleRules:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None


def retry_after(state: ThrottleState, now: datetime) -> int | None:
    """Seconds the caller must wait, or None when it may try."""
    if state.locked_until is None:
        return None
    remaining = (as_utc(state.locked_until) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else None


def after_failure(state: ThrottleState, now: datetime, rules: ThrottleRules) -> ThrottleState:
    window_open = (
        state.window_started_at is not None and now - as_utc(state.window_started_at) < rules.window
    )
    failures = state.failures + 1 if window_open else 1
    started = state.window_started_at if window_open else now
    if failures >= rules.max_failures:
        return ThrottleState(failures=0, window_started_at=None, locked_until=now + rules.lockout)
    return ThrottleState(failures=failures, window_started_at=started, locked_until=None)
