"""Pushes to the credit platforms over HTTP: triggered by case changes, delivered by the
worker to a fake platform on loopback, read, cancelled, retried and made by hand."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.credit import TARGETS, FakeCredit, pushes_of

CODES = [code for code, _ in TARGETS]
PAST_DEADLINE = "2027-07-01"  # elimination's completion deadline is 2027-06-30


async def _events(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/cases/{case['id']}/events")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.mark.seed("一(二)")
async def test_an_overdue_elimination_is_listed_then_withdrawn_once_accepted(
    client_as: ClientAs, fake_credit: FakeCredit, travel_to: TravelTo
) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "elimination"), "publish")
    enterprise = (await owner.get(f"/api/v1/enterprises/{case['enterprise_id']}")).json()
    assert await pushes_of(owner, case=case["id"]) == []

    # The worker's periodic scan finds it past its deadline: three listings, one per target.
    travel_to(PAST_DEADLINE)
    await fake_credit.scan_overdue()
    overdue = (await _events(owner, case))[-1]
    assert overdue["kind"] == "overdue"
    assert overdue["changes"]["credit_pushes"] == {"kind": "listing", "targets": CODES}
    listed = await pushes_of(owner, case=case["id"])
    assert sorted(p["target"] for p in listed) == sorted(CODES)
    assert {(p["kind"], p["trigger"], p["status"]) for p in listed} == {
        ("listing", "overdue", "pending")
    }

    await fake_credit.deliver_all()
    delivered = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in delivered} == {("delivered", 1)}
    applied = fake_credit.platform.applied
    assert set(applied) == {p["idempotency_key"] for p in delivered}
    for record in applied.values():
        assert record["kind"] == "listing" and record["record_id"] == case["id"]
        assert record["subject_name"] == enterprise["name"]
        assert record["subject_credit_code"] == enterprise["credit_code"]
        assert record["violation_type"] == "淘汰类装备（生产线）逾期未退出"
        assert record["decision_date"] == PAST_DEADLINE
        assert record["valid_until"] == "2030-07-01"
    assert sorted(r["_platform"] for r in applied.values()) == sorted(CODES)

    # Completed late and accepted: the listing is withdrawn on every platform (信用修复).
    case = (await owner.get(f"/api/v1/cases/{case['id']}")).json()
    exited = [{**case["payload"]["elimination_items"][0]}]
    case = await take(
        owner, case, "report_completion", completion_date=PAST_DEADLINE,
        completion_evidence="高炉拆除验收记录。", exited_items=exited,
    )  # fmt: skip
    assert await pushes_of(owner, case=case["id"], kind="withdrawal") == []
    case = await take(owner, case, "accept", acceptance_date=PAST_DEADLINE)
    accepted = (await _events(owner, case))[-1]
    assert accepted["changes"]["credit_pushes"] == {"kind": "withdrawal", "targets": CODES}
    await fake_credit.deliver_all()
    withdrawals = await pushes_of(owner, case=case["id"], kind="withdrawal")
    assert {(p["status"], p["trigger"]) for p in withdrawals} == {
        ("delivered", "completion_accepted")
    }
    for push in withdrawals:
        record = applied[push["idempotency_key"]]
        assert (record["kind"], record["record_id"]) == ("withdrawal", case["id"])
        assert record["valid_until"] == PAST_DEADLINE
        assert "通过验收" in record["reason"]


@pytest.mark.seed("一(二)")
async def test_a_case_never_listed_is_not_withdrawn_on_acceptance(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "elimination"), "publish")
    exited = [{**case["payload"]["elimination_items"][0]}]
    case = await take(
        owner, case, "report_completion", completion_date="2026-11-30",
        completion_evidence="高炉拆除验收记录。", exited_items=exited,
    )  # fmt: skip
    await take(owner, case, "accept", acceptance_date="2026-11-30")
    assert await pushes_of(owner, case=case["id"]) == []


@pytest.mark.seed("一(二)")
async def test_a_refusal_and_the_forced_exit_decision_are_both_listed(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    escalated = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不更换除尘设施。"
    )
    [refusal] = {p["trigger"] for p in await pushes_of(owner, case=case["id"])}
    assert refusal == "refusal"
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    proposal = (await gov.get(f"/api/v1/cases/{escalated['forced_exit_case_id']}")).json()
    await take(
        gov, proposal, "decide", decision_number="梨政决〔2026〕9号", decision_date="2026-11-30",
        legal_basis="《大气污染防治法》第九十九条",
    )  # fmt: skip
    decided = await pushes_of(gov, case=proposal["id"])
    assert {(p["trigger"], p["record"]["decision_number"]) for p in decided} == {
        ("forced_exit_decision", "梨政决〔2026〕9号")
    }
    assert {p["record"]["measure_type"] for p in decided} == {"责令关闭"}
    await fake_credit.deliver_all()
    assert len(fake_credit.platform.applied) == 6


async def _refused(client_as: ClientAs) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。"
    )
    return owner, case


async def test_an_approver_cancels_and_retries_a_push(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    push = (await pushes_of(owner, case=case["id"]))[0]
    url = f"/api/v1/credit-pushes/{push['id']}"
    assert (await owner.post(f"{url}/cancel")).status_code == 428
    assert (await owner.post(f"{url}/cancel", headers={"If-Match": '"9"'})).status_code == 412
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    assert (await officer.post(f"{url}/cancel", headers={"If-Match": '"1"'})).status_code == 403
    cancelled = await owner.post(f"{url}/cancel", headers={"If-Match": '"1"'})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = await owner.post(f"{url}/cancel", headers={"If-Match": cancelled.headers["etag"]})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"

    await fake_credit.deliver_all()  # the cancelled one is not sent
    assert push["idempotency_key"] not in fake_credit.platform.applied
    retried = await owner.post(f"{url}/retry", headers={"If-Match": cancelled.headers["etag"]})
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    await fake_credit.deliver_all()
    assert push["idempotency_key"] in fake_credit.platform.applied
    done = (await owner.get(url)).json()
    assert done["status"] == "delivered"
    assert [a["outcome"] for a in done["attempt_log"]] == ["delivered"]
    # Elsewhere it does not exist.
    away = client_as("220302-ecoenv", Role.approver)
    assert (await away.get(url)).status_code == 404


async def test_a_push_by_hand_is_idempotent_and_checked(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    update = {
        "case_id": case["id"],
        "kind": "update",
        "reason": "联合惩戒措施",
        "measure": "限制融资授信",
    }
    headers = {"Idempotency-Key": "punishment-1"}
    first = await owner.post("/api/v1/credit-pushes", json=update, headers=headers)
    assert first.status_code == 201, first.text
    replay = await owner.post("/api/v1/credit-pushes", json=update, headers=headers)
    assert replay.status_code == 201 and replay.json() == first.json()
    updates = await pushes_of(owner, case=case["id"], kind="update")
    assert len(updates) == len(CODES)
    assert {p["record"]["measure_content"] for p in updates} == {"限制融资授信"}
    assert {p["trigger"] for p in updates} == {"manual"}

    no_measure = await owner.post("/api/v1/credit-pushes", json={**update, "measure": None})
    assert no_measure.status_code == 422
    assert [e["pointer"] for e in no_measure.json()["errors"]] == ["/measure"]
    unknown = await owner.post("/api/v1/credit-pushes", json={**update, "targets": ["nowhere"]})
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/targets/0"]
    one = await owner.post("/api/v1/credit-pushes", json={**update, "targets": ["creditjilin"]})
    assert [p["target"] for p in one.json()["items"]] == ["creditjilin"]

    fresh = await take(owner, await open_case(owner, "rectification"), "publish")
    never = await owner.post(
        "/api/v1/credit-pushes", json={**update, "case_id": fresh["id"], "kind": "withdrawal"}
    )
    assert never.status_code == 409 and never.json()["code"] == "not_listed"
    unlistable = await owner.post(
        "/api/v1/credit-pushes", json={**update, "case_id": fresh["id"], "kind": "listing"}
    )
    assert unlistable.status_code == 409 and unlistable.json()["code"] == "not_listable"


async def test_targets_are_listed_without_their_secrets(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    response = await client_as(f"{COUNTY}-ecoenv", Role.viewer).get("/api/v1/credit-targets")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [t["code"] for t in items] == CODES
    assert all(t["base_url"].startswith(fake_credit.base) for t in items)
    assert "secret" not in response.text and "credit-secret" not in response.text


async def _decided_forced_exit(
    client_as: ClientAs, involved: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A refused rectification (listed) and its forced exit, decided with `involved`."""
    _, rectification = await _refused(client_as)
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    proposal = (await gov.get(f"/api/v1/cases/{rectification['forced_exit_case_id']}")).json()
    edited = await gov.patch(
        f"/api/v1/cases/{proposal['id']}",
        json={"category": "forced_exit", "involved_departments": involved},
        headers={"If-Match": f'"{proposal["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    decided = await take(
        gov, edited.json(), "decide", decision_number="梨政决〔2026〕9号",
        decision_date="2026-11-30", legal_basis="《大气污染防治法》第九十九条",
    )  # fmt: skip
    return rectification, decided


@pytest.mark.seed("一(二)")
async def test_only_the_departments_of_a_case_push_for_it(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    involved = [f"{COUNTY}-ecoenv", f"{COUNTY}-market"]
    rectification, forced_exit = await _decided_forced_exit(client_as, involved)

    def update(case: dict[str, Any], measure: str) -> dict[str, Any]:
        return {"case_id": case["id"], "kind": "update", "reason": "联合惩戒", "measure": measure}

    # The deciding government and each department its decision involves push for the
    # forced exit; a department of the same county it does not involve is refused.
    uninvolved = client_as(f"{COUNTY}-natres", Role.approver)
    for case in (forced_exit, rectification):
        refused = await uninvolved.post("/api/v1/credit-pushes", json=update(case, "限制融资授信"))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "not_case_party"
    for department in (f"{COUNTY}-gov", *involved):
        pusher = client_as(department, Role.approver)
        pushed = await pusher.post("/api/v1/credit-pushes", json=update(forced_exit, department))
        assert pushed.status_code == 201, (department, pushed.text)
        assert len(pushed.json()["items"]) == len(CODES)

    # Any other case is pushed by its own department only: not by the government, nor by
    # a department its forced exit involves.
    owner = client_as(f"{COUNTY}-ecoenv", Role.approver)
    own = await owner.post("/api/v1/credit-pushes", json=update(rectification, "限制高消费"))
    assert own.status_code == 201, own.text
    for department in (f"{COUNTY}-gov", f"{COUNTY}-market"):
        other = client_as(department, Role.approver)
        response = await other.post("/api/v1/credit-pushes", json=update(rectification, "x"))
        assert response.status_code == 403, (department, response.text)
    updates = [
        *await pushes_of(owner, case=forced_exit["id"], kind="update"),
        *await pushes_of(owner, case=rectification["id"], kind="update"),
    ]
    assert len(updates) == 4 * len(CODES)  # nothing queued for the refused ones


@pytest.mark.seed("一(二)")
async def test_only_the_departments_of_a_case_cancel_or_retry_its_pushes(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    _, forced_exit = await _decided_forced_exit(client_as, [f"{COUNTY}-ecoenv"])
    push = (await pushes_of(client_as(f"{COUNTY}-gov", Role.viewer), case=forced_exit["id"]))[0]
    url = f"/api/v1/credit-pushes/{push['id']}"
    uninvolved = client_as(f"{COUNTY}-natres", Role.approver)
    refused = await uninvolved.post(f"{url}/cancel", headers={"If-Match": '"1"'})
    assert refused.status_code == 403 and refused.json()["code"] == "not_case_party"
    involved = client_as(f"{COUNTY}-ecoenv", Role.approver)
    cancelled = await involved.post(f"{url}/cancel", headers={"If-Match": '"1"'})
    assert cancelled.status_code == 200, cancelled.text
    etag = cancelled.headers["etag"]
    refused = await uninvolved.post(f"{url}/retry", headers={"If-Match": etag})
    assert refused.status_code == 403 and refused.json()["code"] == "not_case_party"
    retried = await client_as(f"{COUNTY}-gov", Role.approver).post(
        f"{url}/retry", headers={"If-Match": etag}
    )
    assert retried.status_code == 200, retried.text


async def test_the_case_table_publishes_who_pushes_for_a_case(
    client_as: ClientAs,
) -> None:
    response = await client_as(f"{COUNTY}-ecoenv", Role.viewer).get("/api/v1/case-lifecycles")
    assert response.status_code == 200, response.text
    pushers = {item["category"]: item["credit_pushers"] for item in response.json()["items"]}
    owner = {"roles": ["approver"], "parties": ["owner"]}
    assert pushers == {
        "illegal": owner,
        "elimination": owner,
        "rectification": owner,
        "forced_exit": {"roles": ["approver"], "parties": ["owner", "involved"]},
        "compliant": owner,
    }
