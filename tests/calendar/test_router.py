from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs

# A made-up 2027 schedule: the real notice is not published yet; the tests only need
# the answers to follow whatever schedule is loaded.
SCHEDULE_2027: dict[str, Any] = {
    "notice": "测试通知〔2027〕1号",
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-01-04", "name": "元旦"},
        {"date": "2027-01-05", "name": "元旦"},
    ],
    "adjusted_workdays": [{"date": "2027-01-09", "name": "元旦调休上班"}],
}


async def test_must_show_national_day_2025(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get(
        "/api/v1/calendar/deadline", params={"start": "2025-09-26", "working_days": 10}
    )
    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-09-26",
        "working_days": 10,
        "deadline": "2025-10-16",
        "provisional": False,
    }


async def test_day_lookup(anonymous: httpx.AsyncClient) -> None:
    worked = (await anonymous.get("/api/v1/calendar/days/2025-09-28")).json()
    assert worked == {
        "date": "2025-09-28",
        "working_day": True,
        "kind": "adjusted_workday",
        "name": worked["name"],
        "provisional": False,
    }
    assert (await anonymous.get("/api/v1/calendar/days/2025-10-01")).json()["kind"] == "holiday"
    assert (await anonymous.get("/api/v1/calendar/days/2025-10-13")).json()["kind"] == "workday"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/calendar/days/1999-12-31",
        "/api/v1/calendar/days/2101-01-01",
        "/api/v1/calendar/days/2025-02-30",
        "/api/v1/calendar/deadline?start=2025-01-01&working_days=3651",
        "/api/v1/calendar/deadline?start=2025-01-01&working_days=-1",
        "/api/v1/calendar/deadline?start=1999-01-01&working_days=1",
        "/api/v1/calendar/years/1999",
        "/api/v1/calendar/years/2101",
    ],
)
async def test_out_of_range_is_422(anonymous: httpx.AsyncClient, url: str) -> None:
    response = await anonymous.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def _load(
    client: httpx.AsyncClient, etag: str, body: dict[str, Any] = SCHEDULE_2027
) -> httpx.Response:
    return await client.put("/api/v1/calendar/years/2027", json=body, headers={"If-Match": etag})


async def test_loading_a_year_changes_answers_at_once(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    admin = client_as("220300-miit", Role.admin)
    before = await anonymous.get(
        "/api/v1/calendar/deadline", params={"start": "2026-12-31", "working_days": 3}
    )
    # Package rules only: 2027-01-01 off, then Mon 4, Tue 5, Wed 6.
    assert before.json() == {
        "start": "2026-12-31",
        "working_days": 3,
        "deadline": "2027-01-06",
        "provisional": True,
    }
    year = await anonymous.get("/api/v1/calendar/years/2027")
    assert year.json()["status"] == "provisional" and year.headers["etag"] == '"0"'

    loaded = await _load(admin, '"0"')
    assert loaded.status_code == 200, loaded.text
    assert loaded.headers["etag"] == '"1"'
    assert loaded.json()["status"] == "confirmed" and loaded.json()["source"] == "loaded"

    after = await anonymous.get(
        "/api/v1/calendar/deadline", params={"start": "2026-12-31", "working_days": 3}
    )
    # Loaded: 1, 4, 5 January off; Wed 6, Thu 7, Fri 8 worked.
    assert after.json()["deadline"] == "2027-01-08"
    assert after.json()["provisional"] is False
    saturday = (await anonymous.get("/api/v1/calendar/days/2027-01-09")).json()
    assert saturday["kind"] == "adjusted_workday" and saturday["working_day"] is True
    assert saturday["provisional"] is False
    # Reaching into 2028 is still provisional.
    far = await anonymous.get(
        "/api/v1/calendar/deadline", params={"start": "2027-12-20", "working_days": 15}
    )
    assert far.json()["provisional"] is True


async def test_loads_need_the_current_etag_and_keep_history(client_as: ClientAs) -> None:
    admin = client_as("220300-miit", Role.admin)
    assert (await admin.put("/api/v1/calendar/years/2027", json=SCHEDULE_2027)).status_code == 428
    assert (await _load(admin, '"3"')).status_code == 412
    assert (await _load(admin, '"0"')).status_code == 200
    assert (await _load(admin, '"0"')).status_code == 412
    corrected = {**SCHEDULE_2027, "notice": "测试通知〔2027〕2号"}
    second = await _load(admin, '"1"', corrected)
    assert second.status_code == 200 and second.json()["version"] == 2
    assert second.json()["notice"] == "测试通知〔2027〕2号"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"holidays": [{"date": "2026-10-01", "name": "国庆节"}]}, "wrong_year"),
        ({"adjusted_workdays": [{"date": "2027-01-06", "name": "周三"}]}, "not_a_weekend"),
        (
            {
                "holidays": [{"date": "2027-01-09", "name": "x"}],
                "adjusted_workdays": [{"date": "2027-01-09", "name": "x"}],
            },
            "value_error",
        ),
    ],
)
async def test_inconsistent_schedules_are_422(
    client_as: ClientAs, change: dict[str, Any], code: str
) -> None:
    response = await _load(client_as("220300-miit", Role.admin), '"0"', {**SCHEDULE_2027, **change})
    assert response.status_code == 422
    assert code in {e["code"] for e in response.json()["errors"]}


async def test_only_admins_load(client_as: ClientAs) -> None:
    assert (await _load(client_as("220300-miit", Role.lead), '"0"')).status_code == 403
    assert (await _load(client_as(None), '"0"')).status_code == 401


async def test_a_loaded_years_time_carries_its_offset(client_as: ClientAs) -> None:
    """`loaded_at` is an RFC 3339 timestamp with its offset (format `date-time`), on
    SQLite too, which keeps the stored UTC instant without one."""
    admin = client_as("220300-miit", Role.admin)
    assert (await _load(admin, '"0"')).status_code == 200
    shown = (await admin.get("/api/v1/calendar/years/2027")).json()["loaded_at"]
    assert datetime.fromisoformat(shown).utcoffset() is not None, shown
