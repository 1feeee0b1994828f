"""A forced exit's involved departments publish its notices with the deciding government
(一(一)4): filtered by department, the public list and the feed carry what a department
publishes and what it co-publishes, each saying in which role."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core import migrations
from capacity_exit.disclosure.schemas import DisclosureList
from capacity_exit.main import create_app
from tests.conftest import ClientAs, TokenFor, TravelTo
from tests.fixtures import baseline
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.stores import fresh_database

URL = "/api/v1/disclosures"
FEED = f"{URL}/feed.atom"
ATOM = "{http://www.w3.org/2005/Atom}"
ROLE_SCHEME = "urn:capacity-exit:publishing-role"
GOV, ECOENV, MIIT = f"{COUNTY}-gov", f"{COUNTY}-ecoenv", f"{COUNTY}-miit"
DONE = "2026-11-30"  # the day of publication (the pinned day): no step precedes it
BEFORE_PUBLISHERS = "7480b41e347e"  # the revision before `disclosure_publishers`


async def _forced_exit_announced(client_as: ClientAs, number: int = 9) -> None:
    """Ecoenv publishes a rectification (its own notice), the enterprise refuses, and the
    county government decides and announces the forced exit with ecoenv as co-publisher."""
    owner = client_as(ECOENV, Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    escalated = await take(
        owner, case, "record_refusal", refusal_date=DONE, refusal_facts="企业拒绝改造除尘设施。"
    )
    gov = client_as(GOV, Role.approver)
    proposal = (await gov.get(f"/api/v1/cases/{escalated['forced_exit_case_id']}")).json()
    decided = await take(
        gov, proposal, "decide", decision_number=f"梨政决〔2026〕{number}号",
        decision_date=DONE, legal_basis="《大气污染防治法》第九十九条",
    )  # fmt: skip
    await take(gov, decided, "announce")


async def _listed(anonymous: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await anonymous.get(URL, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert DisclosureList.model_validate(body).model_dump(mode="json") == body
    return list(body["items"])


async def _feed(anonymous: httpx.AsyncClient, **params: str) -> ElementTree.Element:
    response = await anonymous.get(FEED, params=params)
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.content)


def _roles(feed: ElementTree.Element) -> dict[str, list[str]]:
    """Each entry's id with the publishing roles its categories state."""
    return {
        (entry.findtext(f"{ATOM}id") or ""): [
            c.get("term", "")
            for c in entry.findall(f"{ATOM}category")
            if c.get("scheme") == ROLE_SCHEME
        ]
        for entry in feed.findall(f"{ATOM}entry")
    }


@pytest.mark.seed("一(一)4")
async def test_a_forced_exit_is_listed_for_its_publisher_and_its_co_publisher(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _forced_exit_announced(client_as)
    [forced] = await _listed(anonymous, category="forced_exit")
    assert forced["department"]["code"] == GOV
    assert [c["code"] for c in forced["co_publishers"]] == [ECOENV]
    [by_gov] = await _listed(anonymous, department=GOV)
    assert (by_gov["id"], by_gov.get("publishing_role")) == (forced["id"], "publisher")

    by_ecoenv = await _listed(anonymous, department=ECOENV)
    roles = {item["category"]: item.get("publishing_role") for item in by_ecoenv}
    assert roles == {"rectification": "publisher", "forced_exit": "co_publisher"}
    [co_published] = [item for item in by_ecoenv if item["category"] == "forced_exit"]
    assert {k: v for k, v in co_published.items() if k != "publishing_role"} == {
        k: v for k, v in forced.items() if k != "publishing_role"
    }
    # With the other filters too.
    [only] = await _listed(
        anonymous, department=ECOENV, category="forced_exit", kind="announcement"
    )
    assert (only["id"], only["publishing_role"]) == (forced["id"], "co_publisher")

    # A corrected version is carried as the one it replaces was.
    corrected = await client_as(GOV, Role.approver).post(
        f"{URL}/{forced['id']}/corrections",
        json={"reason": "决定文书日期有误", "content": {}},
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 201, corrected.text
    new_id = corrected.json()["id"]
    forced_by_ecoenv = await _listed(anonymous, department=ECOENV, category="forced_exit")
    assert [(i["id"], i["publishing_role"]) for i in forced_by_ecoenv] == [(new_id, "co_publisher")]
    [by_gov] = await _listed(anonymous, department=GOV)
    assert (by_gov["id"], by_gov["publishing_role"]) == (new_id, "publisher")
    [forced] = await _listed(anonymous, category="forced_exit")
    # Unfiltered, no department is asked about: no role is stated.
    assert forced["publishing_role"] is None
    # A department that neither publishes nor co-publishes it does not carry it.
    assert await _listed(anonymous, department=MIIT) == []
    assert await _listed(anonymous, department=f"{COUNTY}-tax") == []


@pytest.mark.seed("一(一)4")
async def test_the_feed_of_a_co_publisher_carries_the_forced_exit(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _forced_exit_announced(client_as)
    [forced] = await _listed(anonymous, category="forced_exit")
    entry_id = f"urn:uuid:{forced['id']}"

    by_ecoenv = _roles(await _feed(anonymous, department=ECOENV))
    assert by_ecoenv[entry_id] == ["co_publisher"]
    assert sorted(by_ecoenv.values()) == [["co_publisher"], ["publisher"]]
    assert _roles(await _feed(anonymous, department=GOV)) == {entry_id: ["publisher"]}
    assert _roles(await _feed(anonymous, department=MIIT)) == {}
    # Unfiltered the entry is there, stating no role, with the co-publisher as contributor.
    feed = await _feed(anonymous, category="forced_exit")
    assert _roles(feed) == {entry_id: []}
    [entry] = feed.findall(f"{ATOM}entry")
    assert [c.findtext(f"{ATOM}name") for c in entry.findall(f"{ATOM}contributor")] == [
        forced["co_publishers"][0]["name"]
    ]


@pytest.mark.seed("一(一)4")
@pytest.mark.parametrize("limit", [1, 2, 4])
async def test_pages_of_a_department_chain_over_both_roles(
    limit: int, client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    for number in range(3):
        await _forced_exit_announced(client_as, number)
    # Another department's notice, listed for neither.
    other = client_as(MIIT, Role.approver)
    await take(other, await open_case(other, "elimination"), "publish")

    everything = await _listed(anonymous)
    expected = [
        (item["id"], "publisher" if item["department"]["code"] == ECOENV else "co_publisher")
        for item in everything
        if ECOENV in [item["department"]["code"], *(c["code"] for c in item["co_publishers"])]
    ]
    assert [role for _, role in expected] == ["co_publisher", "publisher"] * 3

    paged: list[tuple[str, str]] = []
    params: dict[str, Any] = {"department": ECOENV, "limit": limit}
    while True:
        response = await anonymous.get(URL, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        paged += [(item["id"], item.get("publishing_role")) for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert paged == expected


@pytest.mark.seed("一(一)4")
async def test_a_feed_was_updated_at_its_newest_notice_or_else_at_the_request(
    client_as: ClientAs, anonymous: httpx.AsyncClient, travel_to: TravelTo
) -> None:
    # A co-publisher's site polls its feed before it has anything to carry.
    travel_to("2026-11-30")
    empty = await _feed(anonymous, department=ECOENV)
    assert empty.findall(f"{ATOM}entry") == []
    updated = dt.datetime.fromisoformat(empty.findtext(f"{ATOM}updated") or "")
    assert updated.tzinfo is not None
    assert updated.astimezone(dt.UTC).date() == dt.date(2026, 11, 30)
    # Once it carries notices, the feed changed when its newest one was published.
    await _forced_exit_announced(client_as)
    newest = max(item["published_at"] for item in await _listed(anonymous, department=ECOENV))
    travel_to("2026-12-03")
    feed = await _feed(anonymous, department=ECOENV)
    assert dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "") == (
        dt.datetime.fromisoformat(newest.replace("Z", "+00:00"))
    )


@pytest.mark.seed("一(一)4")
async def test_the_migration_fills_in_who_carries_the_notices_published_before_it(
    tmp_path: Path, settings: Settings, token_for: TokenFor
) -> None:
    with fresh_database(tmp_path) as url:
        await migrations.upgrade_async(url)
        await baseline.seed(url)
        app = create_app(settings.model_copy(update={"database_url": url}))
        opened: list[httpx.AsyncClient] = []

        def client_as(department: str | None, *roles: Role) -> httpx.AsyncClient:
            headers = {}
            if department is not None:
                headers["Authorization"] = f"Bearer {token_for(department, *roles)}"
            opened.append(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://testserver",
                    headers=headers,
                )
            )
            return opened[-1]

        try:
            await _forced_exit_announced(client_as)
            # As if published before the table existed: the migration fills it in.
            await app.state.database.dispose()
            await migrations.downgrade_async(url, BEFORE_PUBLISHERS)
            await migrations.upgrade_async(url)
            anonymous = client_as(None)
            roles = {
                item["category"]: item["publishing_role"]
                for item in await _listed(anonymous, department=ECOENV)
            }
            assert roles == {"rectification": "publisher", "forced_exit": "co_publisher"}
            [by_gov] = await _listed(anonymous, department=GOV)
            assert (by_gov["category"], by_gov["publishing_role"]) == ("forced_exit", "publisher")
            assert await _listed(anonymous, department=MIIT) == []
        finally:
            for opened_client in opened:
                await opened_client.aclose()
            await app.state.database.dispose()
