"""The command line's own rules (commands are tested with the domain they act on)."""

from __future__ import annotations

import datetime as dt

import pytest

from capacity_exit.cli import scan_day

TODAY = dt.date(2026, 11, 30)


@pytest.mark.seed("一(二)")
@pytest.mark.parametrize("development", [True, False])
def test_a_scan_judges_by_today_or_an_earlier_day_it_is_told(development: bool) -> None:
    assert scan_day(None, TODAY, development=development) == TODAY
    assert scan_day(TODAY, TODAY, development=development) == TODAY
    earlier = dt.date(2026, 4, 1)
    assert scan_day(earlier, TODAY, development=development) == earlier


@pytest.mark.seed("一(二)")
def test_a_later_day_only_in_development_and_tests() -> None:
    tomorrow = dt.date(2026, 12, 1)
    assert scan_day(tomorrow, TODAY, development=True) == tomorrow
    with pytest.raises(SystemExit, match="2026-12-01 lies after the business day"):
        scan_day(tomorrow, TODAY, development=False)
