"""What the API sends is what its contract declares: every status an operation answers,
and the `ETag`, `Location` and `Retry-After` headers it sends with it.

A client walks through the main job (accounts, the calendar, an enterprise, its
inspection, a case and its steps, the notice it publishes and its correction, the
credit push it lists) calling each operation the way a frontend would; every answer is
recorded and held to the contract's entry for its operation and status. Each operation
that takes `If-Match` is also called without it (428), and each operation with a body
with a body of another media type (415).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

API = "/api/v1"
SENT_HEADERS = ("etag", "location", "retry-after")


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    headers: httpx.Headers


class Recorder:
    """Every answer of the clients it watches."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []

    def watch(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        async def record(response: httpx.Response) -> None:
            request = response.request
            self.answers.append(
                Answer(request.method, request.url.path, response.status_code, response.headers)
            )

        client.event_hooks["response"].append(record)
        return client


def _operations(document: dict[str, Any]) -> list[tuple[str, re.Pattern[str], str, Any]]:
    """(method, path regex, template, operation) for every operation of the contract."""
    found = []
    for template, item in document["paths"].items():
        regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in item.items():
            found.append((method.upper(), regex, template, operation))
    # Literal paths before templated ones (`/disclosures/feed.atom` before `{id}`).
    return sorted(found, key=lambda f: f[2].count("{"))


def _operation_of(operations: list[Any], answer: Answer) -> tuple[str, Any]:
    for method, regex, template, operation in operations:
        if method == answer.method and regex.match(answer.path):
            return template, operation
    raise AssertionError(f"no operation in the contract for {answer.method} {answer.path}")


async def _without_if_match(client: httpx.AsyncClient, url: str, body: Any = None) -> None:
    response = await client.post(url, json=body) if body is not None else await client.post(url)
    assert response.status_code == 428, (url, response.text)


async def _main_job(recorder: Recorder, client_as: ClientAs) -> set[str]:
    """Drive the API through its main job; the paths of the operations it called."""
    admin = recorder.watch(client_as("220300-miit", Role.admin))
    owner = recorder.watch(client_as(f"{COUNTY}-miit", Role.officer, Role.approver))

    # Accounts (the city's administrator).
    created = await admin.post(
        f"{API}/accounts",
        json={
            "kind": "service",
            "login": "svc.headers",
            "display_name": "对接系统",
            "department": "220300-miit",
            "roles": ["viewer"],
        },
    )
    assert created.status_code == 201, created.text
    account = f"{API}/accounts/{created.json()['account']['id']}"
    await admin.get(account)
    await admin.get(f"{API}/accounts")
    for verb in ("disable", "enable", "rotate-secret"):
        await _without_if_match(admin, f"{account}/{verb}", {} if verb == "rotate-secret" else None)
        etag = (await admin.get(account)).headers["etag"]
        kwargs: dict[str, Any] = {"json": {}} if verb == "rotate-secret" else {}
        done = await admin.post(f"{account}/{verb}", headers={"If-Match": etag}, **kwargs)
        assert done.status_code == 200, done.text

    # The calendar.
    year = await admin.get(f"{API}/calendar/years/2031")
    schedule = {"notice": "国办发明电〔2030〕1号", "holidays": [], "adjusted_workdays": []}
    missing = await admin.put(f"{API}/calendar/years/2031", json=schedule)
    assert missing.status_code == 428, missing.text
    loaded = await admin.put(
        f"{API}/calendar/years/2031", json=schedule, headers={"If-Match": year.headers["etag"]}
    )
    assert loaded.status_code == 200, loaded.text

    # An enterprise and its inspection.
    enterprise = await owner.post(f"{API}/enterprises", json=enterprise_body(jurisdiction=COUNTY))
    assert enterprise.status_code == 201, enterprise.text
    enterprise_url = f"{API}/enterprises/{enterprise.json()['id']}"
    await owner.get(enterprise_url)
    await owner.get(f"{API}/enterprises")
    missing = await owner.patch(enterprise_url, json={"name": "改名有限公司"})
    assert missing.status_code == 428, missing.text
    renamed = {"name": "改名有限公司"}
    held = {"If-Match": enterprise.headers["etag"]}
    patched = await owner.patch(enterprise_url, json=renamed, headers=held)
    assert patched.status_code == 200, patched.text
    inspection = await owner.post(
        f"{API}/inspections", json=inspection_body(enterprise.json()["id"])
    )
    assert inspection.status_code == 201, inspection.text
    await owner.get(f"{API}/inspections/{inspection.json()['id']}")
    await owner.get(f"{API}/inspections")

    # A case, its draft edit, its steps and history.
    case = await open_case(owner, "elimination")
    case_url = f"{API}/cases/{case['id']}"
    await owner.get(case_url)
    await owner.get(f"{API}/cases")
    same = {"category": case["category"]}
    missing = await owner.patch(case_url, json=same)
    assert missing.status_code == 428, missing.text
    edited = await owner.patch(case_url, json=same, headers={"If-Match": f'"{case["version"]}"'})
    assert edited.status_code == 200, edited.text
    await _without_if_match(owner, f"{case_url}/transitions", {"action": "publish"})
    case = await take(owner, edited.json(), "publish")
    await owner.get(f"{case_url}/events")

    # The notice it published, read in public, then corrected and withdrawn.
    notices = await owner.get(f"{API}/disclosures", params={"jurisdiction": COUNTY})
    [notice] = notices.json()["items"]
    notice_url = f"{API}/disclosures/{notice['id']}"
    await owner.get(notice_url)
    await owner.get(f"{notice_url}/document")
    correction = {"reason": "数量有误", "content": {}}
    await _without_if_match(owner, f"{notice_url}/corrections", correction)
    corrected = await owner.post(
        f"{notice_url}/corrections", json=correction, headers={"If-Match": '"1"'}
    )
    assert corrected.status_code == 201, corrected.text
    newer = f"{API}/disclosures/{corrected.json()['id']}"
    await _without_if_match(owner, f"{newer}/withdrawal", {"reason": "认定错误"})
    withdrawn = await owner.post(
        f"{newer}/withdrawal", json={"reason": "认定错误"}, headers={"If-Match": '"2"'}
    )
    assert withdrawn.status_code == 200, withdrawn.text

    # A media type the operations do not take.
    for method, url in (
        ("POST", f"{API}/enterprises"),
        ("PATCH", enterprise_url),
        ("POST", f"{API}/inspections"),
        ("POST", f"{API}/cases"),
        ("POST", f"{case_url}/transitions"),
        ("POST", f"{newer}/corrections"),
    ):
        refused = await owner.request(
            method, url, content=b"name=x", headers={"Content-Type": "text/plain"}
        )
        assert refused.status_code == 415, (url, refused.text)
    return {a.path for a in recorder.answers}


@pytest.mark.seed("一(一)2")
async def test_every_status_and_header_sent_is_declared(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    operations = _operations(document)
    recorder = Recorder()
    await _main_job(recorder, client_as)

    undeclared = []
    called = set()
    for answer in recorder.answers:
        template, operation = _operation_of(operations, answer)
        called.add(operation["operationId"])
        declared = operation["responses"].get(str(answer.status))
        if declared is None:
            undeclared.append(f"{answer.method} {template}: status {answer.status}")
            continue
        names = {name.lower() for name in declared.get("headers", {})}
        for header in SENT_HEADERS:
            if header in answer.headers and header not in names:
                undeclared.append(f"{answer.method} {template} {answer.status}: {header}")
    assert not undeclared, "\n".join(sorted(set(undeclared)))
    # The walk reaches every operation that sends an ETag (the `set_etag` callers).
    assert {
        "create_account",
        "get_account",
        "disable_account",
        "enable_account",
        "rotate_account_secret",
        "get_calendar_year",
        "load_calendar_year",
        "create_enterprise",
        "get_enterprise",
        "update_enterprise",
        "create_inspection",
        "get_inspection",
        "create_case",
        "get_case",
        "edit_case_draft",
        "transition_case",
        "get_disclosure",
        "get_disclosure_document",
        "correct_disclosure",
        "withdraw_disclosure",
    } <= called


async def test_if_match_is_required_wherever_its_absence_is_428(
    anonymous: httpx.AsyncClient,
) -> None:
    """Each operation taking `If-Match` declares it required and documents 428 and 412;
    and no operation documents 428 without it."""
    document = (await anonymous.get("/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if_match = [p for p in operation.get("parameters", []) if p["name"] == "If-Match"]
            if "428" in operation["responses"]:
                assert [p.get("required") for p in if_match] == [True], (method, path)
                assert "412" in operation["responses"], (method, path)
            else:
                assert if_match == [], (method, path)


async def test_every_body_may_be_refused_for_its_size_or_media_type(
    anonymous: httpx.AsyncClient,
) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
