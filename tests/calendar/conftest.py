from __future__ import annotations

import pytest

from capacity_exit.calendar.index import CalendarIndex
from capacity_exit.calendar.service import build_index


@pytest.fixture(scope="session")
def index() -> CalendarIndex:
    """The package-only calendar (no loaded schedules)."""
    return build_index([])
