"""Each category's notices, as documents, carry every value they publish."""

from __future__ import annotations

import html
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import NOTICES as PUBLISHING_STEPS
from capacity_exit.case.machine import CaseAction, Category
from tests.conftest import ClientAs
from tests.fixtures import html as html5
from tests.fixtures.cases import COUNTY, EQUIPMENT, open_case, payload, take

URL = "/api/v1/disclosures"
# What a reader sees for the coded values.
LABELS = {"dismantle": "拆除", "environment": "环保", "inspection": "检查"}
DONE = "2026-11-30"  # the day of publication (the pinned day): no step precedes it


def leaves(value: Any) -> list[str]:
    """What a reader finds in the document for a published value."""
    if isinstance(value, dict) and set(value) == {"code", "name"}:
        return [value["name"]]  # a department, by its name only
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    if isinstance(value, str) and value in LABELS:
        return [LABELS[value]]
    return [str(value)]


async def _illegal(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "illegal"), "publish")
    case = await take(
        owner, case, "report_completion", completion_date=DONE,
        completion_evidence="拆除记录存档。", handling_result="违规生产线已拆除。",
    )  # fmt: skip
    case = await take(owner, case, "accept", acceptance_date=DONE)
    await take(owner, case, "announce")


async def _elimination(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "elimination"), "publish")
    exited = [{**case["payload"]["elimination_items"][0], "model": "XG-1000A"}]
    case = await take(
        owner, case, "report_completion", completion_date=DONE,
        completion_evidence="高炉拆除验收记录。", exited_items=exited,
    )  # fmt: skip
    case = await take(owner, case, "accept", acceptance_date=DONE)
    await take(owner, case, "announce")


async def _rectification(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.approver)
    await take(owner, await open_case(owner, "rectification"), "publish")


async def _compliant(client_as: ClientAs) -> None:
    lead = client_as(f"{COUNTY}-miit", Role.lead)
    await take(lead, await take(lead, await open_case(lead, "compliant"), "confirm"), "publish")


async def _forced_exit(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    escalated = await take(
        owner, case, "record_refusal", refusal_date=DONE, refusal_facts="企业拒绝改造除尘设施。"
    )
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    proposal = (await gov.get(f"/api/v1/cases/{escalated['forced_exit_case_id']}")).json()
    decided = await take(
        gov, proposal, "decide", decision_number="梨政决〔2026〕9号", decision_date=DONE,
        legal_basis="《大气污染防治法》第九十九条",
    )  # fmt: skip
    announced = await take(gov, decided, "announce")
    closed = await take(
        owner, announced, "report_closure", closure_date=DONE, closure_measures="断电拆除。"
    )
    accepted = await take(gov, closed, "accept", acceptance_date=DONE)
    await take(gov, accepted, "announce_completion")


FLOWS = {
    Category.illegal: _illegal,
    Category.elimination: _elimination,
    Category.rectification: _rectification,
    Category.compliant: _compliant,
    Category.forced_exit: _forced_exit,
}
CLAUSES = {
    Category.illegal: "一(一)1",
    Category.elimination: "一(一)2",
    Category.rectification: "一(一)3",
    Category.forced_exit: "一(一)4",
    Category.compliant: "一(一)5",
}


@pytest.mark.parametrize(
    "category", [pytest.param(c, marks=pytest.mark.seed(CLAUSES[c])) for c in Category]
)
async def test_every_published_value_is_in_the_document(
    category: Category, client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await FLOWS[category](client_as)
    notices = (await anonymous.get(URL, params={"category": category.value})).json()["items"]
    steps = {step for (c, _), step in PUBLISHING_STEPS.items() if c == category}
    assert len(notices) == len(steps)
    for notice in notices:
        step = PUBLISHING_STEPS[(category, _action_of(notice, category))]
        assert set(notice["content"]) == set(step.fields), "a published field is missing"
        for media in ("text/plain", "text/html"):
            document = await anonymous.get(
                f"{URL}/{notice['id']}/document", headers={"Accept": media}
            )
            assert document.status_code == 200
            text = document.text if media == "text/plain" else html.unescape(document.text)
            for value in [
                notice["enterprise"]["name"],
                notice["enterprise"]["credit_code"],
                *leaves(notice["content"]),
            ]:
                assert value in text, (media, value)


def _action_of(notice: dict[str, Any], category: Category) -> CaseAction:
    matches = [
        action
        for (c, action), step in PUBLISHING_STEPS.items()
        if c == category
        and step.kind == notice["kind"]
        and set(step.fields) == set(notice["content"])
    ]
    assert matches, notice["content"].keys()
    return matches[0]


@pytest.mark.seed("一(一)4")
async def test_the_involved_departments_co_publish_a_forced_exit(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _forced_exit(client_as)
    notices = (await anonymous.get(URL, params={"category": "forced_exit"})).json()["items"]
    assert len(notices) == 2
    for notice in notices:
        assert notice["department"]["code"] == f"{COUNTY}-gov"
        assert [c["code"] for c in notice["co_publishers"]] == [f"{COUNTY}-ecoenv"]
        # The grounds, but not the internal id of the rectification case behind them.
        assert "failing_items" in notice["content"]
        assert "rectification_case_id" not in notice["content"]
        text = (
            await anonymous.get(f"{URL}/{notice['id']}/document", headers={"Accept": "text/plain"})
        ).text
        assert f"联合发布：{notice['co_publishers'][0]['name']}" in text


@pytest.mark.parametrize(
    "category", [pytest.param(c, marks=pytest.mark.seed(CLAUSES[c])) for c in Category]
)
async def test_every_document_is_valid_html5(
    category: Category, client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    """Each notice of the category, publicity and announcement alike, parses without a
    single error and keeps its lists in `<ol>` inside the field's `<dd>`."""
    await FLOWS[category](client_as)
    notices = (await anonymous.get(URL, params={"category": category.value})).json()["items"]
    kinds = {step.kind for (c, _), step in PUBLISHING_STEPS.items() if c == category}
    assert {n["kind"] for n in notices} == kinds
    for notice in notices:
        document = await anonymous.get(
            f"{URL}/{notice['id']}/document", headers={"Accept": "text/html"}
        )
        assert document.headers["content-type"] == "text/html; charset=utf-8"
        assert html5.problems(document.text) == [], notice["kind"]
        tree = html5.parse(document.text)
        assert tree.find(".//dl/dd/ol/li") is not None  # every category publishes a list


@pytest.mark.seed("一(一)2")
async def test_numbers_read_as_the_department_wrote_them(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.approver)
    items = [
        {**EQUIPMENT, "capacity": 44},
        {**EQUIPMENT, "name": "2号高炉", "capacity": 12.5},
        {**EQUIPMENT, "name": "3号高炉", "capacity": 0.00006, "capacity_unit": "亿吨/年"},
    ]
    content = payload("elimination", elimination_items=items)
    await take(owner, await open_case(owner, "elimination", content=content), "publish")
    [notice] = (await anonymous.get(URL)).json()["items"]
    # The JSON gives back what was sent: 44 is an integer, not 44.0.
    published = notice["content"]["elimination_items"]
    assert [i["capacity"] for i in published] == [44, 12.5, 0.00006]
    assert type(published[0]["capacity"]) is int

    text = (
        await anonymous.get(f"{URL}/{notice['id']}/document", headers={"Accept": "text/plain"})
    ).text
    for written in ("产能：44 万吨/年", "产能：12.5 万吨/年", "产能：0.00006 亿吨/年", "数量：1；"):
        assert written in text, written
    assert "44.0" not in text and "e-05" not in text


@pytest.mark.seed("一(一)3")
async def test_measurements_read_as_written_with_their_units(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    """The inspection's 85.3 against the limit 50 (mg/m³), as the notice states them."""
    await _rectification(client_as)
    [notice] = (await anonymous.get(URL)).json()["items"]
    [problem] = notice["content"]["problems"]
    assert (problem["measured_value"], problem["limit_value"]) == (85.3, 50)
    assert type(problem["limit_value"]) is int
    for media in ("text/plain", "text/html"):
        document = await anonymous.get(f"{URL}/{notice['id']}/document", headers={"Accept": media})
        text = html.unescape(document.text)
        assert "检测值（监测值）：85.3 mg/m³；强制性标准规定值：50 mg/m³" in text, media
        assert "50.0" not in text
