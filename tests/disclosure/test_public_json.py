"""The public list, written straight from rows, says what `DisclosureOut` says.

The list skips model validation for speed (disclosure/public_json.py); these tests hold
it to the model: every item of every category and status is a valid `DisclosureOut`,
is encoded exactly as the model would encode it, and equals the same notice read one
by one through the (model-built) detail route.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import Category
from capacity_exit.disclosure.schemas import DisclosureList
from tests.conftest import ClientAs
from tests.disclosure.test_documents import FLOWS
from tests.fixtures.cases import COUNTY

URL = "/api/v1/disclosures"


async def _every_kind_of_notice(client_as: ClientAs) -> None:
    """All five categories (a forced exit with co-publishers), one notice corrected
    and one withdrawn."""
    for category in Category:
        await FLOWS[category](client_as)
    publisher = client_as(f"{COUNTY}-miit", Role.approver)
    listing = (await publisher.get(URL, params={"category": "elimination"})).json()["items"]
    first, second = listing[0], listing[1]
    corrected = await publisher.post(
        f"{URL}/{first['id']}/corrections",
        json={"reason": "验收日期有误", "content": {}},
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 201, corrected.text
    withdrawn = await publisher.post(
        f"{URL}/{second['id']}/withdrawal",
        json={"reason": "重复发布"},
        headers={"If-Match": '"1"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text


async def test_every_listed_notice_is_what_the_model_says(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _every_kind_of_notice(client_as)
    response = await anonymous.get(URL, params={"include_withdrawn": "true", "limit": 100})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    items = body["items"]
    assert {item["category"] for item in items} == {c.value for c in Category}
    assert {item["status"] for item in items} == {"current", "withdrawn"}
    assert any(item["co_publishers"] for item in items)
    assert any(item["previous_id"] for item in items)

    # Valid against the response model, and encoded as the model encodes it.
    assert DisclosureList.model_validate(body).model_dump(mode="json") == body
    # The same notice read alone, through the model-built detail, reads the same; the
    # list adds the role the filtered department carries it in (none: unfiltered).
    for item in items:
        detail = (await anonymous.get(f"{URL}/{item['id']}")).json()
        listed = {name: value for name, value in item.items() if name != "publishing_role"}
        assert {name: detail[name] for name in listed} == listed
        assert item["publishing_role"] is None


@pytest.mark.parametrize("limit", [1, 3])
async def test_pages_chain_to_the_same_notices(
    limit: int, client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _every_kind_of_notice(client_as)
    whole = (await anonymous.get(URL, params={"limit": 100})).json()["items"]
    paged: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        page = (await anonymous.get(URL, params=params)).json()
        paged += page["items"]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert paged == whole and len(whole) > limit
