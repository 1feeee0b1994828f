"""Possible duplicates offered to the triager (一(一)5; issue 17, item 7): the same
category and enterprise within the window, in scope, never rejected automatically."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from tests.conftest import ClientAs, TravelTo
from tests.fixtures import reports
from tests.fixtures.factories import credit_code

pytestmark = pytest.mark.seed("一(一)5")

LEAD = "220322-miit"
CEMENT = {"name": "梨树县某某水泥厂", "address": "梨树镇工业路9号"}


async def _offered(client: httpx.AsyncClient, report_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/api/v1/reports/{report_id}/possible-duplicates")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return list(answer.json()["items"])


async def test_the_same_enterprise_and_category_within_the_window_is_offered_both_ways(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    first = await reports.submitted(client_as, enterprise=CEMENT)
    travel_to("2026-12-21")  # 20 days later: inside the 30-day window
    second = await reports.submitted(client_as, enterprise=CEMENT)
    other_category = await reports.submitted(client_as, enterprise=CEMENT, category="resurgence")
    other_enterprise = await reports.submitted(
        client_as, enterprise={"name": "梨树县另一水泥厂", "address": "梨树镇工业路10号"}
    )
    lead = client_as(LEAD, Role.viewer)

    [offered] = await _offered(lead, second)
    assert (offered["id"], offered["matched_on"]) == (first, "name")
    assert offered["tracking_code"].count("-") == 2 and offered["status"] == "received"
    assert [o["id"] for o in await _offered(lead, first)] == [second]
    assert await _offered(lead, other_category) == []
    assert await _offered(lead, other_enterprise) == []
    # An offer only: both reports are still waiting for the lead's decision.
    for report_id in (first, second):
        shown = (await lead.get(f"/api/v1/reports/{report_id}")).json()
        assert shown["status"] == "received"


async def test_reports_further_apart_than_the_window_are_not_offered(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    first = await reports.submitted(client_as, enterprise=CEMENT)
    travel_to("2027-01-15")  # 45 days later
    second = await reports.submitted(client_as, enterprise=CEMENT)
    lead = client_as(LEAD, Role.viewer)
    assert await _offered(lead, second) == []
    assert await _offered(lead, first) == []


async def test_a_shared_credit_code_matches_whatever_the_names(client_as: ClientAs) -> None:
    code = credit_code()
    first = await reports.submitted(client_as, enterprise={"credit_code": code, "name": "某水泥厂"})
    second = await reports.submitted(
        client_as, enterprise={"credit_code": code, "name": "梨树某某水泥有限公司"}
    )
    [offered] = await _offered(client_as(LEAD, Role.viewer), second)
    assert (offered["id"], offered["matched_on"]) == (first, "credit_code")


async def test_another_countys_report_is_404_and_its_duplicates_are_not_shown(
    client_as: ClientAs,
) -> None:
    report_id = await reports.submitted(client_as, enterprise=CEMENT)
    other_county = client_as("220323-miit", Role.viewer)
    answer = await other_county.get(f"/api/v1/reports/{report_id}/possible-duplicates")
    assert (answer.status_code, answer.json()["code"]) == (404, "report_not_found")


async def test_a_window_of_zero_offers_none(client_as: ClientAs, app: FastAPI) -> None:
    first = await reports.submitted(client_as, enterprise=CEMENT)
    second = await reports.submitted(client_as, enterprise=CEMENT)
    lead = client_as(LEAD, Role.viewer)
    assert [o["id"] for o in await _offered(lead, second)] == [first]
    settings: Settings = app.state.settings
    app.state.settings = settings.model_copy(update={"report_duplicate_window_days": 0})
    assert await _offered(lead, second) == []
