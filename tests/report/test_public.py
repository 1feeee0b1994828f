"""The report platform's public side through HTTP: concluded reports, statistics and
the compliant enterprises one may report against (一(一)5)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.cases import open_case, take
from tests.fixtures.reports import solved
from tests.report.test_router import (
    EMAIL,
    NAME,
    PHONE,
    named,
    report_id_of,
    step,
    submission,
    submit,
)

pytestmark = pytest.mark.seed("一(一)5")

LIST = "/api/v1/public-reports"
STATISTICS = "/api/v1/public-reports/statistics"
COMPLIANT = "/api/v1/compliant-enterprises"
SEEN = "已拆除的中频炉夜间恢复生产。"  # submission()'s what_was_seen
TIMELY_TEXT = "举报属实，已责令停产并拆除中频炉。"
LATE_TEXT = "经核查，该厂设备已拆除，举报不属实。"


async def _investigating(
    anonymous: httpx.AsyncClient, client_as: ClientAs, body: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """A report submitted, accepted, assigned (the rules' departments, 工信 among them
    for both categories used here) and investigated."""
    receipt = (await submit(anonymous, body)).json()
    lead = client_as("220322-miit", Role.approver)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    for action in ({"action": "accept"}, {"action": "assign"}):
        assert (await step(lead, report_id, action)).status_code == 200
    assert (await step(lead, report_id, {"action": "start_investigation"})).status_code == 200
    return receipt, report_id


async def _conclude(client_as: ClientAs, report_id: str, result: str, text: str) -> None:
    handler = client_as("220322-miit", Role.approver)  # the lead handles both categories too
    body = {
        "action": "conclude",
        "result": result,
        "measures": "内部措施记录。",
        "public_text": text,
    }
    answer = await step(handler, report_id, body)
    assert answer.status_code == 200, answer.text


@pytest.fixture
async def seeded(
    anonymous: httpx.AsyncClient, client_as: ClientAs, travel_to: Any
) -> dict[str, Any]:
    """On the pinned Monday 2026-11-30: a named report concluded the same day (on time),
    one concluded on 2027-01-13 (its due day was 2027-01-12: late), one received and
    not yet accepted, and one received in another county (梨树县 220322, 伊通 220323)."""
    timely, timely_id = await _investigating(anonymous, client_as, named())
    late, late_id = await _investigating(
        anonymous, client_as, submission(category="should_exit", seen_on=None)
    )
    waiting = (await submit(anonymous, submission(category="should_inspect"))).json()
    elsewhere = (await submit(anonymous, submission(county="220323"))).json()
    await _conclude(client_as, timely_id, "substantiated", TIMELY_TEXT)
    travel_to("2027-01-13")
    await _conclude(client_as, late_id, "unsubstantiated", LATE_TEXT)
    return {
        "receipts": [timely, late, waiting, elsewhere],
        "ids": [timely_id, late_id],
    }


async def test_concluded_reports_are_listed_with_their_conclusion_and_not_the_others(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    answer = await anonymous.get(LIST)
    assert answer.status_code == 200, answer.text
    late, timely = answer.json()["items"]  # latest conclusion first
    assert (late["conclusion_text"], timely["conclusion_text"]) == (LATE_TEXT, TIMELY_TEXT)
    assert timely["result"] == "substantiated" and late["result"] == "unsubstantiated"
    assert timely["category"] == "resurgence" and late["category"] == "should_exit"
    assert timely["county"] == {"code": "220322", "name": "梨树县"}
    assert timely["enterprise"] == {"name": "梨树县某某铸造厂", "credit_code": None}
    assert timely["received_on"] == "2026-11-30"
    assert timely["acceptance"] == {"due": "2026-12-07", "done_on": "2026-11-30", "on_time": True}
    assert timely["conclusion"] == {"due": "2027-01-12", "done_on": "2026-11-30", "on_time": True}
    assert late["conclusion"] == {"due": "2027-01-12", "done_on": "2027-01-13", "on_time": False}
    assert [d["code"] for d in timely["handling_departments"]] == ["220322-miit", "220322-market"]
    assert all(d["name"] for d in timely["handling_departments"])
    assert timely["cases"] == [] and timely["notices"] == []
    assert timely["status"] == "concluded"


async def test_the_list_never_carries_the_reporters_words_contact_or_receipt(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    raw = (await anonymous.get(LIST)).text
    assert TIMELY_TEXT in raw  # the search would find what is there
    markers = [SEEN, NAME, PHONE, EMAIL, "内部措施记录", "梨树镇工业路8号", *seeded["ids"]]
    for receipt in seeded["receipts"]:
        code = receipt["tracking_code"]
        markers += [code, code.replace("-", ""), receipt["secret"]]
    for marker in markers:
        assert marker not in raw, marker


async def test_the_list_filters_and_pages_with_a_cursor_that_names_no_report(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    def results(answer: httpx.Response) -> list[str]:
        assert answer.status_code == 200, answer.text
        return [item["result"] for item in answer.json()["items"]]

    assert results(await anonymous.get(LIST, params={"result": "substantiated"})) == [
        "substantiated"
    ]
    assert results(await anonymous.get(LIST, params={"concluded_from": "2026-12-01"})) == [
        "unsubstantiated"
    ]
    assert results(await anonymous.get(LIST, params={"concluded_to": "2026-11-30"})) == [
        "substantiated"
    ]
    assert results(await anonymous.get(LIST, params={"category": "should_exit"})) == [
        "unsubstantiated"
    ]
    assert results(await anonymous.get(LIST, params={"county": "220323"})) == []

    first = await anonymous.get(LIST, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert results(first) == ["unsubstantiated"] and cursor
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert not any(report_id in decoded for report_id in seeded["ids"])
    second = await anonymous.get(LIST, params={"limit": 1, "cursor": cursor})
    assert results(second) == ["substantiated"] and second.json()["next_cursor"] is None
    forged = base64.urlsafe_b64encode(decoded.replace('"a":"2027', '"a":"x2027').encode())
    bad = await anonymous.get(LIST, params={"limit": 1, "cursor": forged.decode().rstrip("=")})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")


async def test_the_list_is_conditional_and_cacheable(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    first = await anonymous.get(LIST)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = await anonymous.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["ETag"] == first.headers["ETag"]


async def test_a_reopened_report_leaves_the_list(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    timely = seeded["receipts"][0]
    lookup = {"tracking_code": timely["tracking_code"], "secret": timely["secret"]}
    objection = await anonymous.post(
        "/api/v1/report-receipts/actions", json=lookup | {"action": "object", "text": "未拆除。"}
    )
    assert objection.json()["status"] == "reopened", objection.text
    items = (await anonymous.get(LIST)).json()["items"]
    assert [item["conclusion_text"] for item in items] == [LATE_TEXT]


async def test_statistics_count_the_seeded_reports(
    anonymous: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    answer = await anonymous.get(STATISTICS)
    assert answer.status_code == 200, answer.text
    stats = answer.json()
    assert stats["total"] == 4

    def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {row["key"]: row["count"] for row in rows}

    assert counts(stats["by_category"]) == {"resurgence": 2, "should_exit": 1, "should_inspect": 1}
    assert counts(stats["by_county"]) == {"220322": 3, "220323": 1}
    assert counts(stats["by_state"]) == {"concluded": 2, "received": 2}
    assert counts(stats["by_month"]) == {"2026-11": 4}
    assert stats["on_time"] == {"concluded": 2, "on_time": 1, "share": 0.5}
    assert stats["on_time_by_county"] == [
        {"key": "220322", "name": "梨树县", "concluded": 2, "on_time": 1, "share": 0.5}
    ]
    county = (await anonymous.get(STATISTICS, params={"county": "220323"})).json()
    assert county["total"] == 1 and county["on_time"]["share"] is None
    later = (await anonymous.get(STATISTICS, params={"received_from": "2026-12-01"})).json()
    assert later["total"] == 0 and later["by_month"] == []
    window = {"received_from": "2026-11-30", "received_to": "2026-11-30"}
    assert (await anonymous.get(STATISTICS, params=window)).json()["total"] == 4
    backwards = await anonymous.get(
        STATISTICS, params={"received_from": "2026-12-01", "received_to": "2026-11-30"}
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_range")
    cached = await anonymous.get(STATISTICS, headers={"If-None-Match": answer.headers["ETag"]})
    assert cached.status_code == 304


async def test_the_compliant_page_lists_a_published_notice_with_a_working_report_link(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    lead = client_as("220322-miit", Role.lead, Role.approver)
    published = await take(
        lead, await take(lead, await open_case(lead, "compliant"), "confirm"), "publish"
    )
    answer = await anonymous.get(COMPLIANT)
    assert answer.status_code == 200, answer.text
    [listed] = answer.json()["items"]
    notice = (await anonymous.get(listed["notice_url"])).json()
    assert notice["category"] == "compliant" and notice["id"] == listed["notice_id"]
    assert listed["enterprise"]["credit_code"] == notice["enterprise"]["credit_code"]
    prefill = listed["report_prefill"]
    assert prefill == {
        "disputed_notice_id": notice["id"],
        "enterprise": {"credit_code": notice["enterprise"]["credit_code"]},
        "county": "220322",
    }
    body = prefill | {"category": "fraud", "what_was_seen": "该企业实际未达到排放标准。"}
    payload = body | {"altcha": await solved(anonymous)}
    report = await anonymous.post(listed["report_url"], json=payload)
    assert report.status_code == 201, report.text
    city_lead = client_as("220300-miit", Role.officer)  # fraud is the city's to handle
    [found] = (await city_lead.get("/api/v1/reports")).json()["items"]
    assert found["disputed_notice_id"] == notice["id"]
    assert (await anonymous.get(COMPLIANT, params={"county": "220323"})).json()["items"] == []

    await take(lead, published, "revoke", reason="抽查发现颗粒物超标")
    assert (await anonymous.get(COMPLIANT)).json()["items"] == []
