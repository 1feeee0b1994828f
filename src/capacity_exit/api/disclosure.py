"""HTTP: the public record of disclosures, and the publishers' and reviewers' changes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from capacity_exit.api.negotiation import negotiated_response, text_content
from capacity_exit.auth.dependencies import CurrentPrincipal, access, public
from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import Category
from capacity_exit.core.clock import Timestamp
from capacity_exit.core.db import Session
from capacity_exit.core.etag import (
    Caching,
    IfMatch,
    IfNoneMatch,
    Precondition,
    cached_content,
    conditional_get_responses,
    conditional_response,
    etag_response,
    set_etag,
)
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.urls import absolute_url_for
from capacity_exit.disclosure import (
    caching,
    documents,
    examples,
    feed,
    public_json,
    service,
)
from capacity_exit.disclosure.models import (
    CorrectionRequest,
    Disclosure,
    DisclosureKind,
)
from capacity_exit.disclosure.schemas import (
    BatchIn,
    BatchOut,
    CorrectionIn,
    CorrectionRequestList,
    CorrectionRequestOut,
    DisclosureDetail,
    DisclosureEventOut,
    DisclosureList,
    DisclosureOut,
    EnterpriseRef,
    Named,
    ReviewIn,
    ReviewOut,
    WithdrawalIn,
)
from capacity_exit.flows import batches
from capacity_exit.flows import notices as notice_flows

public_router = APIRouter(tags=["disclosures"])
router = APIRouter(tags=["disclosures"])

_DOCUMENT_CONTENT = text_content(
    list(documents.RENDERERS),
    {"text/html": examples.DOCUMENT_HTML, "text/plain": examples.DOCUMENT_TEXT},
)
_JSON = "application/json"


DepartmentFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{6}-[a-z]{2,16}$",
        description="A department: the notices it publishes and those it co-publishes "
        "(a forced exit's involved departments, 一(一)4), each saying which in "
        "`publishing_role`.",
    ),
]


def _document_url(request: Request) -> str:
    """The document URL with `{id}` for the disclosure: built once per request (routing
    a URL per row costs more than the rest of the row)."""
    return str(request.app.url_path_for("get_disclosure_document", disclosure_id="{id}"))


def _out(request: Request, d: Disclosure, document_url: str | None = None) -> DisclosureOut:
    document_url = document_url or _document_url(request)
    return DisclosureOut(
        id=d.id,
        series_id=d.series_id,
        version=d.version,
        status=d.status,
        kind=d.kind,
        category=d.category,
        enterprise=EnterpriseRef(
            name=d.enterprise_name,
            credit_code=d.enterprise_credit_code,
            address=d.enterprise_address,
        ),
        department=Named(code=d.department_code, name=d.department_name),
        level=d.level,
        jurisdiction=Named(code=d.jurisdiction_code, name=d.jurisdiction_name),
        published_at=d.published_at,
        due_date=d.due_date,
        on_time=d.on_time,
        period_end=d.period_end,
        content=d.content,
        previous_id=d.previous_id,
        correction_reason=d.correction_reason,
        withdrawn_at=d.withdrawn_at,
        withdrawn_reason=d.withdrawn_reason,
        document=document_url.replace("{id}", str(d.id)),
        batch_id=d.batch_id,
        co_publishers=[Named(**c) for c in d.co_publishers],
    )


@public_router.get(
    "/disclosures",
    operation_id="list_disclosures",
    summary="The public record: notices newest first (no token needed)",
    description="The public record of notices (公示 and 公告) published by case steps, newest "
    "first: current versions, withdrawn ones too with `include_withdrawn`; by "
    "category, kind, jurisdiction, department (as publisher or co-publisher), "
    "enterprise, publication time, batch, or the case it was published from (a case's "
    "`links.notices`). Superseded versions are reached through a notice's `versions`. "
    "Conditional: `If-None-Match` gets 304. Changes nothing. Serves 一(一)1-5 and "
    "一(四) (counties publish first).",
    response_model=DisclosureList,
    responses={
        **conditional_get_responses(
            "A strong tag of this page's bytes: it changes when a notice on it is "
            "published, corrected or withdrawn.",
            f"`{caching.LIST}`",
        ),
        **problem_responses(422),
    },
    **public(),
)
async def list_disclosures(
    session: Session,
    request: Request,
    category: Category | None = None,
    kind: DisclosureKind | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    department: DepartmentFilter = None,
    enterprise: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="A credit code (exact) or the start of the enterprise's name.",
        ),
    ] = None,
    published_from: Timestamp | None = None,
    published_to: Timestamp | None = None,
    include_withdrawn: bool = False,
    batch: uuid.UUID | None = None,
    case: Annotated[
        uuid.UUID | None,
        Query(description="The notices published from this case (its `links.notices`)."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = {
        "category": category,
        "kind": kind.value if kind else None,
        "jurisdiction": jurisdiction,
        "department": department,
        "enterprise": enterprise,
        "published_from": published_from,
        "published_to": published_to,
        "include_withdrawn": include_withdrawn,
        "batch": batch,
        "case": case,
    }
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: service.public_rows(session, after=after, limit=n, **filters),
        position=uuid_position,
        key=lambda row: str(row["id"]),
    )
    body = public_json.encode_page(page, next_cursor, _document_url(request))
    return cached_content(if_none_match, body, _JSON, cache_control=caching.LIST)


@public_router.get(
    "/disclosures/feed.atom",
    operation_id="disclosure_feed",
    summary="An Atom feed of the latest notices",
    description="The 50 newest current notices. Filtered by `department`, each entry "
    "states the role in which that department carries it as a category of the scheme "
    f"`{feed.PUBLISHING_ROLE_SCHEME}` (term `publisher` or `co_publisher`); co-publishers are "
    "the entry's contributors. The feed's `updated` is its newest entry's publication, "
    "or the time of the request when it has none. Conditional: `If-None-Match` gets 304. "
    "Changes nothing. Serves 一(一)1-5: the public record, for readers to follow.",
    response_class=Response,
    responses={
        **conditional_get_responses(
            "A weak tag of the feed's entries and URLs (an empty feed's `updated` is the "
            "time of the request): it changes when a notice enters or leaves the feed.",
            f"`{caching.FEED}`",
            ok=text_content([feed.MEDIA_TYPE], {feed.MEDIA_TYPE: examples.FEED}),
        ),
        **problem_responses(422),
    },
    **public(),
)
async def disclosure_feed(
    session: Session,
    request: Request,
    category: Category | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    department: DepartmentFilter = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    rows = await service.public_page(
        session,
        after=None,
        limit=50,
        category=category,
        kind=None,
        jurisdiction=jurisdiction,
        department=department,
        enterprise=None,
        published_from=None,
        published_to=None,
        include_withdrawn=False,
    )
    # Its URL with its filters, under the public base URL whatever the request's Host.
    query = request.url.remove_query_params("cursor").query
    feed_url = absolute_url_for(request, "disclosure_feed") + (f"?{query}" if query else "")
    document_url = absolute_url_for(request, "get_disclosure_document", disclosure_id="{id}")
    return conditional_response(
        if_none_match,
        Caching(feed.entity_tag(rows, feed_url=feed_url, document_url=document_url), caching.FEED),
        lambda: feed.atom(rows, feed_url=feed_url, document_url=document_url),
        feed.MEDIA_TYPE,
    )


@public_router.get(
    "/disclosures/{disclosure_id}",
    operation_id="get_disclosure",
    summary="One notice, with every version and its history",
    description="One notice as published, its content frozen at publication, with every version "
    "of its series (corrections) and its history (published, corrected, withdrawn, "
    "reviewed). Its `ETag` carries the version that a correction or withdrawal names "
    "in `If-Match`. Changes nothing. Serves 一(一)1-5.",
    response_model=DisclosureDetail,
    responses={
        **conditional_get_responses(
            '`"N.<digest>"`: the notice\'s version N (what `If-Match` of a correction or '
            "withdrawal takes) and a digest of this answer, which changes with any change "
            "to the series (a correction, a withdrawal, a review).",
            f"`{caching.DETAIL}`",
        ),
        **problem_responses(404, 422),
    },
    **public(),
)
async def get_disclosure(
    session: Session,
    request: Request,
    disclosure_id: uuid.UUID,
    if_none_match: IfNoneMatch = None,
) -> Response:
    detail = await service.public_detail(session, disclosure_id)
    out = DisclosureDetail(
        **_out(request, detail.disclosure).model_dump(),
        versions=[_out(request, v) for v in detail.versions],
        history=[
            DisclosureEventOut(
                kind=e.kind,
                disclosure_id=e.disclosure_id,
                occurred_at=e.occurred_at,
                department=e.department_code,
                reason=e.reason,
            )
            for e in detail.history
        ],
    )
    return cached_content(
        if_none_match,
        out.model_dump_json().encode(),
        _JSON,
        cache_control=caching.DETAIL,
        version=detail.disclosure.version,
    )


@public_router.get(
    "/disclosures/{disclosure_id}/document",
    operation_id="get_disclosure_document",
    summary="The official notice text, ready to post on a government site",
    description="The notice as official Chinese text, to post on the publishing department's or "
    "government's site (一(一)1-5): `text/html` or `text/plain` by `Accept` (406 for "
    "anything else), each field labelled with its title, the publisher and "
    "co-publishers named (联合发布). Changes nothing.",
    response_class=Response,
    responses={
        **conditional_get_responses(
            "A strong tag of this rendering's bytes (one per media type): it changes when "
            "the notice is withdrawn.",
            f"`{caching.CHANGING}` while the version is current (it may still be "
            f"withdrawn); `{caching.FINAL}` once superseded or withdrawn (final).",
            vary="`Accept`: one rendering per media type.",
            ok=_DOCUMENT_CONTENT,
        ),
        **problem_responses(404, 406, 422),
    },
    **public(),
)
async def get_disclosure_document(
    session: Session,
    disclosure_id: uuid.UUID,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    disclosure = await service.public_get(session, disclosure_id)
    return negotiated_response(
        accept,
        documents.RENDERERS,
        documents.of_disclosure(disclosure),
        cache_control=caching.document(disclosure),
        if_none_match=if_none_match,
    )


# --- publishers and reviewers -------------------------------------------------------------


def _single(request: Request, response: Response, disclosure: Disclosure) -> DisclosureOut:
    set_etag(response, disclosure.version)
    return _out(request, disclosure)


@router.post(
    "/disclosure-batches",
    operation_id="publish_disclosure_batch",
    summary="Publish many cases of one category together (集中公示), all or none",
    description="Concentrated publication (集中公示): publishes many cases of one category of the "
    "caller's department together, each at the version the caller holds (given per "
    "case in the body), in one transaction: if one cannot be published nothing is, "
    "and the problem points at `/cases/<i>` with that case's own status. Each case "
    "takes its `publish` step with all that follows it; its notice carries the "
    "`batch_id` (the public list filters by `batch`). Audited as `disclosure.batch` "
    "and each case's step. Serves 一(三).",
    status_code=201,
    response_model=BatchOut,
    # 412 when a case is no longer at the version its entry names (versions are in the body).
    responses=problem_responses(403, 404, 409, 412, 413, 422),
    **access(Role.approver, Role.lead, creates=True),
)
async def publish_disclosure_batch(
    session: Session, principal: CurrentPrincipal, body: BatchIn
) -> BatchOut:
    batch, notices = await batches.publish_batch(session, principal, body)
    return BatchOut(
        id=batch.id,
        category=batch.category,
        department=batch.department_code,
        title=batch.title,
        disclosures=[n.id for n in notices],
    )


@router.post(
    "/disclosures/{disclosure_id}/corrections",
    operation_id="correct_disclosure",
    summary="Publish a corrected version of a notice, with the reason (If-Match required)",
    description="The publishing department's approver publishes the next version of a current "
    "notice with the reason, changing only fields the notice shows (validated as the "
    "category's payload); the old version becomes `superseded`. The corrected fields "
    "are written into the case (a `corrected` entry in its history), and a correction "
    "naming an open correction request resolves it. `If-Match`: the notice's version. "
    "Audited as `disclosure.correct`. Serves 一(一) and 一(四).",
    status_code=201,
    response_model=DisclosureOut,
    responses={**etag_response(201), **problem_responses(403, 404, 409, 412, 413, 422, 428)},
    **access(Role.approver),
)
async def correct_disclosure(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    disclosure_id: uuid.UUID,
    body: CorrectionIn,
    if_match: IfMatch = None,
) -> DisclosureOut:
    new = await notice_flows.correct_notice_and_case(
        session, principal, disclosure_id, Precondition(if_match), body
    )
    return _single(request, response, new)


@router.post(
    "/disclosures/{disclosure_id}/withdrawal",
    operation_id="withdraw_disclosure",
    summary="Withdraw a notice, keeping it with the reason (If-Match required)",
    description="The publishing department's approver withdraws a current notice with the reason; "
    "it stays in the record as `withdrawn`. Withdrawing a notice of an open case "
    "withdraws the case too, with its other notices and its credit listing; the "
    "notice of a case that has ended is withdrawn alone. `If-Match`: the notice's "
    "version. Audited as `disclosure.withdraw`. Serves 一(一).",
    response_model=DisclosureOut,
    responses={**etag_response(), **problem_responses(403, 404, 409, 412, 413, 422, 428)},
    **access(Role.approver),
)
async def withdraw_disclosure(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    disclosure_id: uuid.UUID,
    body: WithdrawalIn,
    if_match: IfMatch = None,
) -> DisclosureOut:
    withdrawn = await notice_flows.withdraw_notice_and_case(
        session, principal, disclosure_id, Precondition(if_match), body
    )
    return _single(request, response, withdrawn)


@router.post(
    "/disclosures/{disclosure_id}/reviews",
    operation_id="review_disclosure",
    summary="Record the city's re-check or spot check of a county notice (一(四))",
    description="A department of the city records its re-check (复核) or spot check (抽查) of a "
    "county's current notice (403 `not_reviewer` for anyone else, 409 for a "
    "superseded or withdrawn notice). Discrepancies open a correction request to the "
    "publishing department (`GET /correction-requests`); review notes stay internal. "
    "The review enters the notice's public history. Audited as `disclosure.review`. "
    "Serves 一(四).",
    status_code=201,
    response_model=ReviewOut,
    responses=problem_responses(403, 404, 409, 413, 422),
    **access(Role.officer, Role.approver, Role.lead),
)
async def review_disclosure(
    session: Session, principal: CurrentPrincipal, disclosure_id: uuid.UUID, body: ReviewIn
) -> ReviewOut:
    result = await service.review(session, principal, disclosure_id, body)
    r = result.review
    return ReviewOut(
        id=r.id,
        disclosure_id=r.disclosure_id,
        kind=r.kind,
        outcome=r.outcome,
        discrepancies=r.discrepancies,
        notes=r.notes,
        department=r.department_code,
        reviewed_on=r.reviewed_on,
        correction_request_id=result.correction_request.id if result.correction_request else None,
    )


def _request_out(r: CorrectionRequest) -> CorrectionRequestOut:
    return CorrectionRequestOut.model_validate(r, from_attributes=True)


@router.get(
    "/correction-requests",
    operation_id="list_correction_requests",
    summary="Correction requests from the city's reviews, in the caller's jurisdictions",
    description="Correction requests opened by the city's reviews, open or resolved, seen in the "
    "reviewing city and the publishing county: the notice, the discrepancies found, "
    "and the correction that resolved it. Changes nothing. Serves 一(四).",
    response_model=CorrectionRequestList,
    responses=problem_responses(422),
    **access(),
)
async def list_correction_requests(
    session: Session,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CorrectionRequestList:
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"status": status},
        lambda after, n: service.correction_requests(
            session, principal, status=status, after=after, limit=n
        ),
        position=uuid_position,
        key=lambda r: str(r.id),
    )
    return CorrectionRequestList(items=[_request_out(r) for r in page], next_cursor=next_cursor)
