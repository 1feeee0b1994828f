"""Route × role × scope, built from the app's own operations.

Every operation must declare its policy (`x-access` in the contract) and have a row
in MATRIX below: a new route without both fails here. For each protected operation:
no token is 401; each role is tried alone — the roles the policy names succeed, the
others get 403; an object of another county is 404 (lists leave it out); and what is
administered at city level only (`scope: administration`: the calendar, reference data,
credit targets) is refused to a county's holders of the very roles it names (403).
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import WRITERS, Role
from tests.conftest import ClientAs
from tests.fixtures import cases, reports
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body
from tests.fixtures.reports import add_evidence, submit_report, tiny_png

CALLER = "220322-ecoenv"  # a county department
LEAD = "220322-miit"  # its county's lead department (工信), where `lead` acts
CITY = "220300-ecoenv"  # the city department that reviews the county's notices
CITY_ADMINISTRATION = "220300-miit"  # a city department, whose admins administer the city
OTHER_COUNTY = "220302"
_serial = itertools.count(1)


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class World:
    """Objects in and out of the caller's county, made through the API by administrators."""

    def __init__(self, client_as: ClientAs) -> None:
        self.client_as = client_as
        self.home = client_as(CALLER, *Role)
        self.away = client_as(f"{OTHER_COUNTY}-ecoenv", *Role)
        self.lead = client_as(LEAD, *Role)

    async def enterprise(self, away: bool = False) -> dict[str, Any]:
        client, jurisdiction = (self.away, OTHER_COUNTY) if away else (self.home, CALLER[:6])
        response = await client.post(
            "/api/v1/enterprises", json=enterprise_body(jurisdiction=jurisdiction)
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def inspection(self, away: bool = False) -> dict[str, Any]:
        client = self.away if away else self.home
        enterprise = await self.enterprise(away)
        response = await client.post("/api/v1/inspections", json=inspection_body(enterprise["id"]))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def case(self, away: bool = False, publish: bool = False) -> dict[str, Any]:
        """A rectification draft of the caller's department (or its peer elsewhere)."""
        client = self.away if away else self.home
        jurisdiction = OTHER_COUNTY if away else CALLER[:6]
        content = cases.payload("rectification", responsible_departments=[f"{jurisdiction}-ecoenv"])
        case = await cases.open_case(
            client, "rectification", content=content, jurisdiction=jurisdiction
        )
        return await cases.take(client, case, "publish") if publish else case

    async def disclosure(self, away: bool = False) -> dict[str, Any]:
        """The public notice of a newly published case of the county (or the other one)."""
        case = await self.case(away, publish=True)
        listed = await self.client_as(None).get(
            "/api/v1/disclosures", params={"jurisdiction": case["jurisdiction"], "limit": 1}
        )
        [notice] = listed.json()["items"]
        assert notice["enterprise"]["name"], notice
        return dict(notice)

    async def credit_push(self, away: bool = False) -> dict[str, Any]:
        """A push of a county case refused rectification (一(二)): pending, to the first
        target."""
        client = self.away if away else self.home
        case = await self.case(away, publish=True)
        refused = await cases.take(
            client, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改"
        )
        pushes = await client.get("/api/v1/credit-pushes", params={"case": refused["id"]})
        return dict(pushes.json()["items"][0])

    async def account(self, away: bool = False) -> dict[str, Any]:
        client = self.away if away else self.home
        department = f"{OTHER_COUNTY}-ecoenv" if away else CALLER
        response = await client.post("/api/v1/accounts", json=_account_body(department))
        assert response.status_code == 201, response.text
        return dict(response.json()["account"])


def _account_body(department: str) -> dict[str, Any]:
    return {
        "kind": "user",
        "login": f"matrix.{next(_serial)}",
        "display_name": "测试",
        "department": department,
        "roles": ["viewer"],
    }


Builder = Callable[[World, bool], Awaitable[Call]]

REPORT = {
    "category": "resurgence",
    "enterprise": {"name": "某某铸造厂", "address": "工业路8号"},
    "what_was_seen": "夜间恢复生产。",
}


async def report_receipt(world: World, away: bool = False) -> dict[str, Any]:
    """A report submitted (no token) in the caller's county (or the other one)."""
    county = OTHER_COUNTY if away else CALLER[:6]
    response = await submit_report(world.client_as(None), REPORT | {"county": county})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _report(world: World, away: bool, *, evidence: bool = False) -> dict[str, Any]:
    receipt = await report_receipt(world, away)
    if evidence:
        added = await add_evidence(world.client_as(None), receipt, [("a.png", tiny_png(), "")])
        assert added.status_code == 200, added.text
    lead = world.client_as(f"{OTHER_COUNTY if away else CALLER[:6]}-miit", Role.viewer)
    items = (await lead.get("/api/v1/reports", params={"limit": 200})).json()["items"]
    [report] = [r for r in items if r["tracking_code"] == receipt["tracking_code"]]
    return dict(report)


async def _report_call(world: World, away: bool, what: str) -> Call:
    report = await _report(world, away, evidence=what == "evidence")
    url = f"/api/v1/reports/{report['id']}"
    if what == "evidence":
        return Call("GET", f"{url}/evidence/{report['evidence'][0]['id']}")
    if what == "step":
        return Call("POST", f"{url}/transitions", {"action": "accept"}, _held(report))
    if what == "duplicates":
        return Call("GET", f"{url}/possible-duplicates")
    return Call("GET", f"{url}/events" if what == "events" else url)


async def _report_link(world: World, away: bool, what: str) -> Call:
    """A report under investigation by the caller's department (or its peer elsewhere):
    an inspection recorded from it, or a rectification case opened from it."""
    county = OTHER_COUNTY if away else CALLER[:6]
    report_id = await reports.investigating(world.client_as, [f"{county}-ecoenv"], county=county)
    url = f"/api/v1/reports/{report_id}"
    if what == "inspection":
        enterprise = await world.enterprise(away)
        return Call("POST", f"{url}/inspections", inspection_body(enterprise["id"]))
    inspection = await world.inspection(away)
    body = cases.create_body("rectification", inspection["enterprise_id"], inspection["id"])
    return Call("POST", f"{url}/cases", body)


async def _report_revocation(world: World, away: bool) -> Call:
    """A substantiated report (of the county, or of the other one) against a published
    compliant notice of the lead department."""
    case = await cases.open_case(world.lead, "compliant")
    case = await cases.take(world.lead, case, "confirm")
    case = await cases.take(world.lead, case, "publish")
    notices = await world.lead.get("/api/v1/disclosures", params={"case": case["id"]})
    county = OTHER_COUNTY if away else CALLER[:6]
    report_id = await reports.concluded(
        world.client_as,
        [f"{county}-ecoenv"],
        county=county,
        category="should_inspect",
        disputed_notice_id=notices.json()["items"][0]["id"],
    )
    return Call("POST", f"/api/v1/reports/{report_id}/revocations", {"reason": "举报属实。"})


async def _static(call: Call) -> Call:
    return call


def _get(url: str) -> Builder:
    return lambda world, away: _static(Call("GET", url))


async def _enterprise_call(world: World, away: bool, method: str) -> Call:
    e = await world.enterprise(away)
    url = f"/api/v1/enterprises/{e['id']}"
    if method == "PATCH":
        return Call("PATCH", url, {"address": "新址"}, {"If-Match": f'"{e["version"]}"'})
    return Call(method, url)


async def _account_call(world: World, away: bool, action: str | None) -> Call:
    a = await world.account(away)
    url = f"/api/v1/accounts/{a['id']}"
    if action is None:
        return Call("GET", url)
    body: dict[str, object] | None = {} if action == "rotate-secret" else None
    return Call("POST", f"{url}/{action}", body, {"If-Match": f'"{a["version"]}"'})


async def _calendar_load(world: World, away: bool) -> Call:
    url = "/api/v1/calendar/years/2030"
    etag = (await world.home.get(url)).headers["etag"]
    body = {
        "notice": "测试",
        "holidays": [{"date": "2030-01-01", "name": "元旦"}],
        "adjusted_workdays": [],
    }
    return Call("PUT", url, body, {"If-Match": etag})


async def _inspection_create(world: World, away: bool) -> Call:
    enterprise = await world.enterprise(away)
    return Call("POST", "/api/v1/inspections", inspection_body(enterprise["id"]))


async def _inspection_get(world: World, away: bool) -> Call:
    inspection = await world.inspection(away)
    return Call("GET", f"/api/v1/inspections/{inspection['id']}")


async def _case_call(world: World, away: bool, what: str) -> Call:
    case = await world.case(away)
    url = f"/api/v1/cases/{case['id']}"
    if what == "PATCH":
        edit = {"category": "rectification", "rectification_measures": "更换布袋除尘器"}
        return Call("PATCH", url, edit, _held(case))
    return Call("GET", f"{url}/events" if what == "events" else url)


def _held(case: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{case["version"]}"'}


async def _case_create(world: World, away: bool) -> Call:
    enterprise_id, inspection_id = await cases.enterprise_and_inspection(world.home)
    body = cases.create_body("rectification", enterprise_id, inspection_id)
    return Call("POST", "/api/v1/cases", body)


async def _case_step(world: World, away: bool, role: Role = Role.approver) -> Call:
    """A step this role takes in its department: an officer records the rectification,
    an approver publishes, a lead (of the lead department) confirms a compliant case."""
    if role == Role.lead:
        case = await cases.open_case(world.lead, "compliant")
        return Call("POST", f"/api/v1/cases/{case['id']}/transitions", {"action": "confirm"},
                    _held(case))  # fmt: skip
    if role == Role.officer:
        case = await world.case(away, publish=True)
        body = {
            "action": "report_rectification",
            "rectification_date": "2026-11-30",
            "rectification_measures": "更换布袋除尘器",
        }
        return Call("POST", f"/api/v1/cases/{case['id']}/transitions", body, _held(case))
    case = await world.case(away)
    return Call("POST", f"/api/v1/cases/{case['id']}/transitions", {"action": "publish"},
                _held(case))  # fmt: skip


async def _disclosure_call(world: World, away: bool, what: str) -> Call:
    notice = await world.disclosure(away)
    url = f"/api/v1/disclosures/{notice['id']}/{what}"
    held = {"If-Match": f'"{notice["version"]}"'}
    if what == "corrections":
        return Call("POST", url, {"reason": "笔误", "content": {}}, held)
    if what == "withdrawal":
        return Call("POST", url, {"reason": "主体认定错误"}, held)
    return Call("POST", url, {"kind": "spot_check", "discrepancies": []})


async def _batch(world: World, away: bool, role: Role = Role.approver) -> Call:
    """A batch this role publishes: rectification drafts of the caller's department, or
    (lead) a confirmed compliant case of the lead department."""
    if role == Role.lead:
        case = await cases.open_case(world.lead, "compliant")
        case = await cases.take(world.lead, case, "confirm")
        category = "compliant"
    else:
        case, category = await world.case(away), "rectification"
    body = {"category": category, "cases": [{"case_id": case["id"], "version": case["version"]}]}
    return Call("POST", "/api/v1/disclosure-batches", body)


async def _city_summary(world: World, away: bool) -> Call:
    notice = await world.disclosure()
    body = {
        "category": notice["category"],
        "scope": "targets",
        "title": "四平市限期整改企业公示",
        "disclosures": [notice["id"]],
    }
    return Call("POST", "/api/v1/city-summaries", body)


async def _push_call(world: World, away: bool, action: str | None) -> Call:
    push = await world.credit_push(away)
    url = f"/api/v1/credit-pushes/{push['id']}"
    if action is None:
        return Call("GET", url)
    client = world.away if away else world.home
    if action == "retry":  # only a dead or cancelled push is sent again
        cancelled = await client.post(f"{url}/cancel", headers={"If-Match": '"1"'})
        assert cancelled.status_code == 200, cancelled.text
    current = (await client.get(url)).headers["etag"]
    return Call("POST", f"{url}/{action}", None, {"If-Match": current})


async def _manual_push(world: World, away: bool) -> Call:
    push = await world.credit_push(away)
    body = {
        "case_id": push["case_id"],
        "kind": "update",
        "reason": "联合惩戒",
        "measure": "限制融资",
    }
    return Call("POST", "/api/v1/credit-pushes", body)


ANY = frozenset(Role)
ADMIN = frozenset({Role.admin})


@dataclass(frozen=True)
class Row:
    roles: frozenset[Role]
    build: Builder
    scoped: bool = False  # the call targets one object: another county's is 404
    lists: str | None = None  # a list: another county's object must not be in it
    # When what a role may do depends on the role (lifecycle steps): the call per role,
    # made by the department given for the role (default: CALLER).
    build_for: Callable[[World, bool, Role], Awaitable[Call]] | None = None
    department: str = CALLER  # the department whose roles are tried
    department_for: dict[Role, str] = field(default_factory=dict)
    # Departments whose holders of `roles` are refused all the same (403): below the
    # administering level, for what is administered at city level only.
    refused_departments: tuple[str, ...] = ()


MATRIX: dict[str, Row] = {
    "get_me": Row(ANY, _get("/api/v1/auth/me")),
    "list_jurisdictions": Row(ANY, _get("/api/v1/jurisdictions")),
    "get_jurisdiction": Row(ANY, _get("/api/v1/jurisdictions/220322")),
    "list_departments": Row(ANY, _get("/api/v1/departments?jurisdiction=220322")),
    "get_department": Row(ANY, _get("/api/v1/departments/220322-miit")),
    "create_enterprise": Row(
        frozenset(WRITERS),
        lambda world, away: _static(
            Call("POST", "/api/v1/enterprises", enterprise_body(jurisdiction=CALLER[:6]))
        ),
    ),
    "list_enterprises": Row(ANY, _get("/api/v1/enterprises"), lists="enterprise"),
    "get_enterprise": Row(ANY, lambda w, away: _enterprise_call(w, away, "GET"), scoped=True),
    "update_enterprise": Row(
        frozenset(WRITERS), lambda w, away: _enterprise_call(w, away, "PATCH"), scoped=True
    ),
    "create_account": Row(
        ADMIN, lambda world, away: _static(Call("POST", "/api/v1/accounts", _account_body(CALLER)))
    ),
    "list_accounts": Row(ADMIN, _get("/api/v1/accounts"), lists="account"),
    "get_account": Row(ADMIN, lambda w, away: _account_call(w, away, None), scoped=True),
    "disable_account": Row(ADMIN, lambda w, away: _account_call(w, away, "disable"), scoped=True),
    "enable_account": Row(ADMIN, lambda w, away: _account_call(w, away, "enable"), scoped=True),
    "load_calendar_year": Row(
        ADMIN,
        _calendar_load,
        department=CITY_ADMINISTRATION,
        refused_departments=(CALLER, LEAD, f"{OTHER_COUNTY}-miit", "220000-miit"),
    ),
    "create_inspection": Row(frozenset(WRITERS), _inspection_create),
    "list_inspections": Row(ANY, _get("/api/v1/inspections"), lists="inspection"),
    "get_inspection": Row(ANY, _inspection_get, scoped=True),
    "create_case": Row(frozenset(WRITERS), _case_create),
    "list_cases": Row(ANY, _get("/api/v1/cases"), lists="case"),
    "get_case": Row(ANY, lambda w, away: _case_call(w, away, "GET"), scoped=True),
    "edit_case_draft": Row(
        frozenset(WRITERS), lambda w, away: _case_call(w, away, "PATCH"), scoped=True
    ),
    "list_reports": Row(ANY, _get("/api/v1/reports")),
    "get_report": Row(ANY, lambda w, away: _report_call(w, away, "GET"), scoped=True),
    "list_report_events": Row(ANY, lambda w, away: _report_call(w, away, "events"), scoped=True),
    "list_possible_duplicate_reports": Row(
        ANY, lambda w, away: _report_call(w, away, "duplicates"), scoped=True
    ),
    "get_report_evidence": Row(ANY, lambda w, away: _report_call(w, away, "evidence"), scoped=True),
    "transition_report": Row(
        frozenset(WRITERS),
        lambda w, away: _report_call(w, away, "step"),
        scoped=True,
        department=LEAD,  # the lead department triages
    ),
    "create_report_inspection": Row(
        frozenset(WRITERS), lambda w, away: _report_link(w, away, "inspection"), scoped=True
    ),
    "create_report_case": Row(
        frozenset(WRITERS), lambda w, away: _report_link(w, away, "case"), scoped=True
    ),
    "revoke_reported_compliant_case": Row(
        frozenset({Role.approver}), _report_revocation, scoped=True, department=LEAD
    ),
    "transition_case": Row(
        frozenset(WRITERS),
        _case_step,
        scoped=True,
        build_for=_case_step,
        department_for={Role.lead: LEAD},
    ),
    "list_case_events": Row(ANY, lambda w, away: _case_call(w, away, "events"), scoped=True),
    "list_case_lifecycles": Row(ANY, _get("/api/v1/case-lifecycles")),
    "correct_disclosure": Row(
        frozenset({Role.approver}),
        lambda w, away: _disclosure_call(w, away, "corrections"),
        scoped=True,
    ),
    "withdraw_disclosure": Row(
        frozenset({Role.approver}),
        lambda w, away: _disclosure_call(w, away, "withdrawal"),
        scoped=True,
    ),
    "review_disclosure": Row(
        frozenset(WRITERS),
        lambda w, away: _disclosure_call(w, away, "reviews"),
        department=CITY,
    ),
    "publish_disclosure_batch": Row(
        frozenset({Role.approver, Role.lead}),
        _batch,
        build_for=_batch,
        department_for={Role.lead: LEAD},
    ),
    "publish_city_summary": Row(frozenset({Role.approver}), _city_summary, department=CITY),
    "list_correction_requests": Row(ANY, _get("/api/v1/correction-requests")),
    "list_audit_events": Row(ANY, _get("/api/v1/audit-events?limit=200"), lists="audit"),
    "list_credit_targets": Row(ANY, _get("/api/v1/credit-targets")),
    "list_credit_pushes": Row(ANY, _get("/api/v1/credit-pushes?limit=200"), lists="credit_push"),
    "get_credit_push": Row(ANY, lambda w, away: _push_call(w, away, None), scoped=True),
    "retry_credit_push": Row(
        frozenset({Role.approver}), lambda w, away: _push_call(w, away, "retry"), scoped=True
    ),
    "cancel_credit_push": Row(
        frozenset({Role.approver}), lambda w, away: _push_call(w, away, "cancel"), scoped=True
    ),
    "push_to_credit_platforms": Row(frozenset({Role.approver}), _manual_push, scoped=True),
    "verify_audit_chain": Row(ADMIN, _get("/api/v1/audit-events/verify")),
    "rotate_account_secret": Row(
        ADMIN, lambda w, away: _account_call(w, away, "rotate-secret"), scoped=True
    ),
}
PUBLIC = {
    "healthz",
    "readyz",
    "issue_token",
    "get_jwks",
    "get_calendar_day",
    "get_calendar_deadline",
    "get_calendar_year",
    "list_disclosures",
    "disclosure_feed",
    "get_disclosure",
    "get_disclosure_document",
    "list_city_summaries",
    "get_city_summary",
    "get_city_summary_document",
    "list_audit_checkpoints",
    "get_latest_audit_checkpoint",
    "get_audit_checkpoint_keys",
    "get_report_challenge",
    "submit_report",
    "look_up_report_receipt",
    "act_on_report_receipt",
    "list_public_reports",
    "get_public_report_statistics",
    "list_compliant_enterprises",
    "add_report_evidence",
}


def _operations(app: FastAPI) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op for item in app.openapi()["paths"].values() for op in item.values()
    }


def test_every_operation_declares_a_policy_and_has_a_row(app: FastAPI) -> None:
    for operation_id, operation in _operations(app).items():
        policy = operation.get("x-access")
        assert policy, f"{operation_id} declares no access policy"
        if policy.get("public"):
            assert operation_id in PUBLIC, f"{operation_id} is public: add it to PUBLIC knowingly"
            assert operation["security"] == []  # public: no token (core.openapi)
            continue
        assert operation_id in MATRIX, f"{operation_id} has no row in the access matrix"
        assert set(policy["roles"]) == {r.value for r in MATRIX[operation_id].roles}, operation_id
        # City-level administration shows whom it refuses.
        administers = policy["scope"] == "administration"
        assert administers == bool(MATRIX[operation_id].refused_departments), operation_id
        assert {"401", "403"} <= set(operation["responses"]), operation_id
    assert set(MATRIX) | PUBLIC == set(_operations(app))


async def _send(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    return await client.request(call.method, call.url, json=call.json, headers=call.headers)


@pytest.mark.parametrize("operation_id", sorted(MATRIX))
async def test_roles_and_scope(operation_id: str, client_as: ClientAs) -> None:
    row = MATRIX[operation_id]
    world = World(client_as)

    unauthenticated = await _send(client_as(None), await row.build(world, False))
    assert unauthenticated.status_code == 401, unauthenticated.text
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")

    for role in Role:
        call = await (
            row.build_for(world, False, role) if row.build_for else row.build(world, False)
        )
        response = await _send(client_as(row.department_for.get(role, row.department), role), call)
        if role in row.roles:
            assert 200 <= response.status_code < 300, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)

    for department in row.refused_departments:
        for role in row.roles:
            call = await (
                row.build_for(world, False, role) if row.build_for else row.build(world, False)
            )
            refused = await _send(client_as(department, role), call)
            assert refused.status_code == 403, (department, role, refused.text)
            assert refused.json()["code"] == "administration_level", refused.text

    allowed = next(iter(sorted(row.roles)))
    caller = client_as(CALLER, allowed)
    if row.scoped:
        response = await _send(caller, await row.build(world, True))
        assert response.status_code == 404, response.text
    if row.lists:
        makers = {
            "account": world.account,
            "inspection": world.inspection,
            "case": world.case,
            "credit_push": world.credit_push,
        }
        make = makers.get(row.lists, world.enterprise)
        own, other = await make(False), await make(True)
        listed = (await _send(caller, await row.build(world, False))).json()["items"]
        # Audit events list the objects they are about.
        field = "object_id" if row.lists == "audit" else "id"
        ids = {item[field] for item in listed}
        assert own["id"] in ids
        assert other["id"] not in ids


async def test_public_operations_need_no_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/healthz")).status_code == 200
    assert (await anonymous.get("/readyz")).status_code == 200
    assert (await anonymous.get("/api/v1/auth/jwks.json")).status_code == 200
