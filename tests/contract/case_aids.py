"""Generation aids for the case operations: what a client that read the case and the
lifecycle table would send, for rules a JSON schema cannot state.

* a case cites an inspection, and a step addresses a case, that exist;
* a recorded date (an inspection's completion, a step's completion or acceptance …)
  cannot lie in the future, nor before the case's own timeline (the inspection, the
  publication, the step it follows): a step's dates are today's;
* a department named in a body must exist;
* a draft edit names its case's category (`IllegalDraftEdit` … by `category`) and only
  that category's fields;
* a step carries the fields its transition requires (`GET /case-lifecycles`), and after
  publication only those; of its action's schema (`PublishStep` …), only the members the
  case's category has.

Only positive cases are adjusted. For half of the generated actions a step the case
does not allow is replaced by one of its `allowed_actions`, as a frontend would choose;
the other half are sent as generated, so steps the state does not allow are still sent
(and must be 409).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from capacity_exit.case.machine import INITIAL_STATE, TRANSITIONS, CaseAction, CaseState, Category
from capacity_exit.case.payloads import DRAFT_MODELS, FACT_DATES
from capacity_exit.case.step_requests import STEP_MODELS, STEP_ONLY_FIELDS
from tests.fixtures.cases import EQUIPMENT, FAILING_ITEM, PAYLOADS
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

DEPARTMENT_LISTS = ("departments", "responsible_departments", "involved_departments")


def _samples(today: date) -> dict[str, Any]:
    """A valid value for every field a step may require."""
    later = (today + timedelta(days=60)).isoformat()
    samples: dict[str, Any] = {}
    for content in PAYLOADS.values():
        samples.update(content)
    samples.update(
        {
            "completion_deadline": later,
            "rectification_deadline": later,
            "completion_evidence": "现场核实完成。",
            "handling_result": "已处置完毕。",
            "exited_items": [EQUIPMENT],
            "rectification_measures": "更换除尘设施。",
            "findings": [{**FAILING_ITEM, "compliant": True}],
            "refusal_facts": "企业拒不整改。",
            "closure_measures": "断电、拆除设备。",
            "decision_number": "梨政决〔2026〕9号",
            "legal_basis": "《大气污染防治法》第九十九条",
            "reason": "核查后决定。",
        }
    )
    samples.update({name: today.isoformat() for name in FACT_DATES})
    # Confirmed today: not before the inspection the case cites, whenever that was.
    samples["confirmations"] = [
        {**item, "confirmed_on": today.isoformat()} for item in samples["confirmations"]
    ]
    return samples


def fit_dates_and_departments(body: dict[str, Any], department: str, today: date) -> None:
    """Recorded dates no later than today; department references to one that exists."""
    if isinstance(body.get("completed_on"), str) and body["completed_on"] > today.isoformat():
        body["completed_on"] = today.isoformat()
    for content in (body, body.get("payload")):
        if not isinstance(content, dict):
            continue
        for name in FACT_DATES:
            if isinstance(content.get(name), str) and content[name] > today.isoformat():
                content[name] = today.isoformat()
        for name in DEPARTMENT_LISTS:
            if isinstance(content.get(name), list):
                content[name] = [department for _ in content[name][:1]]
        for item in content.get("confirmations") or []:
            if isinstance(item, dict) and "department" in item:
                item["department"] = department


def _latest(base_url: str, auth: dict[str, str], collection: str) -> dict[str, Any] | None:
    response = httpx.get(
        f"{base_url}/api/v1/{collection}", params={"limit": 100}, headers=auth, timeout=10
    )
    items = response.json().get("items", []) if response.status_code == 200 else []
    return dict(items[-1]) if items else None


def an_inspected_enterprise(base_url: str, auth: dict[str, str], jurisdiction: str) -> None:
    enterprise = httpx.post(
        f"{base_url}/api/v1/enterprises",
        json=enterprise_body(jurisdiction=jurisdiction),
        headers=auth,
        timeout=10,
    )
    enterprise.raise_for_status()
    inspection = httpx.post(
        f"{base_url}/api/v1/inspections",
        json=inspection_body(enterprise.json()["id"]),
        headers=auth,
        timeout=10,
    )
    inspection.raise_for_status()


def cite_a_real_inspection(body: dict[str, Any], base_url: str, auth: dict[str, str]) -> None:
    """A new case cites an inspection that exists (random ids never do)."""
    latest = _latest(base_url, auth, "inspections")
    if latest is not None and body.get("inspection_id") != latest["id"]:
        body["inspection_id"], body["enterprise_id"] = latest["id"], latest["enterprise_id"]


def complete_case_request(
    case: Any, base_url: str, auth: dict[str, str], department: str, today: date
) -> None:
    """Make a PATCH or transition body one the case's category and state can take, on a
    case that exists (the latest, when the generated id names none)."""
    body = case.body
    if not isinstance(body, dict):
        return
    url = f"{base_url}/api/v1/cases/{case.path_parameters['case_id']}"
    current = httpx.get(url, headers=auth, timeout=10)
    if current.status_code == 404 and (latest := _latest(base_url, auth, "cases")) is not None:
        case.path_parameters["case_id"] = latest["id"]
        current = httpx.get(f"{base_url}/api/v1/cases/{latest['id']}", headers=auth, timeout=10)
    if current.status_code != 200:
        return
    stored = current.json()
    category, state = Category(stored["category"]), CaseState(stored["status"])
    known = set(DRAFT_MODELS[category].model_fields)
    if case.method.upper() == "PATCH":
        for name in [n for n in body if n not in known]:
            del body[name]
        body["category"] = category.value  # the case's own: another is 422
        fit_dates_and_departments(body, department, today)
        return
    try:
        action = CaseAction(str(body.get("action")))
    except ValueError:
        return
    allowed = [CaseAction(a) for a in stored["allowed_actions"]]
    position = list(CaseAction).index(action)
    if allowed and action not in allowed and position % 2 == 0:
        # Half the time act as a frontend does, choosing among the case's allowed actions
        # (so lifecycles advance); otherwise send the generated action as it is.
        action = allowed[position % len(allowed)]
        body["action"] = action.value
    rule = TRANSITIONS.get((category, state, action))
    if rule is None:
        return  # not allowed in this state: the 409 is what is being tested
    initial = state == INITIAL_STATE[category]
    # The action's members (its schema) that this case's category and state take.
    members = set(STEP_MODELS[action].model_fields) - {"action"}
    keep = members & {*(known if initial else rule.fresh_fields), *STEP_ONLY_FIELDS}
    for name in [n for n in body if n not in (*keep, "action")]:
        del body[name]
    fit_dates_and_departments(body, department, today)
    samples = _samples(today)
    for name in rule.required_fields if initial else rule.fresh_fields:
        if name in samples:
            body[name] = samples[name]
        else:  # a forced-exit proposal's grounds, set by its escalation: kept as they are
            body.pop(name, None)
    if action == CaseAction.record_reinspection_fail:  # findings agree with the result
        body["findings"] = [{**FAILING_ITEM, "compliant": False}]
