from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from capacity_exit.core import clock

TravelTo = Callable[[str], None]


@pytest.fixture
def travel_to(monkeypatch: pytest.MonkeyPatch) -> TravelTo:
    """`travel_to("2025-10-15")`: the business day the app sees from now on."""

    def go(day: str) -> None:
        today = dt.date.fromisoformat(day)
        monkeypatch.setattr(clock, "business_today", lambda: today)

    return go
