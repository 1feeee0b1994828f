"""Brute-force throttle for the token endpoint: the rules over one login name.

`max_failures` guesses within `window` lock the name for `lockout`; a success clears
it. Unknown names are throttled like known ones, so probing reveals nothing.

A guess is counted *before* its secret is checked: the repository's upsert increments
the name's count atomically and returns it (`reserve_guess`), and only a guess whose
reserved count is within the limit is checked. However many guesses arrive at once,
at most `max_failures` of them per window are ever checked against the account.
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
class Reservation:
    """What reserving a guess returned: the guesses counted in the current window (this
    one included) and the lock, if any."""

    failures: int
    locked_until: datetime | None


def retry_after(locked_until: datetime | None, now: datetime) -> int | None:
    """Seconds the caller must wait, or None when it may try."""
    if locked_until is None:
        return None
    remaining = (as_utc(locked_until) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else None


def may_check(reservation: Reservation, now: datetime, rules: ThrottleRules) -> bool:
    """Whether this guess may be checked against the account at all."""
    unlocked = retry_after(reservation.locked_until, now) is None
    return unlocked and reservation.failures <= rules.max_failures


def locks_on_failure(reservation: Reservation, rules: ThrottleRules) -> bool:
    """Whether this guess, found wrong, is the one that locks the name."""
    return reservation.failures >= rules.max_failures
