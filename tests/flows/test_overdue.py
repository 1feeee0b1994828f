"""The overdue scan: with the clock past a completion deadline, exactly the unfinished
cases are marked, once, with a history entry, and the list exposes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.flows import overdue
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, open_case, payload, take
from tests.fixtures.cli import run_cli

DEADLINE = "2026-03-31"


async def _published(client: httpx.AsyncClient, category: str, due: str) -> dict[str, Any]:
    field = "rectification_deadline" if category == "rectification" else "completion_deadline"
    case = await open_case(client, category, content=payload(category, **{field: due}))
    return await take(client, case, "publish")


async def _world(client_as: ClientAs, travel_to: TravelTo) -> dict[str, dict[str, Any]]:
    """Cases in every situation the scan must tell apart."""
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    miit = client_as(f"{COUNTY}-miit", Role.approver)
    travel_to("2025-10-15")
    world = {
        "late_illegal": await _published(ecoenv, "illegal", DEADLINE),
        "late_elimination": await _published(miit, "elimination", DEADLINE),
        "late_rectification": await _published(ecoenv, "rectification", DEADLINE),
        "not_yet_due": await _published(ecoenv, "illegal", "2026-04-30"),
        "draft": await open_case(
            ecoenv, "illegal", content=payload("illegal", completion_deadline=DEADLINE)
        ),
    }
    done = await _published(ecoenv, "illegal", DEADLINE)
    travel_to("2026-03-20")
    world["reported_in_time"] = await take(
        ecoenv, done, "report_completion", completion_date="2026-03-19",
        completion_evidence="已拆除。", handling_result="已拆除。",
    )  # fmt: skip
    withdrawn = await _published(ecoenv, "illegal", DEADLINE)
    world["withdrawn"] = await take(ecoenv, withdrawn, "withdraw", reason="主体错误")
    return world


async def _overdue_ids(client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/api/v1/cases", params={"overdue": "true"})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


@pytest.mark.seed("一(二)")
async def test_the_scan_marks_exactly_the_unfinished_cases_past_their_deadline(
    app: FastAPI, client_as: ClientAs, travel_to: TravelTo
) -> None:
    world = await _world(client_as, travel_to)
    database: Database = app.state.database
    reader = client_as(f"{COUNTY}-ecoenv", Role.viewer)

    # On the deadline day itself nothing is late yet.
    async with database.sessionmaker() as session, session.begin():
        assert await overdue.scan_overdue(session, dt.date(2026, 3, 31)) == []

    travel_to("2026-04-01")  # the scan judges by the business day unless told otherwise
    async with database.sessionmaker() as session, session.begin():
        marked = {str(c.id) for c in await overdue.scan_overdue(session)}
    late = {world[k]["id"] for k in ("late_illegal", "late_elimination", "late_rectification")}
    assert marked == late
    assert await _overdue_ids(reader) == late

    case = (await reader.get(f"/api/v1/cases/{world['late_illegal']['id']}")).json()
    assert case["overdue"] is True and case["overdue_since"] == "2026-04-01"
    assert case["version"] == world["late_illegal"]["version"] + 1
    events = (await reader.get(f"/api/v1/cases/{case['id']}/events")).json()["items"]
    assert (events[-1]["kind"], events[-1]["business_date"]) == ("overdue", "2026-04-01")

    # A second scan marks nothing again.
    async with database.sessionmaker() as session, session.begin():
        assert await overdue.scan_overdue(session, dt.date(2026, 4, 2)) == []


async def test_a_late_completion_clears_the_mark_and_is_judged_late(
    app: FastAPI, client_as: ClientAs, travel_to: TravelTo
) -> None:
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    travel_to("2025-10-15")
    case = await _published(ecoenv, "illegal", DEADLINE)
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        [marked] = await overdue.scan_overdue(session, dt.date(2026, 4, 1))
    case = (await ecoenv.get(f"/api/v1/cases/{marked.id}")).json()
    travel_to("2026-04-10")
    reported = await take(
        ecoenv, case, "report_completion", completion_date="2026-04-09",
        completion_evidence="已拆除。", handling_result="已拆除。",
    )  # fmt: skip
    assert reported["overdue"] is False
    assert reported["overdue_since"] == "2026-04-01"  # it did miss its deadline
    [completion] = [d for d in reported["deadlines"] if d["purpose"] == "completion"]
    assert (completion["met_on"], completion["on_time"]) == ("2026-04-09", False)
    assert await _overdue_ids(ecoenv) == set()


async def test_the_operator_runs_the_scan_from_the_shell(
    settings: Settings, client_as: ClientAs, travel_to: TravelTo
) -> None:
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.approver)
    travel_to("2025-10-15")
    late = await _published(ecoenv, "illegal", DEADLINE)
    await _published(ecoenv, "illegal", "2026-12-31")
    result = run_cli(settings, "cases", "scan-overdue", "--today", "2026-04-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{late['id']} illegal {COUNTY} due {DEADLINE}",
        "marked 1 cases overdue",
    ]
    assert await _overdue_ids(ecoenv) == {late["id"]}
    events = (await ecoenv.get(f"/api/v1/cases/{late['id']}/events")).json()["items"]
    assert events[-1]["subject"].startswith("system:cli:")
    bad = run_cli(settings, "cases", "scan-overdue", "--today", "April")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


@pytest.mark.seed("一(二)")
async def test_outside_development_the_scan_cannot_judge_by_a_later_day(
    settings: Settings, client_as: ClientAs
) -> None:
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.approver)
    case = await _published(ecoenv, "illegal", "2027-06-30")
    # Production's clock is the system's: no day lies after the last one there is.
    early = run_cli(
        settings, "cases", "scan-overdue", "--today", dt.date.max.isoformat(),
        env={"CAPEXIT_ENV": "production"}, pinned=False,
    )  # fmt: skip
    assert early.returncode == 1
    assert "lies after the business day" in early.stderr
    assert "cannot be judged overdue early" in early.stderr
    assert await _overdue_ids(ecoenv) == set()
    after = (await ecoenv.get(f"/api/v1/cases/{case['id']}")).json()
    assert (after["overdue"], after["version"]) == (False, case["version"])
