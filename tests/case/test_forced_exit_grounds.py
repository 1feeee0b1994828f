"""A forced exit carries what the latest inspection of each failing item found (一(一)4):
the re-inspection's measured values when it still failed (整改后仍不达标), the original
inspection's when nothing re-checked the item (拒不整改), and it names that inspection —
in the case, in the announcement and in the announcement's document.

The inspection behind every case was completed on 2025-09-26 (kind `inspection`, 检查).
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, FAILING_ITEM, open_case, payload, take

CASES = "/api/v1/cases"
DISCLOSURES = "/api/v1/disclosures"
INSPECTED_ON = "2025-09-26"  # tests.fixtures.inspections
REINSPECTED_ON = "2026-02-09"
# The original inspection found 420 mg/m³; the re-inspection after rectification 265.
ORIGINAL = {**FAILING_ITEM, "measured_value": 420.0}


def other(item: str, measured: float, limit: float) -> dict[str, Any]:
    return {**FAILING_ITEM, "item": item, "measured_value": measured, "limit_value": limit}


SULPHUR = other("二氧化硫排放浓度", 380.0, 200.0)
NITROGEN = other("氮氧化物排放浓度", 410.0, 200.0)
MERCURY = other("汞及其化合物排放浓度", 0.08, 0.05)


def by_inspection(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "found_by": "inspection", "found_on": INSPECTED_ON}


def by_reinspection(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "found_by": "reinspection", "found_on": REINSPECTED_ON}


async def _rectification(
    client_as: ClientAs, travel_to: TravelTo, problems: list[dict[str, Any]]
) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    """An environment bureau's rectification case of `problems`, published in time."""
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    travel_to("2025-10-16")
    content = payload("rectification", problems=problems, rectification_deadline="2026-03-31")
    return owner, await take(owner, await open_case(owner, "rectification", content=content),
                             "publish")  # fmt: skip


async def _failed_reinspection(
    client_as: ClientAs,
    travel_to: TravelTo,
    problems: list[dict[str, Any]],
    findings: list[dict[str, Any]],
) -> dict[str, Any]:
    """整改后仍不达标: rectification reported, then the re-inspection still fails."""
    owner, published = await _rectification(client_as, travel_to, problems)
    travel_to("2026-02-10")
    reported = await take(
        owner, published, "report_rectification", rectification_date="2026-02-01",
        rectification_measures="更换布袋除尘器。",
    )  # fmt: skip
    return await take(
        owner, reported, "record_reinspection_fail", reinspection_date=REINSPECTED_ON,
        findings=findings,
    )  # fmt: skip


async def _proposal(client_as: ClientAs, escalated: dict[str, Any]) -> dict[str, Any]:
    assert escalated["status"] == "escalated"
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    response = await gov.get(f"{CASES}/{escalated['forced_exit_case_id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _announced(
    client_as: ClientAs, anonymous: httpx.AsyncClient, proposal: dict[str, Any], decided_on: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The government decides and announces; the notice and its document (text, HTML)."""
    gov = client_as(f"{COUNTY}-gov", Role.approver)
    decided = await take(
        gov, proposal, "decide", decision_number="梨政决〔2026〕3号", decision_date=decided_on,
        legal_basis="《大气污染防治法》第九十九条",
    )  # fmt: skip
    await take(gov, decided, "announce")
    listed = await anonymous.get(DISCLOSURES, params={"category": "forced_exit"})
    [notice] = listed.json()["items"]
    documents = {}
    for media in ("text/plain", "text/html"):
        response = await anonymous.get(
            f"{DISCLOSURES}/{notice['id']}/document", headers={"Accept": media}
        )
        assert response.status_code == 200, response.text
        documents[media] = response.text if media == "text/plain" else html.unescape(response.text)
    return dict(notice), documents


def _item_lines(document: str, item: str) -> list[str]:
    """The document's lines (text) or list entries (HTML) that state the failing `item`."""
    return [p for p in re.split(r"<[^>]+>|\n", document) if f"检查项目：{item}" in p]


@pytest.mark.seed("一(一)4")
async def test_a_forced_exit_after_a_failed_reinspection_carries_what_the_reinspection_found(
    client_as: ClientAs, travel_to: TravelTo, anonymous: httpx.AsyncClient
) -> None:
    finding = {**FAILING_ITEM, "measured_value": 265.0, "compliant": False}
    escalated = await _failed_reinspection(client_as, travel_to, [ORIGINAL], [finding])
    proposal = await _proposal(client_as, escalated)
    expected = [by_reinspection({**FAILING_ITEM, "measured_value": 265.0})]
    assert proposal["payload"]["failing_items"] == expected

    notice, documents = await _announced(client_as, anonymous, proposal, "2026-02-10")
    assert notice["content"]["failing_items"] == expected
    for media, document in documents.items():
        [line] = _item_lines(document, FAILING_ITEM["item"])
        assert "检测值（监测值）：265" in line, (media, line)
        assert "认定不达标的检查：复查" in line, (media, line)
        assert f"检查日期：{REINSPECTED_ON}" in line, (media, line)
        assert "检测值（监测值）：420" not in document, media


@pytest.mark.seed("一(一)4")
async def test_a_forced_exit_after_a_refusal_keeps_the_inspection_s_values_and_names_it(
    client_as: ClientAs, travel_to: TravelTo, anonymous: httpx.AsyncClient
) -> None:
    owner, published = await _rectification(client_as, travel_to, [ORIGINAL])
    travel_to("2025-11-20")
    escalated = await take(
        owner, published, "record_refusal", refusal_date="2025-11-19",
        refusal_facts="企业拒绝改造除尘设施。",
    )  # fmt: skip
    proposal = await _proposal(client_as, escalated)
    assert proposal["payload"]["failing_items"] == [by_inspection(ORIGINAL)]
    assert proposal["inspection_id"] == published["inspection_id"]  # the inspection named

    notice, documents = await _announced(client_as, anonymous, proposal, "2025-11-20")
    assert notice["content"]["failing_items"] == [by_inspection(ORIGINAL)]
    for media, document in documents.items():
        [line] = _item_lines(document, FAILING_ITEM["item"])
        assert "检测值（监测值）：420" in line, (media, line)
        assert "认定不达标的检查：检查" in line, (media, line)
        assert f"检查日期：{INSPECTED_ON}" in line, (media, line)


@pytest.mark.seed("一(一)4")
async def test_each_failing_item_is_as_the_latest_inspection_that_checked_it_found_it(
    client_as: ClientAs, travel_to: TravelTo
) -> None:
    findings = [
        # Still failing, stated by its measurement alone: the standard's limit, unit and
        # reference are the rectification case's.
        {"domain": "environment", "item": FAILING_ITEM["item"], "measured_value": 265.0,
         "compliant": False},
        {**SULPHUR, "measured_value": 150.0, "compliant": True},  # rectified
        {**MERCURY, "compliant": False},  # newly found failing
    ]  # fmt: skip
    escalated = await _failed_reinspection(
        client_as, travel_to, [ORIGINAL, SULPHUR, NITROGEN], findings
    )
    proposal = await _proposal(client_as, escalated)
    assert proposal["payload"]["failing_items"] == [
        by_reinspection({**FAILING_ITEM, "measured_value": 265.0}),
        by_inspection(NITROGEN),  # not re-checked: as the inspection found it
        by_reinspection(MERCURY),
    ]
