from __future__ import annotations

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

URL = "/api/v1/inspections"


async def _enterprise(client: httpx.AsyncClient, jurisdiction: str = "220322") -> str:
    response = await client.post(
        "/api/v1/enterprises", json=enterprise_body(jurisdiction=jurisdiction)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.seed("一(三)")
async def test_record_an_inspection_and_its_publicity_due_date(client: httpx.AsyncClient) -> None:
    enterprise_id = await _enterprise(client)
    response = await client.post(
        URL, json=inspection_body(enterprise_id, departments=["220322-market"])
    )
    assert response.status_code == 201, response.text
    inspection = response.json()
    # Completed Friday 26 Sep 2025: National Day in between, due 16 Oct (一(三)).
    assert inspection["publicity_due"] == {"date": "2025-10-16", "provisional": False}
    assert inspection["departments"] == ["220322-ecoenv", "220322-market"]
    assert inspection["recorded_by_department"] == "220322-ecoenv"
    assert inspection["items"][0]["standard"] == "GB 13271-2014"
    assert inspection["items"][0]["compliant"] is False
    fetched = await client.get(response.headers["location"])
    assert fetched.json() == inspection
    listed = await client.get(URL, params={"enterprise_id": enterprise_id})
    assert [i["id"] for i in listed.json()["items"]] == [inspection["id"]]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"items": []}, "/items"),
        ({"kind": "audit"}, "/kind"),
        ({"completed_on": "2025-02-30"}, "/completed_on"),
        ({"departments": ["220322-nope"]}, "/departments/0"),
        ({"conclusion": "\x00"}, "/conclusion"),
    ],
)
async def test_bad_inspections_are_422(
    client: httpx.AsyncClient, change: dict[str, object], pointer: str
) -> None:
    enterprise_id = await _enterprise(client)
    response = await client.post(URL, json=inspection_body(enterprise_id, **change))
    assert response.status_code == 422, response.text
    assert pointer in [e.get("pointer") for e in response.json()["errors"]]


async def test_completion_cannot_be_in_the_future(
    client: httpx.AsyncClient, travel_to: TravelTo
) -> None:
    enterprise_id = await _enterprise(client)
    travel_to("2025-09-25")
    response = await client.post(URL, json=inspection_body(enterprise_id))
    assert response.status_code == 422
    assert response.json()["code"] == "in_future"


@pytest.mark.seed("一(四)")
async def test_the_city_rechecks_its_counties_but_does_not_inspect_for_them(
    client: httpx.AsyncClient, client_as: ClientAs
) -> None:
    enterprise_id = await _enterprise(client)
    city = client_as("220300-ecoenv", Role.officer)
    recheck = await city.post(URL, json=inspection_body(enterprise_id, kind="recheck"))
    assert recheck.status_code == 201
    assert recheck.json()["jurisdiction"] == "220322"
    inspect = await city.post(URL, json=inspection_body(enterprise_id, kind="inspection"))
    assert inspect.status_code == 403
    # Another county cannot see the enterprise at all.
    tiexi = client_as("220302-ecoenv", Role.officer)
    hidden = await tiexi.post(URL, json=inspection_body(enterprise_id, kind="recheck"))
    assert hidden.status_code == 404
    assert (await tiexi.get(f"{URL}/{recheck.json()['id']}")).status_code == 404
    # The county sees the city's recheck of its enterprise.
    assert (await client.get(f"{URL}/{recheck.json()['id']}")).status_code == 200


async def test_inspection_created_in_2026_late_december_is_provisional(
    client: httpx.AsyncClient, travel_to: TravelTo
) -> None:
    travel_to("2026-12-31")
    enterprise_id = await _enterprise(client)
    response = await client.post(
        URL, json=inspection_body(enterprise_id, completed_on="2026-12-28")
    )
    assert response.status_code == 201
    assert response.json()["publicity_due"]["provisional"] is True
