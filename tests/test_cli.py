"""The command line's own rules (commands are tested with the domain they act on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from capacity_exit import __version__
from capacity_exit.cli import scan_day
from capacity_exit.config import Settings
from tests.fixtures.cli import run_cli

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


# --- starting: the version, and production's settings refused in one message ---------------

PRODUCTION = {"CAPEXIT_ENV": "production", "DATABASE_URL": ""}


def test_the_command_names_its_version(settings: Settings) -> None:
    result = run_cli(settings, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"capacity-exit {__version__}"


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_lists_every_missing_setting_at_once(
    settings: Settings, tmp_path: Path, command: str
) -> None:
    env = {**PRODUCTION, "CAPEXIT_VAR_DIR": str(tmp_path), "CAPEXIT_TRUSTED_ISSUERS_FILE": "/nope"}
    result = run_cli(settings, command, env=env, pinned=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"capacity-exit {command}: cannot start in production; set or correct:"
    problems = [line for line in lines if line.startswith("  - ")]
    for setting in (
        "DATABASE_URL",
        "CAPEXIT_JWT_SIGNING_KEY_FILE",
        "CAPEXIT_CREDIT_TARGETS_FILE",
        "CAPEXIT_REPORT_CHALLENGE_KEY_FILE",
        "CAPEXIT_PUBLIC_BASE_URL",
        "CAPEXIT_TRUSTED_ISSUERS_FILE: /nope is not a readable file",
        "CAPEXIT_REPORT_CONTACT_KEY_FILE",
    ):
        assert sum(setting in problem for problem in problems) == 1, (setting, problems)
    assert len(problems) == 7
    assert not list(tmp_path.iterdir())  # nothing started: no database, no key


def test_values_that_do_not_parse_are_listed_without_echoing_them(settings: Settings) -> None:
    env = {
        "CAPEXIT_ENV": "prod",
        "CAPEXIT_LOG_LEVEL": "loud",
        "CAPEXIT_TRUSTED_PROXIES": "10.0.0.1/8",
        "CAPEXIT_LOG_FORMAT": "xml",
    }
    result = run_cli(settings, "serve", env=env, pinned=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for setting in (
        "CAPEXIT_ENV",
        "CAPEXIT_LOG_LEVEL",
        "CAPEXIT_TRUSTED_PROXIES",
        "CAPEXIT_LOG_FORMAT",
    ):
        assert f"  - {setting}: " in result.stderr
    assert "loud" not in result.stderr and "xml" not in result.stderr


def test_migrate_refuses_the_embedded_database_in_production(
    settings: Settings, tmp_path: Path
) -> None:
    env = {**PRODUCTION, "CAPEXIT_VAR_DIR": str(tmp_path)}
    result = run_cli(settings, "migrate", env=env, pinned=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[:2] == [
        "capacity-exit migrate: cannot start in production; set or correct:",
        "  - DATABASE_URL is not set (the embedded SQLite default is for development)",
    ]
    assert not list(tmp_path.iterdir())  # the embedded SQLite file was not made
    assert "database at" not in result.stdout
