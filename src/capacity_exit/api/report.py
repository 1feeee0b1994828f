"""HTTP: the report platform. Public: submission and the receipt's reads and actions;
private: the handlers' list, detail, steps and history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS
from capacity_exit.config import Settings
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
from capacity_exit.core.rate_limit import limited
from capacity_exit.core.uploads import ACCEPTED_TYPES, EXTENSIONS
from capacity_exit.report import (
    duplicates,
    evidence,
    examples,
    handling,
    receipts,
    retention,
    service,
)
from capacity_exit.report.link_schemas import ReportLinksOut
from capacity_exit.report.machine import OPEN_STATES, ReportCategory, ReportState
from capacity_exit.report.models import Report, ReportEvidence
from capacity_exit.report.receipts import CODE_PATTERN
from capacity_exit.report.schemas import (
    ContactOut,
    EvidenceOut,
    PossibleDuplicateList,
    PossibleDuplicateOut,
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


# Per client, on top of the public limit (core.rate_limit): submissions, and every use
# of a receipt (look-up, actions, files), which is where a receipt would be guessed.
submit_throttle = Depends(limited("report_submit"))
lookup_throttle = Depends(limited("report_lookup"))
EVIDENCE_UPLOAD_PATH = "/report-receipts/evidence"


def _evidence_out(rows: list[ReportEvidence] | Any) -> list[EvidenceOut]:
    return [
        EvidenceOut(
            id=e.id,
            content_type=e.content_type,
            size=e.size,
            added_at=as_utc(e.added_at),
            added_by=e.added_by,
        )
        for e in rows
    ]


# --- public ----------------------------------------------------------------------------


@public_router.post(
    "/reports",
    operation_id="submit_report",
    summary="Report a problem enterprise (no token): the answer is the receipt, shown once",
    description="Anyone may report, anonymously (the default) or named: 应查未查, 应改未改, "
    "应退未退, 死灰复燃, 弄虚作假, 审批备案把关不严, or other (一(一)5), naming the enterprise "
    "by credit code or by name and address, its county, optionally the published notice it "
    "disputes, and `altcha`: a solved proof of work of `GET /report-challenges` (without "
    "one 422, an invalid or expired one 422 `challenge_invalid`/`challenge_expired`, one "
    "used before 409 `challenge_spent`). Evidence files follow with the receipt (`POST "
    "/report-receipts/evidence`). The answer carries the receipt: the `tracking_code` and "
    "the `secret`, shown "
    "only in this answer; keep both, they are the only way to follow the report. A named "
    "reporter's contact is sealed at rest and read only by the departments handling the "
    "report. No client address or user agent is stored. The same `Idempotency-Key` and "
    "body answer the same receipt again (the secret derived, never stored); the key with "
    "another body is 422 (the proof of work is not compared: a retry may carry a fresh one, "
    "and a replay spends none). At most `CAPEXIT_REPORT_SUBMIT_PER_MINUTE` submissions a "
    "minute from one client (429 with `Retry-After`). Audited as `report.submit` (no "
    "contact, no text).",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    responses=problem_responses(409, 413, 415, 422, 429),
    dependencies=[submit_throttle],
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
        evidence=_evidence_out(await evidence.listed(session, report)),
    )


_RECEIPT_DESCRIPTION = (
    " The receipt travels in the body, never in the URL. An unknown code and a wrong "
    "secret are the same 404 `receipt_not_found`, after the same verification. At most "
    "`CAPEXIT_REPORT_LOOKUP_PER_MINUTE` uses of a receipt a minute from one client, "
    "look-ups, actions and files together (429 with `Retry-After`)."
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
    dependencies=[lookup_throttle],
    **public(),
)
async def look_up_report_receipt(
    session: Session, response: Response, body: ReceiptLookup
) -> ReceiptView:
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
    dependencies=[lookup_throttle],
    **public(),
)
async def act_on_report_receipt(
    session: Session,
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
    response.headers["Cache-Control"] = "no-store"
    return await _receipt_view(session, await service.reporter_act(session, body))


class EvidenceUpload(BaseModel):
    """The receipt and the files, as `multipart/form-data` (the files as `files` parts)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{**examples.LOOKUP, "files": ["(the file's bytes)"]}]},
    )

    tracking_code: str = Field(pattern=CODE_PATTERN, title="查询码")
    secret: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$", title="查询密钥")
    files: list[UploadFile] = Field(
        min_length=1,
        # The default count (the server holds its configured one).
        json_schema_extra={"maxItems": Settings.model_fields["evidence_max_files"].default},
        title="证据文件",
        description="Images (JPEG, PNG, WebP) or PDFs, typed by their content; at most "
        "`CAPEXIT_EVIDENCE_MAX_FILES` parts of `CAPEXIT_EVIDENCE_MAX_FILE_BYTES` each.",
    )


@public_router.post(
    EVIDENCE_UPLOAD_PATH,
    operation_id="add_report_evidence",
    summary="The reporter adds evidence files to a report (no token)",
    description="With the receipt, as `multipart/form-data`: up to "
    "`CAPEXIT_EVIDENCE_MAX_FILES` files (`files` parts) of at most "
    "`CAPEXIT_EVIDENCE_MAX_FILE_BYTES` each, right after the submission or later while "
    "the report is open (409 once decided). The type is read from the content, never the "
    "name or the part's `Content-Type`: JPEG, PNG, WebP or PDF, else 415 "
    "`unsupported_file_type`; images are encoded again from their pixels (EXIF and GPS "
    "gone), PDFs written again without their metadata. Too many files or too large is 413 "
    "(`too_many_files`, `file_too_large`, `evidence_limit_reached` past "
    f"{evidence.PER_REPORT_FACTOR} times the per-request count on one report). The same "
    "file again adds nothing, so a retry is safe. Only the handling departments download "
    "the files; the answer is the receipt's view, listing them by type and size."
    + _RECEIPT_DESCRIPTION
    + " Audited as `report.add_evidence`. Serves 一(一)5.",
    response_model=ReceiptView,
    responses=problem_responses(404, 409, 413, 415, 422, 429),
    dependencies=[lookup_throttle],
    openapi_extra={
        **public()["openapi_extra"],
        # The part types a client may declare (the server reads the content anyway).
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"files": {"contentType": ", ".join(ACCEPTED_TYPES)}}
                }
            }
        },
    },
)
async def add_report_evidence(
    session: Session,
    request: Request,
    response: Response,
    form: Annotated[EvidenceUpload, Form(media_type="multipart/form-data")],
) -> ReceiptView:
    response.headers["Cache-Control"] = "no-store"
    settings = request.app.state.settings
    # The receipt first: whoever holds none learns nothing, not even the limits.
    report = await service.lookup(
        session, ReceiptLookup(tracking_code=form.tracking_code, secret=form.secret)
    )
    evidence.check_count(settings, len(form.files))
    cleaned = await evidence.clean_all(settings, [await f.read() for f in form.files])
    await evidence.attach(
        session, settings, request.app.state.blob_store, report, cleaned, added_by="reporter"
    )
    return await _receipt_view(session, report)


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
        contact_erased=retention.erased(r),
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
        evidence=_evidence_out(view.evidence),
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


@router.get(
    "/reports/{report_id}/possible-duplicates",
    operation_id="list_possible_duplicate_reports",
    summary="Other reports that may be about the same matter, for the triager",
    description="Reports of the same category about the same enterprise (the same "
    "registered enterprise, credit code or name) received within "
    "`CAPEXIT_REPORT_DUPLICATE_WINDOW_DAYS` calendar days before or after this one, among "
    "those the caller may read (another county's report is 404), with what they share. "
    "An offer, never a decision: the lead department rejects a report as `duplicate` of "
    "another (naming it) or handles both. At most 50, oldest first. Changes nothing. "
    "Serves 一(一)5.",
    response_model=PossibleDuplicateList,
    responses=problem_responses(404, 422),
    **access(),
)
async def list_possible_duplicate_reports(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
) -> PossibleDuplicateList:
    response.headers["Cache-Control"] = "no-store"
    found = await duplicates.possible_duplicates(
        session, request.app.state.settings, principal, report_id
    )
    return PossibleDuplicateList(
        items=[
            PossibleDuplicateOut(
                id=d.report.id,
                tracking_code=receipts.display(d.report.tracking_code),
                category=ReportCategory(d.report.category),
                status=ReportState(d.report.status),
                enterprise_name=d.report.enterprise_name,
                received_on=d.report.received_on,
                matched_on=d.matched_on,
            )
            for d in found
        ]
    )


_FILE_SCHEMA = {"type": "string", "contentMediaType": "application/octet-stream"}


@router.get(
    "/reports/{report_id}/evidence/{evidence_id}",
    operation_id="get_report_evidence",
    summary="Download one evidence file of a report",
    description="The cleaned file (never the upload as sent), for any department that may "
    "read the report (another county's is 404): `Content-Type` the sniffed type, "
    "`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, never cached. "
    "Each download is audited as `report.evidence_read` (naming the file and the reader). "
    "Serves 一(一)5.",
    response_class=Response,
    responses={
        200: {
            "description": "The file.",
            "content": {
                t: {"schema": _FILE_SCHEMA, "example": "(the file's bytes)"} for t in ACCEPTED_TYPES
            },
        },
        **problem_responses(404, 422),
    },
    **access(),
)
async def get_report_evidence(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    report_id: uuid.UUID,
    evidence_id: uuid.UUID,
) -> Response:
    found = await handling.evidence_download(
        session, request.app.state.blob_store, principal, report_id, evidence_id
    )
    row = found.evidence
    name = f"evidence-{row.id}.{EXTENSIONS.get(row.content_type, 'bin')}"
    return Response(
        content=found.data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
