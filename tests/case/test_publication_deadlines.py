"""A case is published with a completion deadline still ahead: a deadline already passed
would make the case overdue the day the enterprise is told of it (decisions.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import OWNER, open_case, payload, step, take

FIELD = {
    "illegal": "completion_deadline",
    "elimination": "completion_deadline",
    "rectification": "rectification_deadline",
}
CLAUSE = {"illegal": "一(一)1", "elimination": "一(一)2", "rectification": "一(一)3"}


def _problem(response: httpx.Response) -> list[tuple[str | None, str | None]]:
    assert response.status_code == 422, response.text
    return [(e.get("pointer"), e.get("code")) for e in response.json()["errors"]]


async def _draft(client_as: ClientAs, category: str, due: str) -> tuple[Any, dict[str, Any]]:
    approver = client_as(OWNER[category], Role.officer, Role.approver)
    case = await open_case(approver, category, content=payload(category, **{FIELD[category]: due}))
    return approver, case


@pytest.mark.parametrize(
    "category", [pytest.param(c, marks=pytest.mark.seed(CLAUSE[c])) for c in FIELD]
)
@pytest.mark.parametrize("due", ["2026-11-27", "2026-11-30"])  # last Friday; today
async def test_a_deadline_not_ahead_is_refused_at_publication(
    client_as: ClientAs, travel_to: TravelTo, category: str, due: str
) -> None:
    travel_to("2026-11-30")
    approver, draft = await _draft(client_as, category, due)
    refused = await step(approver, draft, "publish")
    assert _problem(refused) == [(f"/{FIELD[category]}", "deadline_passed")]
    assert "2026-11-30" in refused.json()["errors"][0]["detail"]
    after = (await approver.get(f"/api/v1/cases/{draft['id']}")).json()
    assert (after["status"], after["version"], after["overdue"]) == ("draft", 1, False)
    # The department sets a deadline ahead with the publication itself.
    published = await take(approver, draft, "publish", **{FIELD[category]: "2026-12-01"})
    assert published["status"] == "publicized"
    assert published["payload"][FIELD[category]] == "2026-12-01"


@pytest.mark.seed("一(一)1")
async def test_the_same_deadline_published_earlier_is_accepted(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    travel_to("2026-11-26")
    approver, draft = await _draft(client_as, "illegal", "2026-11-27")
    assert (await take(approver, draft, "publish"))["status"] == "publicized"


@pytest.mark.seed("一(一)2")
async def test_a_rejected_acceptance_sets_its_new_deadline_ahead(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    travel_to("2026-11-02")
    approver, draft = await _draft(client_as, "elimination", "2026-11-27")
    case = await take(approver, draft, "publish")
    travel_to("2026-11-30")
    exited = payload("elimination")["elimination_items"]
    case = await take(
        approver, case, "report_completion", completion_date="2026-11-25",
        completion_evidence="高炉已拆除。", exited_items=exited,
    )  # fmt: skip
    stale = await step(
        approver, case, "reject_acceptance", reason="基础未清除", completion_deadline="2026-11-30"
    )
    assert _problem(stale) == [("/completion_deadline", "deadline_passed")]
    rejected = await take(
        approver, case, "reject_acceptance", reason="基础未清除", completion_deadline="2026-12-31"
    )
    assert rejected["status"] == "publicized"
    assert rejected["payload"]["completion_deadline"] == "2026-12-31"
