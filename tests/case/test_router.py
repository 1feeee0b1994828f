"""Each category's lifecycle end to end over HTTP, with the departments the seed names.

The inspection behind every case was completed on 2025-09-26, so publicity is due on
2025-10-16 (10 working days, across the National Day holiday).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures import cases
from tests.fixtures.cases import COUNTY, open_case, payload, step, take

URL = "/api/v1/cases"


def pointers(response: httpx.Response) -> list[str]:
    return [e.get("pointer") for e in response.json().get("errors", [])]


def deadline(case: dict[str, Any], purpose: str) -> dict[str, Any]:
    [found] = [d for d in case["deadlines"] if d["purpose"] == purpose]
    return dict(found)


async def history(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"{URL}/{case['id']}/events")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.mark.seed("一(一)1")
async def test_illegal_case_from_draft_to_announcement(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner = f"{COUNTY}-ecoenv"
    officer, approver = client_as(owner, Role.officer), client_as(owner, Role.approver)
    travel_to("2025-10-10")
    content = payload("illegal", completion_deadline="2026-06-30")
    del content["handling_basis"]
    content["illegal_matters"][0].pop("facts")
    draft = await open_case(officer, "illegal", content=content)
    assert draft["status"] == "draft"
    assert draft["department"] == owner
    assert draft["allowed_actions"] == []  # an officer drafts; an approver publishes
    assert deadline(draft, "publicity") == {
        "purpose": "publicity",
        "due": "2025-10-16",
        "provisional": False,
        "met_on": None,
        "on_time": None,
    }

    # Publishing checks the seed's content and names every missing field.
    refused = await step(approver, draft, "publish")
    assert refused.status_code == 422
    assert refused.json()["code"] == "missing_fields"
    assert pointers(refused) == ["/handling_basis", "/illegal_matters/0/facts"]
    # Only the approver of the owning department publishes.
    assert (await step(officer, draft, "publish")).status_code == 403
    market = client_as(f"{COUNTY}-market", Role.approver)
    assert (await step(market, draft, "publish")).status_code == 403

    edited = await officer.patch(
        f"{URL}/{draft['id']}",
        json={
            "category": "illegal",
            "handling_basis": "《环境影响评价法》第三十一条",
            "illegal_matters": payload("illegal")["illegal_matters"],
        },
        headers={"If-Match": f'"{draft["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    draft = edited.json()
    travel_to("2025-10-15")
    published = await take(approver, draft, "publish")
    assert published["status"] == "publicized"
    assert deadline(published, "publicity")["on_time"] is True
    assert deadline(published, "completion")["due"] == "2026-06-30"
    # A published case is no longer a draft.
    again = await officer.patch(
        f"{URL}/{draft['id']}",
        json={"category": "illegal", "handling_basis": "改"},
        headers={"If-Match": '"3"'},
    )
    assert again.status_code == 409
    # The wrong step for the state is 409, naming both.
    wrong = await step(approver, published, "accept", acceptance_date="2025-10-15")
    assert wrong.status_code == 409
    assert wrong.json()["state"] == "publicized" and wrong.json()["action"] == "accept"

    travel_to("2026-05-20")
    no_result = await step(
        officer, published, "report_completion", completion_date="2026-05-18",
        completion_evidence="生产线已拆除，现场照片存档。",
    )  # fmt: skip
    assert no_result.status_code == 422
    assert pointers(no_result) == ["/handling_result"]
    reported = await take(
        officer, published, "report_completion", completion_date="2026-05-18",
        completion_evidence="生产线已拆除，现场照片存档。", handling_result="违规生产线已拆除。",
    )  # fmt: skip
    assert reported["status"] == "completion_reported"

    # 属地验收 rejects: back to publicity with a new deadline, which the request must set.
    stale = await step(approver, reported, "reject_acceptance", reason="基础未清除")
    assert stale.status_code == 422 and pointers(stale) == ["/completion_deadline"]
    rejected = await take(
        approver, reported, "reject_acceptance", reason="基础未清除",
        completion_deadline="2026-08-31",
    )  # fmt: skip
    assert rejected["status"] == "publicized"
    assert deadline(rejected, "completion") == {
        "purpose": "completion",
        "due": "2026-08-31",
        "provisional": False,
        "met_on": None,
        "on_time": None,
    }

    travel_to("2026-07-20")
    reported = await take(
        officer, rejected, "report_completion", completion_date="2026-07-10",
        completion_evidence="基础已清除。", handling_result="违规生产线及基础已全部拆除。",
    )  # fmt: skip
    accepted = await take(approver, reported, "accept", acceptance_date="2026-07-20")
    assert accepted["status"] == "accepted"
    assert deadline(accepted, "completion")["on_time"] is True
    # Announcement is due 10 working days after acceptance.
    assert deadline(accepted, "announcement")["due"] == "2026-08-03"

    travel_to("2026-07-31")
    announced = await take(approver, accepted, "announce")
    assert announced["status"] == "announced"
    assert announced["allowed_actions"] == []
    assert deadline(announced, "announcement")["on_time"] is True
    assert (await step(approver, announced, "withdraw", reason="x")).status_code == 409

    events = await history(officer, announced)
    assert [(e["kind"], e["action"]) for e in events] == [
        ("created", None),
        ("edited", None),
        ("action", "publish"),
        ("action", "report_completion"),
        ("action", "reject_acceptance"),
        ("action", "report_completion"),
        ("action", "accept"),
        ("action", "announce"),
    ]
    assert [e["sequence"] for e in events] == list(range(1, 9))
    assert events[4]["reason"] == "基础未清除"
    assert events[4]["business_date"] == "2026-05-20"


@pytest.mark.seed("一(一)2")
async def test_elimination_case_from_draft_to_announcement(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner = f"{COUNTY}-miit"
    officer, approver = client_as(owner, Role.officer), client_as(owner, Role.approver)
    travel_to("2025-10-20")
    content = payload("elimination")
    del content["exit_method"]
    del content["elimination_items"][0]["model"]
    draft = await open_case(officer, "elimination", content=content)

    refused = await step(approver, draft, "publish")
    assert refused.status_code == 422
    assert pointers(refused) == ["/exit_method", "/elimination_items/0/model"]
    # Publishing a draft may complete it in the same request.
    items = payload("elimination")["elimination_items"]
    published = await take(
        approver, draft, "publish", exit_method="dismantle", elimination_items=items
    )
    assert published["payload"]["exit_method"] == "dismantle"
    assert deadline(published, "publicity")["on_time"] is False  # due 2025-10-16

    travel_to("2026-03-02")
    missing = await step(
        officer, published, "report_completion", completion_date="2026-03-01",
        completion_evidence="高炉已拆除。",
    )  # fmt: skip
    assert pointers(missing) == ["/exited_items"]
    # After publication a step records only its own fields: the public content stays.
    sneaky = await step(
        officer, published, "report_completion", completion_date="2026-03-01",
        completion_evidence="高炉已拆除。", exited_items=items, exit_method="seal",
    )  # fmt: skip
    assert sneaky.status_code == 422 and pointers(sneaky) == ["/exit_method"]
    future = await step(
        officer, published, "report_completion", completion_date="2026-03-03",
        completion_evidence="高炉已拆除。", exited_items=items,
    )  # fmt: skip
    assert future.status_code == 422 and pointers(future) == ["/completion_date"]
    reported = await take(
        officer, published, "report_completion", completion_date="2026-03-01",
        completion_evidence="高炉已拆除。", exited_items=items,
    )  # fmt: skip
    accepted = await take(approver, reported, "accept", acceptance_date="2026-03-02")
    travel_to("2026-03-20")
    announced = await take(approver, accepted, "announce")
    assert announced["status"] == "announced"
    assert announced["payload"]["exited_items"] == items


@pytest.mark.seed("一(一)3")
async def test_rectification_case_reinspected_compliant_and_closed(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner = f"{COUNTY}-ecoenv"
    officer, approver = client_as(owner, Role.officer), client_as(owner, Role.approver)
    travel_to("2025-10-16")
    content = payload("rectification")
    del content["problems"][0]["limit_value"]
    draft = await open_case(officer, "rectification", content=content)
    refused = await step(approver, draft, "publish")
    assert pointers(refused) == ["/problems/0/limit_value"]
    published = await take(
        approver, draft, "publish", problems=payload("rectification")["problems"]
    )
    assert deadline(published, "publicity")["on_time"] is True
    travel_to("2026-02-10")
    reported = await take(
        officer, published, "report_rectification", rectification_date="2026-02-01",
        rectification_measures="更换布袋除尘器。",
    )  # fmt: skip
    finding = {**cases.FAILING_ITEM, "measured_value": 18.0, "compliant": True}
    passed = await take(
        officer, reported, "record_reinspection_pass", reinspection_date="2026-02-09",
        findings=[finding],
    )  # fmt: skip
    closed = await take(approver, passed, "close")
    assert closed["status"] == "closed"
    assert closed["forced_exit_case_id"] is None
    assert deadline(closed, "completion")["met_on"] == "2026-02-01"


@pytest.mark.seed("一(一)3")
@pytest.mark.seed("一(一)4")
async def test_failed_rectification_escalates_to_a_forced_exit_decided_by_the_government(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    due = "2026-03-31"  # the rectification deadline
    owner = f"{COUNTY}-ecoenv"
    officer, approver = client_as(owner, Role.officer), client_as(owner, Role.approver)
    gov_officer = client_as(f"{COUNTY}-gov", Role.officer)
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    travel_to("2025-10-16")
    opened = await open_case(
        officer, "rectification", content=payload("rectification", rectification_deadline=due)
    )
    published = await take(approver, opened, "publish")
    finding = {**cases.FAILING_ITEM, "measured_value": 70.0, "compliant": False}
    # Up to its deadline (the day included) an enterprise that reported nothing has time.
    travel_to(due)
    early = await step(
        officer, published, "record_reinspection_fail", reinspection_date=due, findings=[finding]
    )
    assert (early.status_code, early.json()["guard"]) == (409, "rectification_deadline_passed")
    travel_to("2026-04-10")
    escalated = await take(
        officer, published, "record_reinspection_fail", reinspection_date="2026-04-08",
        findings=[finding],
    )  # fmt: skip
    assert escalated["status"] == "escalated"
    forced_id = escalated["forced_exit_case_id"]
    assert escalated["links"]["forced_exit_case"] == f"{URL}/{forced_id}"

    proposal = (await gov.get(f"{URL}/{forced_id}")).json()
    assert proposal["category"] == "forced_exit"
    assert proposal["status"] == "proposed"
    assert proposal["department"] == f"{COUNTY}-gov"
    assert proposal["parent_case_id"] == escalated["id"]
    # What the re-inspection found, not the inspection's 85.3 (test_forced_exit_grounds.py).
    assert proposal["payload"]["failing_items"] == [
        {**cases.FAILING_ITEM, "measured_value": 70.0, "found_by": "reinspection",
         "found_on": "2026-04-08"}
    ]  # fmt: skip
    assert proposal["payload"]["rectification_case_id"] == escalated["id"]
    assert proposal["allowed_actions"] == ["decide"]
    [opened] = await history(gov, proposal)
    assert opened["kind"] == "opened"

    # Only the government's approver decides (一(一)4).
    decision = {
        "decision_number": "梨政决〔2026〕3号",
        "decision_date": "2026-04-20",
        "legal_basis": "《大气污染防治法》第九十九条",
    }
    travel_to("2026-04-21")
    assert (await step(approver, proposal, "decide", **decision)).status_code == 403
    assert (await step(gov_officer, proposal, "decide", **decision)).status_code == 403
    # What every decision records is required by its schema (DecideStep).
    incomplete = await step(gov, proposal, "decide", **{**decision, "legal_basis": None})
    assert incomplete.status_code == 422 and pointers(incomplete) == ["/legal_basis"]
    decided = await take(gov, proposal, "decide", **decision)
    assert deadline(decided, "announcement")["due"] == "2026-05-07"  # across 劳动节
    announced = await take(gov, decided, "announce")
    assert deadline(announced, "announcement")["on_time"] is True
    # The departments involved carry out the closure and record it.
    travel_to("2026-06-01")
    closure = {"closure_date": "2026-05-30", "closure_measures": "断电、拆除除尘及生产设备。"}
    assert (await step(client_as(f"{COUNTY}-tax", Role.officer), announced, "report_closure",
                       **closure)).status_code == 403  # fmt: skip
    completed = await take(officer, announced, "report_closure", **closure)
    assert completed["status"] == "closure_completed"
    accepted = await take(gov, completed, "accept", acceptance_date="2026-06-01")
    travel_to("2026-06-05")
    final = await take(gov, accepted, "announce_completion")
    assert final["status"] == "completion_announced"
    assert deadline(final, "completion_announcement")["on_time"] is True


@pytest.mark.seed("一(一)5")
async def test_compliant_enterprise_confirmed_publicised_and_revoked(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    lead = client_as(f"{COUNTY}-miit", Role.lead)
    travel_to("2025-10-12")
    confirmations = [
        {"department": f"{COUNTY}-market", "confirmed_on": "2025-10-09"},
        {"department": f"{COUNTY}-drc", "confirmed_on": "2025-10-10"},
    ]
    content = payload("compliant", confirmations=confirmations[:1])  # standards only
    del content["products"]
    draft = await open_case(lead, "compliant", content=content)
    # What is confirmed is what will be published: the content must be complete first.
    incomplete = await step(lead, draft, "confirm")
    assert incomplete.status_code == 422 and pointers(incomplete) == ["/products"]
    products = payload("compliant")["products"]
    unconfirmed = await step(lead, draft, "confirm", products=products)
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["guard"] == "all_confirmations_present"
    confirmed = await take(lead, draft, "confirm", products=products, confirmations=confirmations)
    assert confirmed["status"] == "confirmed"
    # Once confirmed, the content is settled: publishing cannot change it.
    changed = await step(lead, confirmed, "publish", products=[{**products[0], "capacity": 90}])
    assert changed.status_code == 422 and pointers(changed) == ["/products"]
    published = await take(lead, confirmed, "publish")
    assert published["status"] == "publicized"
    assert deadline(published, "publicity")["on_time"] is True
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    no_reason = await step(approver, published, "revoke")
    assert no_reason.status_code == 422 and pointers(no_reason) == ["/reason"]
    revoked = await take(approver, published, "revoke", reason="抽查发现颗粒物超标")
    assert revoked["status"] == "revoked"
    assert revoked["closing_reason"] == "抽查发现颗粒物超标"


async def test_withdrawal_keeps_the_case_with_its_reason(client_as: ClientAs) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    published = await take(approver, await open_case(approver, "illegal"), "publish")
    withdrawn = await take(approver, published, "withdraw", reason="企业主体认定错误")
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["closing_reason"] == "企业主体认定错误"
    assert (await approver.get(f"{URL}/{withdrawn['id']}")).json()["status"] == "withdrawn"
    [*_, last] = await history(approver, withdrawn)
    assert (last["from_state"], last["to_state"]) == ("publicized", "withdrawn")


async def test_a_step_needs_the_current_version(client_as: ClientAs) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    draft = await open_case(approver, "illegal")
    url = f"{URL}/{draft['id']}/transitions"
    missing = await approver.post(url, json={"action": "publish"})
    assert missing.status_code == 428
    old = await approver.post(url, json={"action": "publish"}, headers={"If-Match": '"7"'})
    assert old.status_code == 412
    assert (await step(approver, draft, "publish")).status_code == 200
    assert (await step(approver, draft, "publish")).status_code == 409  # the state moved on


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"category": "forced_exit"}, "/category"),
        ({"payload": {"unknown": 1}}, "/payload/unknown"),
        ({"payload": {"completion_deadline": "2101-01-01"}}, "/payload/completion_deadline"),
        ({"payload": {"responsible_departments": ["220322-nosuch"]}}, "/responsible_departments/0"),
    ],
)
async def test_bad_cases_are_422(
    client: httpx.AsyncClient, body: dict[str, Any], pointer: str
) -> None:
    enterprise_id, inspection_id = await cases.enterprise_and_inspection(client)
    response = await client.post(
        URL, json={**cases.create_body("illegal", enterprise_id, inspection_id), **body}
    )
    assert response.status_code == 422, response.text
    assert pointer in pointers(response)


async def test_a_case_cites_an_inspection_of_its_enterprise(client: httpx.AsyncClient) -> None:
    _, inspection_id = await cases.enterprise_and_inspection(client)
    other_enterprise, _ = await cases.enterprise_and_inspection(client)
    response = await client.post(
        URL, json=cases.create_body("illegal", other_enterprise, inspection_id)
    )
    assert response.status_code == 422
    assert pointers(response) == ["/inspection_id"]


async def test_only_the_category_s_departments_open_it(client_as: ClientAs) -> None:
    tax = client_as(f"{COUNTY}-tax", Role.officer)
    enterprise_id, inspection_id = await cases.enterprise_and_inspection(tax)
    body = cases.create_body("rectification", enterprise_id, inspection_id)
    assert (await tax.post(URL, json=body)).status_code == 403
    body = cases.create_body("illegal", enterprise_id, inspection_id)
    assert (await tax.post(URL, json=body)).status_code == 201


async def test_lists_filter_by_category_status_and_department(client_as: ClientAs) -> None:
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.approver)
    miit = client_as(f"{COUNTY}-miit", Role.approver)
    illegal = await take(ecoenv, await open_case(ecoenv, "illegal"), "publish")
    draft = await open_case(ecoenv, "rectification")
    elimination = await open_case(miit, "elimination")

    async def ids(**params: Any) -> set[str]:
        response = await ecoenv.get(URL, params=params)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert await ids() == {illegal["id"], draft["id"], elimination["id"]}
    assert await ids(category="illegal") == {illegal["id"]}
    assert await ids(status="draft") == {draft["id"], elimination["id"]}
    assert await ids(department=f"{COUNTY}-miit") == {elimination["id"]}
    assert await ids(due_before="2027-04-01") == {draft["id"]}  # 2027-03-31
    assert await ids(enterprise_id=illegal["enterprise_id"]) == {illegal["id"]}
    page = await ecoenv.get(URL, params={"limit": 2})
    rest = await ecoenv.get(URL, params={"limit": 2, "cursor": page.json()["next_cursor"]})
    assert len(page.json()["items"]) == 2 and len(rest.json()["items"]) == 1
    # Another county sees none of them.
    assert (await client_as("220302-ecoenv", Role.viewer).get(URL)).json()["items"] == []


async def test_the_lifecycle_tables_are_published_for_drawing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/case-lifecycles")
    assert response.status_code == 200
    tables = {t["category"]: t for t in response.json()["items"]}
    assert set(tables) == {"illegal", "elimination", "rectification", "forced_exit", "compliant"}
    forced = tables["forced_exit"]
    assert forced["initial_state"] == "proposed"
    decide = next(t for t in forced["transitions"] if t["action"] == "decide")
    assert decide["department_kinds"] == ["gov"] and decide["roles"] == ["approver"]
    escalations = [
        t for t in tables["rectification"]["transitions"] if "open_forced_exit" in t["effects"]
    ]
    assert {t["next_state"] for t in escalations} == {"escalated"}


async def test_a_failed_reinspection_with_many_long_findings_still_escalates(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    travel_to("2025-10-15")
    due = payload("rectification", rectification_deadline="2026-03-31")
    published = await take(owner, await open_case(owner, "rectification", content=due), "publish")
    travel_to("2026-04-10")  # the deadline has passed
    findings = [
        {**cases.FAILING_ITEM, "item": f"{'颗粒物排放浓度' * 13}{i}", "compliant": False}
        for i in range(200)
    ]
    escalated = await take(
        owner, published, "record_reinspection_fail", reinspection_date="2026-04-08",
        findings=findings,
    )  # fmt: skip
    forced = (await owner.get(f"{URL}/{escalated['forced_exit_case_id']}")).json()
    grounds = forced["payload"]["unfinished_rectification"]
    assert grounds.startswith("复查仍不达标：") and len(grounds) <= 2_000


@pytest.mark.seed("一(一)5")
@pytest.mark.parametrize(
    "confirmation",
    [
        {"department": "220382-drc", "confirmed_on": "2026-11-03"},  # another county's
        {"department": "220300-drc", "confirmed_on": "2026-11-03"},  # the city's
        {"department": f"{COUNTY}-drc", "confirmed_on": "2099-01-01"},  # not yet given
    ],
)
async def test_only_the_county_s_own_dated_confirmations_count(
    client_as: ClientAs, confirmation: dict[str, str]
) -> None:
    lead = client_as(f"{COUNTY}-miit", Role.lead)
    market = {"department": f"{COUNTY}-market", "confirmed_on": "2026-11-02"}
    draft = await open_case(
        lead, "compliant", content=payload("compliant", confirmations=[market, confirmation])
    )
    refused = await step(lead, draft, "confirm")
    assert refused.status_code == 409
    assert refused.json()["guard"] == "all_confirmations_present"


@pytest.mark.seed("一(一)3")
async def test_a_re_inspection_s_findings_must_agree_with_its_result(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    published = await take(owner, await open_case(owner, "rectification"), "publish")
    still_failing = [{**cases.FAILING_ITEM, "compliant": False}]
    passing = [{**cases.FAILING_ITEM, "measured_value": 18.0, "compliant": True}]
    reported = await take(
        owner, published, "report_rectification", rectification_date="2026-11-30",
        rectification_measures="更换布袋除尘器。",
    )  # fmt: skip
    for action, findings in (
        ("record_reinspection_pass", still_failing),
        ("record_reinspection_fail", passing),
    ):
        refused = await step(owner, reported, action, reinspection_date="2026-11-30",
                             findings=findings)  # fmt: skip
        assert refused.status_code == 422, (action, refused.text)
        assert [e["pointer"] for e in refused.json()["errors"]] == ["/findings"]


async def test_a_caller_who_may_not_act_is_refused_before_the_payload_is_read(
    client_as: ClientAs,
) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    published = await take(approver, await open_case(approver, "illegal"), "publish")
    # An officer records completion; an approver may not, whatever the case would make
    # of the body (a completion in the future is 422 for an officer).
    refused = await step(
        approver, published, "report_completion", completion_date="2027-01-04",
        completion_evidence="已拆除。", handling_result="已拆除。",
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["code"] == "action_forbidden"
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    early = await step(
        officer, published, "report_completion", completion_date="2027-01-04",
        completion_evidence="已拆除。", handling_result="已拆除。",
    )  # fmt: skip
    assert early.status_code == 422 and pointers(early) == ["/completion_date"]
    # A body its action's schema refuses is 422 before anything else (ReportCompletionStep).
    malformed = await step(approver, published, "report_completion", completion_date="nonsense")
    assert malformed.status_code == 422
    assert sorted(pointers(malformed)) == ["/completion_date", "/completion_evidence"]
