"""OWASP API Security Top 10 (2023), API1: Broken Object Level Authorization.

The attacker is a department of one county (梨树县, 220322) holding every role; the
victim is the same department of another county (铁西区, 220302). The house rule: a
county cannot even see another county's records, so each of them answers as if it did
not exist (404), for reads and writes alike. tests/auth/test_access_matrix.py addresses
each operation with another county's object and checks the 404; here the attacker
works around the direct address:

* guessed ids (UUIDv7 neighbours) and the answers they give: a real object of another
  county must be indistinguishable from no object at all — same problem, no ETag, no
  428/412 telling that something is there to precondition, none of its fields;
* ids in bodies that name another county's objects: a case citing its inspection or
  enterprise, a credit push or a batch naming its cases, a correction citing its
  correction request, a forced exit citing its rectification case, a credit code
  already registered there (the conflict must not hand out the record's id);
* list filters asking for another jurisdiction, department, enterprise or case;
* cursors forged (the filter digest is computable) or issued to another caller;
* an `Idempotency-Key` replayed by the same subject acting for another county.

Published notices and city-level notices are public by law (the public record), so
reading another county's is by design; their writes are addressed here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.pagination import encode_cursor
from tests.conftest import ClientAs
from tests.fixtures import cases
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

HOME, AWAY, CITY = "220322", "220302", "220300"
PROBLEM = "application/problem+json"
API = "/api/v1"


class County:
    """One county's environment bureau, holding every role, and what it creates."""

    def __init__(self, client_as: ClientAs, code: str) -> None:
        self.code = code
        self.department = f"{code}-ecoenv"
        self.client = client_as(self.department, *Role)

    async def enterprise(self) -> dict[str, Any]:
        response = await self.client.post(
            f"{API}/enterprises", json=enterprise_body(jurisdiction=self.code)
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def inspection(self, enterprise_id: str | None = None) -> dict[str, Any]:
        enterprise_id = enterprise_id or (await self.enterprise())["id"]
        response = await self.client.post(f"{API}/inspections", json=inspection_body(enterprise_id))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def draft(self) -> dict[str, Any]:
        content = cases.payload("rectification", responsible_departments=[self.department])
        return await cases.open_case(
            self.client, "rectification", content=content, jurisdiction=self.code
        )

    async def published(self) -> dict[str, Any]:
        return await cases.take(self.client, await self.draft(), "publish")

    async def refused(self) -> dict[str, Any]:
        """Published, then refused rectification: pushed to the credit platforms, and a
        forced exit proposed to the county government."""
        return await cases.take(
            self.client,
            await self.published(),
            "record_refusal",
            refusal_date=clock.business_today().isoformat(),
            refusal_facts="拒不整改",
        )

    async def pushes(self, case: dict[str, Any]) -> list[dict[str, Any]]:
        listed = await self.client.get(f"{API}/credit-pushes", params={"case": case["id"]})
        assert listed.status_code == 200, listed.text
        return list(listed.json()["items"])

    async def notice(self, case: dict[str, Any]) -> dict[str, Any]:
        """The public notice of a published case."""
        enterprise = (await self.client.get(f"{API}/enterprises/{case['enterprise_id']}")).json()
        listed = await self.client.get(
            f"{API}/disclosures", params={"enterprise": enterprise["credit_code"]}
        )
        [notice] = listed.json()["items"]
        return dict(notice)

    async def account(self) -> dict[str, Any]:
        body = {
            "kind": "user",
            "login": f"bola.{uuid.uuid4().hex[:12]}",
            "display_name": "对象级授权测试",
            "department": self.department,
            "roles": ["viewer"],
        }
        response = await self.client.post(f"{API}/accounts", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json()["account"])


@pytest.fixture
def home(client_as: ClientAs) -> County:
    return County(client_as, HOME)


@pytest.fixture
def away(client_as: ClientAs) -> County:
    return County(client_as, AWAY)


def _neighbour(object_id: str) -> str:
    """A UUIDv7 one step from `object_id` (same instant, same version and variant): an
    id an attacker enumerating from a known one would try, that names nothing."""
    return str(uuid.UUID(int=uuid.UUID(object_id).int ^ 1))


def _values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    elif isinstance(node, str):
        yield node


def _telling(value: str, request: httpx.Request) -> bool:
    """A value whose presence in an answer would tell something: not a short or enum-like
    token (`rectification`, `draft`), not what the request itself sent (an id it named)."""
    if len(value) < 6 or re.fullmatch(r"[a-z_]+", value):
        return False
    return value not in request.url.path and value.encode() not in request.content


def assert_nothing_of(response: httpx.Response, *objects: Any) -> None:
    """No field of the objects is in the answer."""
    for obj in objects:
        for value in _values(obj):
            if _telling(value, response.request):
                assert value not in response.text, (value, response.text)


def _shape(response: httpx.Response, object_id: str) -> dict[str, Any]:
    """The answer as a guesser compares it: the id it sent written as `{id}`."""
    body = response.json()
    body.pop("request_id", None)
    shaped = {k: v.replace(object_id, "{id}") if isinstance(v, str) else v for k, v in body.items()}
    return {
        "status": response.status_code,
        "content-type": response.headers["content-type"],
        "etag": response.headers.get("etag"),
        "location": response.headers.get("location"),
        "body": shaped,
    }


# --- guessed ids ---------------------------------------------------------------------

Call = tuple[str, str, Any]  # method, path with {id}, body


async def _enterprise(away: County) -> tuple[dict[str, Any], list[Call]]:
    enterprise = await away.enterprise()
    return enterprise, [
        ("GET", "/enterprises/{id}", None),
        ("PATCH", "/enterprises/{id}", {"address": "吉林省四平市梨树县新址"}),
    ]


async def _inspection(away: County) -> tuple[dict[str, Any], list[Call]]:
    return await away.inspection(), [("GET", "/inspections/{id}", None)]


async def _case(away: County) -> tuple[dict[str, Any], list[Call]]:
    return await away.draft(), [
        ("GET", "/cases/{id}", None),
        ("GET", "/cases/{id}/events", None),
        (
            "PATCH",
            "/cases/{id}",
            {"category": "rectification", "rectification_measures": "更换布袋除尘器"},
        ),
        ("POST", "/cases/{id}/transitions", {"action": "publish"}),
    ]


async def _credit_push(away: County) -> tuple[dict[str, Any], list[Call]]:
    push = (await away.pushes(await away.refused()))[0]
    return push, [
        ("GET", "/credit-pushes/{id}", None),
        ("POST", "/credit-pushes/{id}/retry", None),
        ("POST", "/credit-pushes/{id}/cancel", None),
    ]


async def _account(away: County) -> tuple[dict[str, Any], list[Call]]:
    return await away.account(), [
        ("GET", "/accounts/{id}", None),
        ("POST", "/accounts/{id}/disable", None),
        ("POST", "/accounts/{id}/enable", None),
        ("POST", "/accounts/{id}/rotate-secret", {}),
    ]


async def _disclosure(away: County) -> tuple[dict[str, Any], list[Call]]:
    notice = await away.notice(await away.published())
    return notice, [
        ("POST", "/disclosures/{id}/corrections", {"reason": "笔误", "content": {}}),
        ("POST", "/disclosures/{id}/withdrawal", {"reason": "主体认定错误"}),
        ("POST", "/disclosures/{id}/reviews", {"kind": "spot_check", "discrepancies": []}),
    ]


VICTIMS: dict[str, Callable[[County], Awaitable[tuple[dict[str, Any], list[Call]]]]] = {
    "enterprise": _enterprise,
    "inspection": _inspection,
    "case": _case,
    "credit_push": _credit_push,
    "account": _account,
    "disclosure": _disclosure,
}


@pytest.mark.parametrize("kind", sorted(VICTIMS))
async def test_another_countys_object_answers_like_one_that_does_not_exist(
    kind: str, home: County, away: County
) -> None:
    """Every operation on the object, with the version it really has, a stale one and
    none: the same 404 as for its never-issued neighbour id. A 428 or 412 would tell
    the guesser that the id is real (and a 412 its version)."""
    victim, calls = await VICTIMS[kind](away)
    real, ghost = victim["id"], _neighbour(victim["id"])
    held = f'"{victim.get("version", 1)}"'
    for method, template, body in calls:
        for if_match in (held, '"999"', None):
            headers = {"If-Match": if_match} if if_match else {}
            answers = [
                await home.client.request(
                    method, API + template.format(id=object_id), json=body, headers=headers
                )
                for object_id in (real, ghost)
            ]
            where = (method, template, if_match)
            assert answers[0].status_code == 404, (where, answers[0].text)
            assert answers[0].json()["code"] == "not_found", where
            assert _shape(answers[0], real) == _shape(answers[1], ghost), where
            assert_nothing_of(answers[0], victim)
    # And it is untouched: the victim still reads it at the version it had.
    if kind != "disclosure":
        path = calls[0][1].format(id=real)
        mine = await away.client.get(API + path)
        assert mine.status_code == 200, mine.text
        assert mine.json().get("version") == victim.get("version"), kind


# --- ids in bodies -------------------------------------------------------------------


def assert_refused(
    response: httpx.Response, status: int, code: str, pointer: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = dict(response.json())
    assert body["code"] == code, body
    if pointer is not None:
        assert [e.get("pointer") for e in body.get("errors", [])] == [pointer], body
    return body


async def test_an_inspection_of_another_countys_enterprise_is_refused_as_unknown(
    home: County, away: County
) -> None:
    enterprise = await away.enterprise()
    response = await home.client.post(f"{API}/inspections", json=inspection_body(enterprise["id"]))
    assert_refused(response, 404, "enterprise_not_found", "/enterprise_id")
    assert_nothing_of(response, enterprise)
    listed = await away.client.get(f"{API}/inspections", params={"enterprise_id": enterprise["id"]})
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("cited", "code", "pointer"),
    [
        ("their enterprise and inspection", "enterprise_not_found", "/enterprise_id"),
        ("our enterprise, their inspection", "inspection_not_found", "/inspection_id"),
    ],
)
async def test_a_case_citing_another_countys_records_is_refused_as_unknown(
    home: County, away: County, cited: str, code: str, pointer: str
) -> None:
    theirs = await away.inspection()
    enterprise_id = theirs["enterprise_id"]
    if cited.startswith("our"):
        enterprise_id = (await home.enterprise())["id"]
    body = cases.create_body("rectification", enterprise_id, theirs["id"])
    body["payload"]["responsible_departments"] = [home.department]
    response = await home.client.post(f"{API}/cases", json=body)
    assert_refused(response, 404, code, pointer)
    assert_nothing_of(response, theirs)
    assert (await home.client.get(f"{API}/cases")).json()["items"] == []


async def test_a_credit_push_for_another_countys_case_is_refused_as_unknown(
    home: County, away: County
) -> None:
    case = await away.refused()
    before = await away.pushes(case)
    response = await home.client.post(
        f"{API}/credit-pushes",
        json={"case_id": case["id"], "kind": "update", "reason": "联合惩戒", "measure": "限制融资"},
    )
    assert_refused(response, 404, "case_not_found", "/case_id")
    assert_nothing_of(response, case)
    assert await away.pushes(case) == before


async def test_a_batch_naming_another_countys_case_publishes_nothing(
    home: County, away: County
) -> None:
    ours, theirs = await home.draft(), await away.draft()
    response = await home.client.post(
        f"{API}/disclosure-batches",
        json={
            "category": "rectification",
            "cases": [
                {"case_id": ours["id"], "version": ours["version"]},
                {"case_id": theirs["id"], "version": theirs["version"]},
            ],
        },
    )
    assert_refused(response, 404, "not_found", "/cases/1")
    assert_nothing_of(response, theirs)
    # All or none: our own case of the batch stays a draft; theirs is untouched.
    assert (await home.client.get(f"{API}/cases/{ours['id']}")).json()["status"] == "draft"
    still = (await away.client.get(f"{API}/cases/{theirs['id']}")).json()
    assert (still["status"], still["version"]) == ("draft", theirs["version"])


async def test_a_correction_citing_another_countys_correction_request_is_refused(
    client_as: ClientAs, home: County, away: County
) -> None:
    """The city asked 铁西区 to correct its notice; 梨树县 cannot resolve that request with
    a correction of its own notice."""
    theirs = await away.notice(await away.published())
    review = await client_as(f"{CITY}-ecoenv", Role.officer).post(
        f"{API}/disclosures/{theirs['id']}/reviews",
        json={"kind": "spot_check", "discrepancies": [{"field": "problems", "finding": "超标"}]},
    )
    assert review.status_code == 201, review.text
    request_id = review.json()["correction_request_id"]
    ours = await home.notice(await home.published())
    response = await home.client.post(
        f"{API}/disclosures/{ours['id']}/corrections",
        json={
            "reason": "按市级抽查更正",
            "content": {"rectification_basis": "《锅炉大气污染物排放标准》（GB 13271-2014）表2"},
            "correction_request_id": request_id,
        },
        headers={"If-Match": f'"{ours["version"]}"'},
    )
    assert_refused(response, 404, "correction_request_not_found", "/correction_request_id")
    [request] = (await away.client.get(f"{API}/correction-requests")).json()["items"]
    assert (request["id"], request["status"]) == (request_id, "open")
    assert (await home.client.get(f"{API}/correction-requests")).json()["items"] == []


async def test_a_forced_exit_cannot_cite_another_countys_rectification_case(
    client_as: ClientAs, home: County, away: County
) -> None:
    """The county government's forced exit comes from its own escalated rectification
    (`parent_case_id`); its content cannot be re-pointed at another county's case,
    neither while drafting nor in the decision."""
    escalated, theirs = await home.refused(), await away.draft()
    gov = client_as(f"{HOME}-gov", *Role)
    proposal = (await gov.get(f"{API}/cases/{escalated['forced_exit_case_id']}")).json()
    held = {"If-Match": f'"{proposal["version"]}"'}
    edited = await gov.patch(
        f"{API}/cases/{proposal['id']}",
        json={"category": "forced_exit", "rectification_case_id": theirs["id"]},
        headers=held,
    )
    assert_refused(edited, 422, "not_the_source_case", "/rectification_case_id")
    assert_nothing_of(edited, theirs)
    decided = await gov.post(
        f"{API}/cases/{proposal['id']}/transitions",
        json={
            "action": "decide",
            "rectification_case_id": theirs["id"],
            "legal_basis": "《大气污染防治法》第九十九条",
            "decision_number": "梨政决〔2026〕1号",
            "decision_date": clock.business_today().isoformat(),
        },
        headers=held,
    )
    assert_refused(decided, 422, "not_the_source_case", "/rectification_case_id")
    after = (await gov.get(f"{API}/cases/{proposal['id']}")).json()
    assert after["payload"]["rectification_case_id"] == escalated["id"]
    assert after["version"] == proposal["version"]


async def test_a_credit_code_registered_elsewhere_does_not_hand_out_the_record(
    home: County, away: County
) -> None:
    """The code is unique city-wide, so the conflict itself cannot be avoided; the id of
    the other county's record (and anything else of it) stays out of the answer. In the
    caller's own county the conflict names the existing record, as documented."""
    theirs = await away.enterprise()
    body = enterprise_body(jurisdiction=HOME, credit_code=theirs["credit_code"])
    created = await home.client.post(f"{API}/enterprises", json=body)
    problem = assert_refused(created, 409, "credit_code_taken", "/credit_code")
    assert "existing_id" not in problem
    assert theirs["id"] not in created.text
    ours = await home.enterprise()
    patched = await home.client.patch(
        f"{API}/enterprises/{ours['id']}",
        json={"credit_code": theirs["credit_code"]},
        headers={"If-Match": f'"{ours["version"]}"'},
    )
    problem = assert_refused(patched, 409, "credit_code_taken", "/credit_code")
    assert "existing_id" not in problem
    assert theirs["id"] not in patched.text
    again = await home.client.post(
        f"{API}/enterprises",
        json=enterprise_body(jurisdiction=HOME, credit_code=ours["credit_code"]),
    )
    assert assert_refused(again, 409, "credit_code_taken")["existing_id"] == ours["id"]


async def test_records_cannot_be_moved_or_assigned_into_another_county(
    home: County, away: County
) -> None:
    """Jurisdictions and departments are reference data everyone reads, so naming
    another county's is 403 (outside the jurisdiction the caller acts in), not 404:
    an enterprise moved there, an account made for its department."""
    ours = await home.enterprise()
    moved = await home.client.patch(
        f"{API}/enterprises/{ours['id']}",
        json={"jurisdiction": AWAY},
        headers={"If-Match": f'"{ours["version"]}"'},
    )
    assert_refused(moved, 403, "out_of_scope")
    assert (await home.client.get(f"{API}/enterprises/{ours['id']}")).json()["jurisdiction"] == HOME
    account = await home.client.post(
        f"{API}/accounts",
        json={
            "kind": "user",
            "login": "bola.planted",
            "display_name": "植入账号",
            "department": away.department,
            "roles": ["admin"],
        },
    )
    assert_refused(account, 403, "out_of_scope")
    listed = await away.client.get(f"{API}/accounts", params={"department": away.department})
    assert [a["login"] for a in listed.json()["items"]] == []


# --- list filters and cursors --------------------------------------------------------


async def _away_world(client_as: ClientAs, away: County) -> dict[str, Any]:
    """Something of every listed kind in the other county."""
    case = await away.refused()
    notice = await away.notice(case)
    review = await client_as(f"{CITY}-ecoenv", Role.officer).post(
        f"{API}/disclosures/{notice['id']}/reviews",
        json={"kind": "recheck", "discrepancies": [{"field": "problems", "finding": "数值有误"}]},
    )
    assert review.status_code == 201, review.text
    enterprise = await away.client.get(f"{API}/enterprises/{case['enterprise_id']}")
    return {
        "case": case,
        "enterprise_id": case["enterprise_id"],
        "credit_code": enterprise.json()["credit_code"],
        "account": await away.account(),
        "pushes": await away.pushes(case),
    }


async def test_list_filters_naming_another_county_find_nothing(
    client_as: ClientAs, home: County, away: County
) -> None:
    world = await _away_world(client_as, away)
    case, enterprise_id = world["case"], world["enterprise_id"]
    probes = [
        ("/enterprises", {"jurisdiction": AWAY}),
        ("/enterprises", {"credit_code": world["credit_code"]}),
        ("/inspections", {"jurisdiction": AWAY}),
        ("/inspections", {"enterprise_id": enterprise_id}),
        ("/cases", {"jurisdiction": AWAY}),
        ("/cases", {"department": away.department}),
        ("/cases", {"enterprise_id": enterprise_id}),
        ("/credit-pushes", {"case": case["id"]}),
        ("/credit-pushes", {"enterprise": enterprise_id}),
        ("/accounts", {"department": away.department}),
        ("/audit-events", {"object_id": case["id"]}),
        ("/audit-events", {"object_id": enterprise_id}),
        ("/correction-requests", {}),
    ]
    for path, params in probes:
        response = await home.client.get(API + path, params=params)
        assert response.status_code == 200, (path, params, response.text)
        assert response.json() == {"items": [], "next_cursor": None}, (path, params)
    # The same filters find the victim's own records: the probes asked the right things.
    for path, params in probes:
        found = await away.client.get(API + path, params=params)
        assert found.json()["items"], (path, params)


def _before(object_id: str) -> str:
    """The id just before `object_id` in the keyset order."""
    return str(uuid.UUID(int=uuid.UUID(object_id).int - 1))


async def test_a_forged_cursor_pointing_at_another_countys_records_finds_nothing(
    client_as: ClientAs, home: County, away: County
) -> None:
    """The cursor is not signed: its filter digest can be computed by anyone. Positioned
    just before the other county's records, it still reads only the caller's."""
    world = await _away_world(client_as, away)
    positions = {
        "/enterprises": _before(world["enterprise_id"]),
        "/inspections": _before(world["case"]["inspection_id"]),
        "/cases": _before(world["case"]["id"]),
        "/credit-pushes": _before(world["pushes"][0]["id"]),
        "/accounts": _before(world["account"]["id"]),
        "/audit-events": 0,
    }
    # Each list's filters as its router digests them (absent ones left out).
    defaults: dict[str, dict[str, Any]] = {"/accounts": {"include_disabled": False}}
    for path, position in positions.items():
        forged = encode_cursor(position, defaults.get(path, {}))
        response = await home.client.get(API + path, params={"cursor": forged})
        assert response.status_code == 200, (path, response.text)
        items = response.json()["items"]
        jurisdictions = {i.get("jurisdiction") for i in items} - {None}
        assert jurisdictions <= {HOME}, (path, items)
        assert_nothing_of(response, world["case"], world["account"], world["pushes"])


async def test_a_cursor_issued_to_another_county_reads_only_the_callers_records(
    home: County, away: County
) -> None:
    for _ in range(3):
        await away.enterprise()
    ours = await home.enterprise()
    issued = await away.client.get(f"{API}/enterprises", params={"limit": 1})
    cursor = issued.json()["next_cursor"]
    assert cursor
    replayed = await home.client.get(f"{API}/enterprises", params={"limit": 1, "cursor": cursor})
    assert replayed.status_code == 200, replayed.text
    assert [e["id"] for e in replayed.json()["items"]] == [ours["id"]]
    # Bound to its filters: reused with the other county's filter, it is refused.
    own = await home.client.get(f"{API}/enterprises", params={"jurisdiction": HOME, "limit": 1})
    assert own.json()["next_cursor"] is None
    await home.enterprise()
    page = await home.client.get(f"{API}/enterprises", params={"jurisdiction": HOME, "limit": 1})
    switched = await home.client.get(
        f"{API}/enterprises",
        params={"jurisdiction": AWAY, "limit": 1, "cursor": page.json()["next_cursor"]},
    )
    body = assert_refused(switched, 422, "invalid_cursor")
    assert [e["parameter"] for e in body["errors"]] == ["cursor"]


async def test_a_case_events_cursor_does_not_open_another_countys_history(
    home: County, away: County
) -> None:
    """A cursor for the case's history, forged with the digest of its filter (the case
    id), a junk one, or none: the answers for their case are those for no case at all."""
    case = await away.published()
    real, ghost = case["id"], _neighbour(case["id"])
    cursors: dict[str, Callable[[str], str | None]] = {
        "forged": lambda object_id: encode_cursor(0, {"case_id": object_id}),
        "junk": lambda object_id: "AAAA",
        "none": lambda object_id: None,
    }
    for name, cursor_for in cursors.items():
        answers = []
        for object_id in (real, ghost):
            cursor = cursor_for(object_id)
            params = {"cursor": cursor} if cursor else {}
            answers.append(await home.client.get(f"{API}/cases/{object_id}/events", params=params))
        assert _shape(answers[0], real) == _shape(answers[1], ghost), name
        assert_refused(
            answers[0],
            422 if name == "junk" else 404,
            "invalid_cursor" if name == "junk" else "not_found",
        )
        assert_nothing_of(answers[0], case)


# --- idempotency keys ----------------------------------------------------------------


async def test_an_idempotency_key_is_not_replayed_to_the_subject_acting_for_another_county(
    app: FastAPI, settings: Settings
) -> None:
    """One subject (a person, as external issuers name them) holds a token for each of
    two counties. Its create in 铁西区, retried with the same key and body by its token
    for 梨树县, must not hand back the 铁西区 record: that token may not see it, and is
    refused as it would be without the key."""

    def acting_for(department: str) -> httpx.AsyncClient:
        token, _ = tokens.issue(
            settings, subject="idp:zhang.wei", department=department, roles=[Role.officer],
            kind="user",
        )  # fmt: skip
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "create-1"},
        )

    body = enterprise_body(jurisdiction=AWAY)
    async with acting_for(f"{AWAY}-ecoenv") as there, acting_for(f"{HOME}-ecoenv") as here:
        first = await there.post(f"{API}/enterprises", json=body)
        assert first.status_code == 201, first.text
        retried = await here.post(f"{API}/enterprises", json=body)
        assert "idempotent-replayed" not in retried.headers
        assert_refused(retried, 403, "out_of_scope")
        assert first.json()["id"] not in retried.text
        # Its own retry is still replayed.
        again = await there.post(f"{API}/enterprises", json=body)
        assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
        assert again.headers["idempotent-replayed"] == "true"
