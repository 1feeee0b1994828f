"""The city-level notice as a document: every county notice it covers, with the city's
review of each, ready to post."""

from __future__ import annotations

import html
import uuid

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures import html as html5
from tests.fixtures.cases import COUNTY, open_case, take

URL = "/api/v1/city-summaries"
TITLE = "四平市2026年淘汰类装备退出目标公示"


@pytest.mark.seed("一(四)")
async def test_the_city_notice_document_shows_each_entry_and_its_review(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    county = client_as(f"{COUNTY}-miit", Role.approver)
    for _ in range(2):
        await take(county, await open_case(county, "elimination"), "publish")
    notices = (await anonymous.get("/api/v1/disclosures")).json()["items"]
    city = client_as("220300-miit", Role.officer, Role.approver)
    confirmed, disputed = notices
    for notice, discrepancies in (
        (confirmed, []),
        (disputed, [{"field": "elimination_items", "finding": "高炉容积与现场核查不符"}]),
    ):
        review = await city.post(
            f"/api/v1/disclosures/{notice['id']}/reviews",
            json={"kind": "spot_check", "discrepancies": discrepancies},
        )
        assert review.status_code == 201, review.text
    published = await city.post(
        URL,
        json={
            "category": "elimination",
            "scope": "targets",
            "title": TITLE,
            "disclosures": [n["id"] for n in notices],
        },
    )
    assert published.status_code == 201, published.text
    summary = published.json()

    for media in ("text/plain", "text/html"):
        response = await anonymous.get(f"{URL}/{summary['id']}/document", headers={"Accept": media})
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{media}; charset=utf-8"
        text = response.text if media == "text/plain" else html.unescape(response.text)
        if media == "text/html":
            assert html5.problems(response.text) == []
        assert TITLE in text and summary["department"]["name"] in text
        for entry in summary["entries"]:
            for value in (
                entry["enterprise"]["name"],
                entry["enterprise"]["credit_code"],
                entry["enterprise"]["address"],
                entry["county"]["name"],
                entry["department"]["name"],
                entry["review"]["reviewed_on"],
            ):
                assert value in text, (media, value)
        assert "确认无误" in text
        assert "高炉容积与现场核查不符" in text
    assert "公示" in (await anonymous.get(f"{URL}/{summary['id']}/document")).text


async def test_an_unknown_city_notice_or_media_type_is_refused(
    anonymous: httpx.AsyncClient,
) -> None:
    missing = await anonymous.get(f"{URL}/{uuid.uuid4()}/document")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
