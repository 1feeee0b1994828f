"""HTTP: the report platform. Public: submission and the receipt's reads and actions;
private: the handlers' list, detail, steps and history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS
from capacity_exit.core.clock import as_utc
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, set_etag
from capacity_exit.core.idempotency import IdempotencyKey
from capacity_exit.core.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    int_position,
    paginate,
    uuid_position,
)
from capacity_exit.core.problems import problem_responses, public
from capacity_exit.report import examples, handling, receipts, service
from capacity_exit.report.link_schemas import ReportLinksOut
from capacity_exit.report.machine import OPEN_STATES, ReportCategory, ReportState
from capacity_exit.report.models import Report
from capacity_exit.report.schemas import (
    ContactOut,
    PublicEventOut,
    ReceiptLookup,
    ReceiptOut,
    ReceiptView,
    ReporterAction,
    ReportEventList,
    ReportEventOut,
    ReportList,
    ReportOut,
    ReportStep,
    ReportSubmission,
)

public_router = APIRouter(tags=["reports"])
router = APIRouter(tags=["reports"])


async def lookup_throttle(request: Request) -> None:
    """The single call site of the receipt-lookup rate limit (the challenge helper's
    named limiter plugs in here); a no-op until then."""


# --- public ----------------------------------------------------------------------------


@public_router.post(
    "/reports",
    operation_id="submit_report",
    summary="Report a problem enterprise (no token): the answer is the receipt, shown once",
    description="Anyone may report, anonymously (the default) or named: 应查未查, 应改未改, "
    "应退未退, 死灰复燃, 弄虚作假, 审批备案把关不严, or other (一(一)5), naming the enterprise "
    "by credit code or by name and address, its county, optionally the published notice it "
    "disputes. The answer carries the receipt: the `tracking_code` and the `secret`, shown "
    "only in this answer; keep both, they are the only way to follow the report. A named "
    "reporter's contact is sealed at rest and read only by the departments handling the "
    "report. No client address or user agent is stored. The same `Idempotency-Key` and "
    "body answer the same receipt again (the secret derived, never stored); the key with "
    "another body is 422. Audited as `report.submit` (no contact, no text).",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    responses=problem_responses(409, 413, 415, 422, 429),
    **public(),
)
async def submit_report(
    session: Session,
    request: Request,
    body: ReportSubmission,
    idempotency_key: IdempotencyKey = None,
) -> ReceiptOut:
    receipt = await service.submit(session, request.app.state.settings, body, idempotency_key)
    report = receipt.report
    return ReceiptOut(
        tracking_code=receipts.display(report.tracking_code),
        secret=receipt.secret,
        status=report.status,
        received_on=report.received_on,
        acceptance_due=report.acceptance_due,
    )


async def _receipt_view(session: Session, report: Report) -> ReceiptView:
    history = await service.public_history(session, report)
    return ReceiptView(
        tracking_code=receipts.display(report.tracking_code),
        category=report.category,
        status=report.status,
        received_on=report.received_on,
        acceptance_due=report.acceptance_due,
        conclusion_due=report.conclusion_due,
        result=report.result,
        answer=report.public_text,
        satisfaction=report.satisfaction,
        objection_used=report.objection_used,
        may_add_information=report.status in OPEN_STATES,
        may_answer_satisfaction=service.may_answer(report),
        may_object=service.may_object(report),
        history=[
            PublicEventOut(
                kind=e.kind,
                action=e.action,
                to_state=e.to_state,
                text=e.text,
                at=as_utc(e.occurred_at),
            )
            for e in history
        ],
    )


_RECEIPT_DESCRIPTION = (
    " The receipt travels in the body, never in the URL. An unknown code and a wrong "
    "secret are the same 404 `receipt_not_found`, after the same verification."
)


@public_router.post(
    "/report-receipts",
    operation_id="look_up_report_receipt",
    summary="Follow a report with its receipt (no token)",
    description="With the tracking code and secret: the report's state, the public part of "
    "its history, the department's answer, and what the reporter may do now (add "
    "information, answer satisfaction, object)." + _RECEIPT_DESCRIPTION + " Changes "
    "nothing. Serves 一(一)5.",
    response_model=ReceiptView,
    responses=problem_responses(404, 413, 415, 422, 429),
    **public(),
)
async def look_up_report_receipt(
    session: Session, request: Request, response: Response, body: ReceiptLookup
) -> ReceiptView:
    await lookup_throttle(request)
    response.headers["Cache-Control"] = "no-store"
    return await _receipt_view(session, await service.lookup(session, body))


@public_router.post(
    "/report-receipts/actions",
    operation_id="act_on_report_receipt",
    summary="The reporter adds information, answers satisfaction or objects (no token)",
    description="With the receipt, one of: `add_information` (while the report is open), "
    "`answer_satisfaction` (once, after the conclusion), `object` (once, when concluded or "
    "closed and not answered satisfied: reopens it for the lead department's review)."
    + _RECEIPT_DESCRIPTION
    + " 409 when the report's state does not allow it. Audited as `report.<action>`. "
    "Serves 一(一)5.",
    response_model=ReceiptView,
    responses=problem_responses(404, 409, 412, 413, 415, 422, 429),
    **public(),
)
async def act_on_report_receipt(
    session: Session,
    request: Request,
    response: Response,
    body: Annotated[
        ReporterAction,
        Body(
            openapi_examples={
                "information": {
                    "value": {
                        **examples.LOOKUP,
                        "action": "add_information",
                        "text": "今晚八点又看到冒烟。",
                    }
                }
            }
        ),
    ],
) -> ReceiptView:
    await lookup_throttle(request)
    response.headers["Cache-Control"] = "no-store"
    return await _receipt_view(session, await service.reporter_act(session, body))


# --- handlers --------------------------------------------------------------------------


def _out(view: handling.ReportView) -> ReportOut:
    r = view.report
    c = view.contact
    return ReportOut(
        id=r.id,
        tracking_code=receipts.display(r.tracking_code),
        category=r.category,
        status=r.status,
        enterprise_credit_code=r.enterprise_credit_code,
        enterprise_name=r.enterprise_name,
        enterprise_address=r.enterprise_address,
        enterprise_id=r.enterprise_id,
        jurisdiction=r.jurisdiction_code,
        level=r.level,
        lead_department=r.lead_department_code,
        handling_departments=list(r.handling_departments),
        suggested_departments=view.suggested_departments,
        matter=r.matter,
        disputed_notice_id=r.disputed_notice_id,
        what_was_seen=r.what_was_seen,
        seen_on=r.seen_on,
        location_address=r.location_address,
        latitude=r.latitude,
        longitude=r.longitude,
        anonymous=r.anonymous,
        contact=ContactOut(name=c.name, phone=c.phone, email=c.email) if c else None,
        received_on=r.received_on,
        acceptance_due=r.acceptance_due,
        acceptance_due_provisional=r.acceptance_due_provisional,
        accepted_on=r.accepted_on,
        conclusion_due=r.conclusion_due,
        conclusion_due_provisional=r.conclusion_due_provisional,
        concluded_on=r.concluded_on,
        closed_on=r.closed_on,
        overdue=view.overdue,
        rejection_reason=r.rejection_reason,
        related_report_id=r.related_report_id,
        result=r.result,
        measures=r.measures,
        public_text=r.public_text,
        satisfaction=r.satisfaction,
        objection_used=r.objection_used,
        allowed_actions=view.allowed_actions,
        links=ReportLinksOut.of(view.outcomes),
        version=r.version,
        created_at=as_utc(r.created_at),
        updated_at=as_utc(r.updated_at),
    )


def _single(response: Response, view: handling.ReportView) -> ReportOut:
    set_etag(response, view.report.version)
    return _out(view)


@router.get(
    "/reports",
    operation_id="list_reports",
    summary="List reports in the caller's jurisdictions",
    description="Reports of the caller's jurisdictions, by category, state, county and lead "
    "department; `overdue=true` lists those past their acceptance or conclusion due date "
    "(the lead department's list). Oldest first; contacts are never in a list. Changes "
    "nothing. Serves 一(一)5.",
    response_model=ReportList,
    responses=problem_responses(422),
    **access(),
)
async def list_reports(
    session: Session,
    principal: CurrentPrincipal,
    category: ReportCategory | None = None,
    status: ReportState | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    lead_department: Annotated[str | None, Query(pattern=r"^[0-9]{6}-[a-z]{2,16}$")] = None,
    overdue: Annotated[
        bool | None, Query(description="Only reports past a due date they have not met.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReportList:
    filters: dict[str, Any] = {
        "category": category,
        "status": status,
        "jurisdiction": jurisdiction,
        "lead_department": lead_department,
        "overdue": overdue,
    }
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: handling.list_page(session, principal, limit=n, after=after, **filters),
        position=uuid_position,
        key=lambda v: str(v.report.id),
    )
    return ReportList(items=[_out(v) for v in page], next_cursor=next_cursor)


@router.get(
    "/reports/{report_id}",
    operation_id="get_report",
    summary="Get one report, with the contact for its lead and handling departments",
    description="One report of the caller's jurisdictions (another county's is 404), with "
    "the actions the caller may take, its due dates and the departments the routing rules "
    "suggest. A named reporter's `contact` is opened only for the report's lead department "
    "and its handling departments, each read audited as `report.contact_read` (naming the "
    "reader, never the contact). Its `ETag` is the `If-Match` of the next step. Serves "
    "一(一)5.",
    response_model=ReportOut,
    responses=problem_responses(404, 422),
    **access(),
)
async def get_report(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
) -> ReportOut:
    response.headers["Cache-Control"] = "no-store"
    view = await handling.get(session, request.app.state.settings, principal, report_id)
    return _single(response, view)


@router.post(
    "/reports/{report_id}/transitions",
    operation_id="transition_report",
    summary="Take a step of the report's handling (If-Match required)",
    description="The lead department (工信 of the report's county, or of the city for fraud "
    "and lax approval) triages: `accept` (starts the conclusion deadline), `reject` (with "
    "the reason: out of scope, insufficient, duplicate of or linked with another report), "
    "`assign` (the routing rules' departments unless it names others), and after an "
    "objection `reassign` or `close`; it closes a concluded report once the reporter "
    "answered or the wait passed. The handling departments `start_investigation` and "
    "`conclude` (result, measures, the public text). An `officer` records, an `approver` "
    "signs what answers the reporter. 409 when the state does not allow the action, 403 "
    "for another department or role, 422 naming missing fields. Audited as "
    "`report.<action>`. Serves 一(一)5.",
    response_model=ReportOut,
    responses=problem_responses(403, 404, 409, 412, 413, 422, 428),
    **access(*WRITERS),
)
async def transition_report(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
    body: Annotated[ReportStep, Body(openapi_examples={"accept": {"value": examples.STEP}})],
    if_match: IfMatch = None,
) -> ReportOut:
    response.headers["Cache-Control"] = "no-store"
    view = await handling.take_step(
        session, request.app.state.settings, principal, report_id, Precondition(if_match), body
    )
    return _single(response, view)


@router.get(
    "/reports/{report_id}/events",
    operation_id="list_report_events",
    summary="The report's history, oldest first",
    description="Every entry of the report's history: its receipt, each step, the reporter's "
    "added information, satisfaction answer and objection; `public` marks what the "
    "receipt shows. Changes nothing. Serves 一(一)5.",
    response_model=ReportEventList,
    responses=problem_responses(404, 422),
    **access(),
)
async def list_report_events(
    session: Session,
    principal: CurrentPrincipal,
    report_id: uuid.UUID,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReportEventList:
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"report_id": report_id},
        lambda after, n: handling.events_page(session, principal, report_id, after=after, limit=n),
        position=int_position,
        key=lambda e: e.sequence,
    )
    return ReportEventList(
        items=[ReportEventOut.model_validate(e, from_attributes=True) for e in page],
        next_cursor=next_cursor,
    )
