"""A case's dates follow its own timeline (issue 14, item 3): no step is dated before
the inspection, the publication or the step it follows, and an overdue mark is never
cleared by a date before the day it was set. Each violation is a 422 `before_timeline`
pointing at the date, and the case is left as it was.

A completion reported as 2001-01-01, before the inspection, was accepted, judged the
completion deadline `on_time: true` and cleared the overdue mark."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.case import timeline
from capacity_exit.case.machine import TRANSITIONS, CaseAction
from capacity_exit.case.payloads import FACT_DATES
from capacity_exit.core.db import Database
from capacity_exit.flows.overdue import scan_overdue
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, OWNER, open_case, payload, step, take

INSPECTED = "2025-09-26"  # the fixture inspection's completion
PUBLISHED = "2026-03-02"
DEADLINE = "2026-03-31"
COMPLETION = {"completion_evidence": "已拆除。", "handling_result": "违规生产线已拆除。"}


def _before_timeline(response: httpx.Response, pointer: str, milestone: str) -> str:
    """The one problem of a 422 `before_timeline`: at `pointer`, naming the milestone."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "before_timeline"
    [problem] = body["errors"]
    assert (problem["pointer"], problem["code"]) == (pointer, "before_timeline")
    assert timeline.LABELS[timeline.Milestone(milestone)] in problem["detail"]
    return str(problem["detail"])


async def _unchanged(client: httpx.AsyncClient, case: dict[str, Any]) -> dict[str, Any]:
    after = (await client.get(f"/api/v1/cases/{case['id']}")).json()
    assert (after["status"], after["version"]) == (case["status"], case["version"])
    return dict(after)


async def _published_illegal(
    client_as: ClientAs, travel_to: TravelTo, **content: Any
) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    owner = client_as(OWNER["illegal"], Role.officer, Role.approver)
    travel_to(PUBLISHED)
    draft = await open_case(owner, "illegal", content=payload("illegal", **content))
    return owner, await take(owner, draft, "publish")


def _completion(case: dict[str, Any]) -> dict[str, Any]:
    [deadline] = [d for d in case["deadlines"] if d["purpose"] == "completion"]
    return dict(deadline)


@pytest.mark.seed("一(一)1")
@pytest.mark.parametrize(
    ("reported", "milestone"),
    [("2001-01-01", "publication"), (INSPECTED, "publication"), ("2026-03-01", "publication")],
)
async def test_a_completion_before_the_publication_is_refused(
    client_as: ClientAs, travel_to: TravelTo, reported: str, milestone: str
) -> None:
    owner, published = await _published_illegal(client_as, travel_to)
    travel_to("2026-03-10")
    refused = await step(
        owner, published, "report_completion", completion_date=reported, **COMPLETION
    )
    assert PUBLISHED in _before_timeline(refused, "/completion_date", milestone)
    after = await _unchanged(owner, published)
    assert _completion(after)["met_on"] is None and _completion(after)["on_time"] is None
    # The day of publication itself is in the timeline.
    done = await take(
        owner, published, "report_completion", completion_date=PUBLISHED, **COMPLETION
    )
    assert (_completion(done)["met_on"], _completion(done)["on_time"]) == (PUBLISHED, True)


@pytest.mark.seed("一(二)")
async def test_an_overdue_mark_is_not_cleared_by_a_completion_dated_before_it(
    app: FastAPI, client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner, _ = await _published_illegal(client_as, travel_to, completion_deadline=DEADLINE)
    database: Database = app.state.database
    travel_to("2026-04-01")
    async with database.sessionmaker() as session, session.begin():
        [marked] = await scan_overdue(session)
    case = (await owner.get(f"/api/v1/cases/{marked.id}")).json()
    assert (case["overdue"], case["overdue_since"]) == (True, "2026-04-01")

    travel_to("2026-04-10")
    for backdated in ("2001-01-01", "2026-03-20", DEADLINE):  # all three "in time"
        refused = await step(
            owner, case, "report_completion", completion_date=backdated, **COMPLETION
        )
        # The latest milestone it precedes is named: the mark, for every one of them.
        assert "2026-04-01" in _before_timeline(refused, "/completion_date", "overdue_mark")
        after = await _unchanged(owner, case)
        assert (after["overdue"], after["overdue_since"]) == (True, "2026-04-01")
        assert _completion(after)["on_time"] is None
    overdue = await owner.get("/api/v1/cases", params={"overdue": "true"})
    assert [c["id"] for c in overdue.json()["items"]] == [case["id"]]

    # Completed on the day it was marked, or later: the mark clears and it was late.
    done = await take(owner, case, "report_completion", completion_date="2026-04-01", **COMPLETION)
    assert (done["overdue"], done["overdue_since"]) == (False, "2026-04-01")
    assert (_completion(done)["met_on"], _completion(done)["on_time"]) == ("2026-04-01", False)


@pytest.mark.seed("一(一)1")
async def test_each_step_follows_the_one_before_it_and_so_does_a_correction(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner, published = await _published_illegal(client_as, travel_to)
    travel_to("2026-04-10")
    reported = await take(
        owner, published, "report_completion", completion_date="2026-04-08", **COMPLETION
    )
    # The acceptance checks a completion already reported.
    refused = await step(owner, reported, "accept", acceptance_date="2026-04-07")
    assert "2026-04-08" in _before_timeline(refused, "/acceptance_date", "report")
    await _unchanged(owner, reported)

    # Rejected on 2026-04-20: the next completion cannot be dated before the rejection.
    travel_to("2026-04-20")
    rejected = await take(
        owner, reported, "reject_acceptance", reason="现场仍有设备未拆除。",
        completion_deadline="2026-05-31",
    )  # fmt: skip
    travel_to("2026-04-25")
    refused = await step(
        owner, rejected, "report_completion", completion_date="2026-04-15", **COMPLETION
    )
    assert "2026-04-20" in _before_timeline(refused, "/completion_date", "rejection")
    await _unchanged(owner, rejected)
    again = await take(
        owner, rejected, "report_completion", completion_date="2026-04-24", **COMPLETION
    )
    accepted = await take(owner, again, "accept", acceptance_date="2026-04-24")
    await take(owner, accepted, "announce")

    # The announcement's dates are corrected to dates the timeline allows, or not at all.
    notices = await owner.get(
        "/api/v1/disclosures", params={"department": OWNER["illegal"], "kind": "announcement"}
    )
    [notice] = notices.json()["items"]
    url = f"/api/v1/disclosures/{notice['id']}/corrections"
    held = {"If-Match": f'"{notice["version"]}"'}
    for content, pointer, milestone in (
        ({"completion_date": "2001-01-01"}, "/content/completion_date", "rejection"),
        ({"completion_date": "2026-04-19"}, "/content/completion_date", "rejection"),
        ({"acceptance_date": "2026-04-23"}, "/content/acceptance_date", "report"),
        # A later completion moves what the acceptance is measured against.
        ({"completion_date": "2026-04-25"}, "/content/acceptance_date", "report"),
    ):
        refused = await owner.post(
            url, json={"reason": "日期有误", "content": content}, headers=held
        )
        _before_timeline(refused, pointer, milestone)
    future = await owner.post(
        url, json={"reason": "日期有误", "content": {"acceptance_date": "2026-05-01"}}, headers=held
    )
    assert future.status_code == 422, future.text
    assert [(e["pointer"], e["code"]) for e in future.json()["errors"]] == [
        ("/content/acceptance_date", "in_future")
    ]
    current = (await owner.get(f"/api/v1/disclosures/{notice['id']}")).json()
    assert (current["status"], current["version"]) == ("current", notice["version"])
    corrected = await owner.post(
        url,
        json={"reason": "日期有误", "content": {"completion_date": "2026-04-23"}},
        headers=held,
    )
    assert corrected.status_code == 201, corrected.text


@pytest.mark.seed("一(一)3")
@pytest.mark.seed("一(一)4")
async def test_a_rectification_and_its_forced_exit_keep_their_order(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner = client_as(OWNER["rectification"], Role.officer, Role.approver)
    travel_to(PUBLISHED)
    published = await take(owner, await open_case(owner, "rectification"), "publish")
    travel_to("2026-03-10")
    measures = {"rectification_measures": "更换布袋除尘器。"}
    refused = await step(
        owner, published, "report_rectification", rectification_date="2026-03-01", **measures
    )
    _before_timeline(refused, "/rectification_date", "publication")
    refused = await step(
        owner, published, "record_refusal", refusal_date="2026-02-27", refusal_facts="拒不整改。"
    )
    _before_timeline(refused, "/refusal_date", "publication")
    await _unchanged(owner, published)

    reported = await take(
        owner, published, "report_rectification", rectification_date="2026-03-05", **measures
    )
    findings = [{"domain": "environment", "item": "颗粒物排放浓度", "compliant": True}]
    refused = await step(
        owner,
        reported,
        "record_reinspection_pass",
        reinspection_date="2026-03-04",
        findings=findings,
    )
    assert "2026-03-05" in _before_timeline(refused, "/reinspection_date", "report")
    refused = await step(
        owner, reported, "record_refusal", refusal_date="2026-03-04", refusal_facts="拒不整改。"
    )
    _before_timeline(refused, "/refusal_date", "report")
    await _unchanged(owner, reported)
    escalated = await take(
        owner, reported, "record_refusal", refusal_date="2026-03-06", refusal_facts="拒不整改。"
    )

    # The government decides on the proposal the escalation opened (on 2026-03-10).
    gov = client_as(OWNER["forced_exit"], Role.officer, Role.approver)
    proposal = (await gov.get(f"/api/v1/cases/{escalated['forced_exit_case_id']}")).json()
    decision = {
        "decision_number": "梨政决〔2026〕3号",
        "legal_basis": "《大气污染防治法》第九十九条",
    }
    travel_to("2026-03-12")
    refused = await step(gov, proposal, "decide", decision_date="2026-03-09", **decision)
    assert "2026-03-10" in _before_timeline(refused, "/decision_date", "opened")
    await _unchanged(gov, proposal)
    decided = await take(gov, proposal, "decide", decision_date="2026-03-11", **decision)
    announced = await take(gov, decided, "announce")
    closure = {"closure_measures": "断电、拆除设备。"}
    refused = await step(gov, announced, "report_closure", closure_date="2026-03-10", **closure)
    assert "2026-03-11" in _before_timeline(refused, "/closure_date", "decision")
    closed = await take(gov, announced, "report_closure", closure_date="2026-03-12", **closure)
    refused = await step(gov, closed, "accept", acceptance_date="2026-03-11")
    _before_timeline(refused, "/acceptance_date", "report")
    await _unchanged(gov, closed)
    assert (await take(gov, closed, "accept", acceptance_date="2026-03-12"))["status"] == (
        "closure_accepted"
    )


@pytest.mark.seed("一(一)5")
async def test_a_compliant_enterprise_is_not_confirmed_before_its_inspection(
    client_as: ClientAs,
) -> None:
    lead = client_as(OWNER["compliant"], Role.lead)
    early = [
        {"department": f"{COUNTY}-market", "confirmed_on": "2026-11-02"},
        {"department": f"{COUNTY}-drc", "confirmed_on": "2025-09-25"},
    ]
    draft = await open_case(lead, "compliant", content=payload("compliant", confirmations=early))
    refused = await step(lead, draft, "confirm")
    assert INSPECTED in _before_timeline(refused, "/confirmations/1/confirmed_on", "inspection")
    await _unchanged(lead, draft)
    on_the_day = [early[0], {**early[1], "confirmed_on": INSPECTED}]
    confirmed = await take(lead, draft, "confirm", confirmations=on_the_day)
    assert confirmed["status"] == "confirmed"


def test_every_date_a_step_records_is_in_the_table() -> None:
    """A step that records a date (FACT_DATES) is held to the timeline: a new step with a
    date and no rule would be dated freely again."""
    for rule in TRANSITIONS.values():
        dated = {f for f in rule.fresh_fields if f in FACT_DATES}
        ruled = {r.field for r in timeline.TIMELINE.get(rule.action, ())}
        assert dated <= ruled, (rule.category, rule.action, dated - ruled)


def test_the_latest_milestone_passed_is_named() -> None:
    rules = timeline.TIMELINE[CaseAction.report_completion]
    milestones = {
        timeline.Milestone.inspection: dt.date(2025, 9, 26),
        timeline.Milestone.publication: dt.date(2026, 3, 2),
        timeline.Milestone.rejection: None,
        timeline.Milestone.overdue_mark: None,
    }
    [problem] = timeline.violations(rules, {"completion_date": "2001-01-01"}, milestones)
    assert (problem.pointer, problem.code) == ("/completion_date", "before_timeline")
    assert problem.detail == "must not precede the publication (2026-03-02)"
    assert timeline.violations(rules, {"completion_date": "2026-03-02"}, milestones) == []
