"""HTTP: cases, their lifecycle steps and history, and the lifecycle tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS
from capacity_exit.case import machine, payloads, pushers, service
from capacity_exit.case.machine import CaseState, Category
from capacity_exit.case.schemas import (
    CaseCreate,
    CaseDeadlineOut,
    CaseDraftEdit,
    CaseEventList,
    CaseEventOut,
    CaseLinks,
    CaseList,
    CaseOut,
    CaseTransitionRequest,
    CreditPushersOut,
    LifecycleList,
    LifecycleOut,
    TransitionOut,
)
from capacity_exit.core.clock import Day
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, etag_header, etag_response, set_etag
from capacity_exit.core.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    int_position,
    paginate,
    uuid_position,
)
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.urls import absolute_url_for, location_header
from capacity_exit.flows import steps
from capacity_exit.report import links

router = APIRouter(tags=["cases"])

_CASE_ID = {"case_id": "$response.body#/id"}
_LINKS = {
    "GetCase": {"operationId": "get_case", "parameters": _CASE_ID},
    "TransitionCase": {
        "operationId": "transition_case",
        "parameters": {**_CASE_ID, "header.If-Match": "$response.header.ETag"},
    },
    "ListCaseEvents": {"operationId": "list_case_events", "parameters": _CASE_ID},
    "EditCaseDraft": {
        "operationId": "edit_case_draft",
        "parameters": {**_CASE_ID, "header.If-Match": "$response.header.ETag"},
    },
    # The case's notices and credit pushes: the same lists as `links.notices` and
    # `links.credit_pushes`.
    "ListCaseNotices": {
        "operationId": "list_disclosures",
        "parameters": {"query.case": "$response.body#/id", "query.include_withdrawn": "true"},
    },
    "ListCaseCreditPushes": {
        "operationId": "list_credit_pushes",
        "parameters": {"query.case": "$response.body#/id"},
    },
}


def _out(request: Request, view: service.CaseView, report_id: uuid.UUID | None) -> CaseOut:
    case = view.case

    def url(name: str, **params: Any) -> str:
        return str(request.app.url_path_for(name, **params))

    links = CaseLinks(
        self=url("get_case", case_id=case.id),
        events=url("list_case_events", case_id=case.id),
        transitions=url("transition_case", case_id=case.id),
        enterprise=url("get_enterprise", enterprise_id=case.enterprise_id),
        inspection=url("get_inspection", inspection_id=case.inspection_id)
        if case.inspection_id
        else None,
        parent_case=url("get_case", case_id=case.parent_case_id) if case.parent_case_id else None,
        forced_exit_case=url("get_case", case_id=view.forced_exit_case_id)
        if view.forced_exit_case_id
        else None,
        report=url("get_report", report_id=report_id) if report_id else None,
        notices=f"{url('list_disclosures')}?case={case.id}&include_withdrawn=true",
        credit_pushes=f"{url('list_credit_pushes')}?case={case.id}",
    )
    model = payloads.DRAFT_MODELS[case.category]
    return CaseOut(
        id=case.id,
        category=case.category,
        status=case.status,
        enterprise_id=case.enterprise_id,
        jurisdiction=case.jurisdiction_code,
        department=case.department_code,
        inspection_id=case.inspection_id,
        parent_case_id=case.parent_case_id,
        forced_exit_case_id=view.forced_exit_case_id,
        report_id=report_id,
        payload=model.model_validate(case.payload),
        allowed_actions=view.allowed_actions,
        deadlines=[
            CaseDeadlineOut(
                purpose=d.purpose,
                due=d.due,
                provisional=d.provisional,
                met_on=d.met_on,
                on_time=d.on_time,
            )
            for d in view.deadlines
        ],
        overdue=case.overdue,
        overdue_since=case.overdue_since,
        closing_reason=case.closing_reason,
        links=links,
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


async def case_outs(
    session: AsyncSession, request: Request, views: Sequence[service.CaseView]
) -> list[CaseOut]:
    """The cases' answers, with the report each came from (one query for the page)."""
    reports = await links.reports_of_cases(session, [v.case.id for v in views])
    return [_out(request, v, reports.get(v.case.id)) for v in views]


async def case_answer(
    session: AsyncSession, request: Request, response: Response, view: service.CaseView
) -> CaseOut:
    set_etag(response, view.case.version)
    [out] = await case_outs(session, request, [view])
    return out


@router.post(
    "/cases",
    operation_id="create_case",
    summary="Open a case from an inspection, as a draft of its category",
    description="Opens a draft case of a category for an enterprise in the caller's jurisdiction, "
    "citing an inspection of that enterprise. The kinds of department that own the "
    "category open it: illegal (一(一)1) `drc`, `miit`, `natres`, `ecoenv`, "
    "`emergency`, `market`, `tax`, `finance`; elimination (一(一)2) `miit`, `drc`; "
    "rectification (一(一)3) `ecoenv`, `emergency`, `market`, `energy`; compliant "
    "(一(一)5) `miit`, the lead department. `forced_exit` cases are not created here: "
    "escalating a rectification case (refusal, or a failed re-inspection) opens one "
    "for the local government (一(一)4). The content may be incomplete until a step "
    "needs it. Audited as `case.create`, the first entry of its history.",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses={
        201: {"headers": {**etag_header(), **location_header()}, "links": _LINKS},
        **problem_responses(403, 404, 409, 413, 422),
    },
    **access(*WRITERS, creates=True),
)
async def create_case(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    body: CaseCreate,
) -> CaseOut:
    view = await service.create(session, principal, body)
    response.headers["Location"] = absolute_url_for(request, "get_case", case_id=view.case.id)
    return await case_answer(session, request, response, view)


@router.get(
    "/cases",
    operation_id="list_cases",
    summary="List cases in the caller's jurisdictions",
    description="Cases in the caller's jurisdictions, by category, status, jurisdiction, "
    "department, enterprise, overdue and completion deadline, oldest first, each with "
    "the actions the caller may take now. Changes nothing. Serves 一(一)1-5.",
    response_model=CaseList,
    responses=problem_responses(422),
    **access(),
)
async def list_cases(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    category: Category | None = None,
    status: CaseState | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    department: Annotated[str | None, Query(pattern=r"^[0-9]{6}-[a-z]{2,16}$")] = None,
    enterprise_id: uuid.UUID | None = None,
    overdue: Annotated[
        bool | None, Query(description="Only cases past their completion deadline (or not).")
    ] = None,
    due_before: Annotated[
        Day | None, Query(description="Only cases whose completion deadline is before this day.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CaseList:
    filters = {
        "category": category,
        "status": status,
        "jurisdiction": jurisdiction,
        "department": department,
        "enterprise_id": enterprise_id,
        "overdue": overdue,
        "due_before": due_before,
    }
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: service.list_page(
            session,
            principal,
            limit=n,
            after=after,
            **filters,  # type: ignore[arg-type]
        ),
        position=uuid_position,
        key=lambda v: str(v.case.id),
    )
    return CaseList(items=await case_outs(session, request, page), next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}",
    operation_id="get_case",
    summary="Get one case: status, the caller's allowed actions, deadlines and links",
    description="One case: status, content, the caller's `allowed_actions`, its deadlines "
    "(publicity within 10 working days of the inspection, 一(三); completion; "
    "announcements) and `links` to its enterprise, inspection, related cases, "
    "history, notices and credit pushes. Its `ETag` is the `If-Match` of its next "
    "edit or step. Changes nothing. Serves 一(一)1-5.",
    response_model=CaseOut,
    responses={
        200: {
            "headers": etag_header(),
            "links": {k: v for k, v in _LINKS.items() if k != "GetCase"},
        },
        **problem_responses(404, 422),
    },
    **access(),
)
async def get_case(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    case_id: uuid.UUID,
) -> CaseOut:
    view = await service.get(session, principal, case_id)
    return await case_answer(session, request, response, view)


@router.patch(
    "/cases/{case_id}",
    operation_id="edit_case_draft",
    summary="Change a draft's content (If-Match required)",
    description="The body names the case's `category` (its schema is that category's draft: "
    "another category is 422 `category_mismatch`) and holds fields of its payload: a field "
    "given replaces the stored one, `null` clears it, an absent one stays. Only a case in "
    "its initial "
    "state (`draft`, or a forced exit's `proposed`) is edited, by its own department. "
    "Audited as `case.edit`, an entry of its history. Serves 一(一)1-5: the content "
    "its notices will publish.",
    response_model=CaseOut,
    responses={**etag_response(), **problem_responses(403, 404, 409, 412, 413, 422, 428)},
    **access(*WRITERS),
)
async def edit_case_draft(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    case_id: uuid.UUID,
    body: CaseDraftEdit,
    if_match: IfMatch = None,
) -> CaseOut:
    view = await service.edit_draft(session, principal, case_id, Precondition(if_match), body)
    return await case_answer(session, request, response, view)


@router.post(
    "/cases/{case_id}/transitions",
    operation_id="transition_case",
    summary="Take a step of the case's lifecycle (If-Match required)",
    description="Takes one step of the category's transition table (`GET /case-lifecycles` draws "
    "it): the table names the role (an `officer` records: `report_*`, `record_*`; an "
    "`approver` signs: publish, accept or reject, announce, decide, close, revoke, "
    "withdraw; "
    "`lead` also confirms and publishes compliant cases), the department kinds, and "
    "the fields the step needs; the case's own department takes its steps (a forced "
    "exit's closure also a department its decision involves). What follows commits "
    "with the step: `publish`, `announce` and `announce_completion` publish the "
    "notice (一(一)1-5); a refusal or a failed re-inspection escalates a "
    "rectification into a forced-exit proposal for the local government (一(一)4) and "
    "queues credit listings, as does a forced-exit decision (一(二)); an accepted "
    "completion of a listed case queues the listing's withdrawal (信用修复); "
    "`withdraw` and `revoke` withdraw the case's notices and its listing. Each step "
    "is an entry of the case's history and the audit event `case.<action>`.\n\n409 "
    "when the case's state does not allow the action (naming both), 403 when the "
    "caller's role or department may not take it, 422 naming every missing field. "
    "Dates are `YYYY-MM-DD` strings (422 `iso_date` for a number or a datetime) and "
    "follow the case's own timeline: a date before the cited inspection, the "
    "publication or the step it follows, or a completion dated before the day the "
    "case was marked overdue, is 422 `before_timeline` pointing at it.",
    response_model=CaseOut,
    responses={
        200: {
            "headers": etag_header(),
            "links": {k: v for k, v in _LINKS.items() if k != "GetCase"},
        },
        **problem_responses(403, 404, 409, 412, 413, 422, 428),
    },
    **access(*WRITERS),
)
async def transition_case(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    case_id: uuid.UUID,
    body: CaseTransitionRequest,
    if_match: IfMatch = None,
) -> CaseOut:
    view = await steps.take_step(session, principal, case_id, Precondition(if_match), body)
    return await case_answer(session, request, response, view)


@router.get(
    "/cases/{case_id}/events",
    operation_id="list_case_events",
    summary="The case's history: creation, edits, steps and overdue marks, oldest first",
    description="The case's history, oldest first: its creation, draft edits, each step with the "
    "fields it recorded and what followed (the credit pushes it queued), corrections "
    "that reached it from its notices, and the overdue marks of the daily scan. "
    "Changes nothing. Serves 一(一)1-5 and 一(二).",
    response_model=CaseEventList,
    responses=problem_responses(404, 422),
    **access(),
)
async def list_case_events(
    session: Session,
    principal: CurrentPrincipal,
    case_id: uuid.UUID,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CaseEventList:
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"case_id": case_id},
        lambda after, n: service.events_page(session, principal, case_id, after=after, limit=n),
        position=int_position,
        key=lambda e: e.sequence,
    )
    return CaseEventList(
        items=[CaseEventOut.model_validate(e, from_attributes=True) for e in page],
        next_cursor=next_cursor,
    )


@router.get(
    "/case-lifecycles",
    operation_id="list_case_lifecycles",
    summary="The five categories' lifecycles as transition tables, for drawing",
    description="Each category's transitions (who takes each step, what it needs and causes) and "
    "`credit_pushers`: who pushes for its cases to the credit platforms by hand, and "
    "retries or cancels their pushes. The same table decides every step of `POST "
    "/cases/{case_id}/transitions`. Changes nothing. Serves 一(一)1-5 and 一(二).",
    response_model=LifecycleList,
    responses=problem_responses(422),
    **access(),
)
async def list_case_lifecycles() -> LifecycleList:
    return LifecycleList(
        items=[
            LifecycleOut(
                category=category,
                initial_state=machine.INITIAL_STATE[category],
                terminal_states=sorted(machine.TERMINAL_STATES[category]),
                states=machine.states(category),
                transitions=[
                    TransitionOut(
                        state=t.state,
                        action=t.action,
                        next_state=t.next_state,
                        roles=sorted(t.roles),
                        department_kinds=sorted(t.department_kinds)
                        if t.department_kinds is not None
                        else None,
                        parties=list(t.parties),
                        required_fields=list(t.required_fields),
                        fresh_fields=list(t.fresh_fields),
                        guard=t.guard,
                        effects=list(t.effects),
                    )
                    for t in machine.lifecycle(category)
                ],
                credit_pushers=CreditPushersOut(
                    roles=sorted(pushers.CREDIT_PUSHERS[category].roles),
                    parties=list(pushers.CREDIT_PUSHERS[category].parties),
                ),
            )
            for category in Category
        ]
    )
