"""`working_days_after` (index lookup) against the holidays package's own
`get_nth_working_day` (a walk over days), on the same random inputs in the same run:
starts in 2019–2030, n in 1–30. Both answers are compared for every input.
"""

from __future__ import annotations

import platform
import random
import sys
import time
from datetime import date, timedelta

import holidays

from capacity_exit.calendar.service import build_index


def _inputs(calls: int, seed: int) -> list[tuple[date, int]]:
    rng = random.Random(seed)
    first, span = date(2019, 1, 1), (date(2030, 12, 31) - date(2019, 1, 1)).days
    return [
        (first + timedelta(days=rng.randrange(span + 1)), rng.randint(1, 30)) for _ in range(calls)
    ]


def run(*, calls: int, seed: int) -> None:
    inputs = _inputs(calls, seed)
    started = time.perf_counter()
    index = build_index([])
    build_seconds = time.perf_counter() - started

    after = index.working_days_after
    started = time.perf_counter()
    ours = [after(start, n).date for start, n in inputs]
    ours_seconds = time.perf_counter() - started

    package = holidays.country_holidays("CN", years=range(2019, 2033))
    nth = package.get_nth_working_day
    started = time.perf_counter()
    theirs = [nth(start, n) for start, n in inputs]
    theirs_seconds = time.perf_counter() - started

    disagreements = sum(1 for a, b in zip(ours, theirs, strict=True) if a != b)
    print(
        f"python {sys.version.split()[0]} on {platform.machine()}, holidays {holidays.__version__}"
    )
    print(f"inputs: {calls} calls, starts 2019-2030, n 1-30, seed {seed}")
    print(f"index build (2000-2116, once per process): {build_seconds:.2f} s")
    for label, seconds in (
        ("working_days_after:          ", ours_seconds),
        ("holidays get_nth_working_day:", theirs_seconds),
    ):
        print(f"{label} {seconds:8.2f} s  {seconds / calls * 1e6:8.2f} µs/call")
    print(f"speed-up: {theirs_seconds / ours_seconds:.1f}x   disagreements: {disagreements}")
    if disagreements:
        raise SystemExit("the two calendars disagree")
