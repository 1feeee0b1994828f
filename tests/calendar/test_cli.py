from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from capacity_exit.config import Settings


def test_calendar_load_command(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "2028.json"
    path.write_text(
        json.dumps(
            {
                "year": 2028,
                "notice": "测试通知〔2028〕1号",
                "holidays": [{"date": "2028-01-03", "name": "元旦"}],
                "adjusted_workdays": [{"date": "2028-01-08", "name": "元旦调休上班"}],
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )
    env = {**os.environ, "DATABASE_URL": settings.resolved_database_url, "CAPEXIT_ENV": "test"}
    for expected in ("version 1", "version 2"):  # a second load corrects the first
        result = subprocess.run(
            [sys.executable, "-m", "capacity_exit.cli", "calendar", "load", str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


async def test_loaded_by_the_cli_is_served(
    settings: Settings, tmp_path: Path, anonymous: httpx.AsyncClient
) -> None:
    test_calendar_load_command(settings, tmp_path)
    day = (await anonymous.get("/api/v1/calendar/days/2028-01-03")).json()
    assert day["kind"] == "holiday" and day["provisional"] is False
    year = (await anonymous.get("/api/v1/calendar/years/2028")).json()
    assert year["status"] == "confirmed" and year["version"] == 2
    assert year["loaded_by"] == "system:cli"
