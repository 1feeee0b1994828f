"""HTTP: the report platform's public side, no token (一(一)5): concluded reports with
the department's answer, their statistics, and the compliant enterprises with a way to
report against each. Conditional GETs, cached like the public record of notices."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from capacity_exit.core.clock import Day
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfNoneMatch, cached_content, conditional_get_responses
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_responses, public
from capacity_exit.disclosure import caching
from capacity_exit.report import public as reports
from capacity_exit.report.machine import ReportCategory, Result
from capacity_exit.report.public_schemas import (
    CompliantEnterpriseList,
    PublicReportList,
    ReportStatistics,
)

public_router = APIRouter(tags=["reports"])

_JSON = "application/json"
County = Annotated[
    str | None, Query(pattern=r"^[0-9]{6}$", description="A county's division code.")
]
_NEVER = (
    " Never the reporter's words, contact, files, location or tracking code, nor the report's id."
)


def _cached(etag: str) -> dict[int | str, dict[str, Any]]:
    return {
        **conditional_get_responses(etag, f"`{caching.CHANGING}`: a minute, then revalidated."),
        **problem_responses(422),
    }


def _path(request: Request, name: str, **params: str) -> str:
    return str(request.app.url_path_for(name, **params))


@public_router.get(
    "/public-reports",
    operation_id="list_public_reports",
    summary="Concluded reports and what the departments found (no token)",
    description="Reports whose handling is concluded (or closed after the conclusion), "
    "latest conclusion first: category, county, the enterprise (the registry's name when "
    "the report was linked to it, else as reported), the dates of receipt, acceptance and "
    "conclusion against their due dates in working days and whether each was met, the "
    "result, the handling department's public text and departments, the notice it "
    "disputed, and the cases it led to with their published notices. A report reopened "
    "on the reporter's objection leaves the list until it is concluded again." + _NEVER + " "
    "By category, county, result and conclusion day. Conditional: `If-None-Match` gets "
    "304. Changes nothing. Serves 一(一)5.",
    response_model=PublicReportList,
    responses=_cached("A strong tag of this page's bytes."),
    **public(),
)
async def list_public_reports(
    session: Session,
    request: Request,
    category: ReportCategory | None = None,
    county: County = None,
    result: Result | None = None,
    concluded_from: Day | None = None,
    concluded_to: Day | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    settings = request.app.state.settings
    filters: dict[str, Any] = {
        "category": category.value if category else None,
        "county": county,
        "result": result.value if result else None,
        "concluded_from": concluded_from,
        "concluded_to": concluded_to,
    }
    notice_url = _path(request, "get_disclosure", disclosure_id="{id}")
    case_notices = _path(request, "list_disclosures") + "?case={id}&include_withdrawn=true"
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: reports.concluded_page(
            session,
            after=after,
            limit=n,
            notice_url=notice_url,
            case_notices_url=case_notices,
            **filters,
        ),
        position=lambda raw: reports.position_of(settings, raw),
        key=lambda pair: reports.cursor_position(settings, pair[0]),
    )
    body = PublicReportList(items=[item for _, item in page], next_cursor=next_cursor)
    return cached_content(
        if_none_match, body.model_dump_json().encode(), _JSON, cache_control=caching.CHANGING
    )


@public_router.get(
    "/public-reports/statistics",
    operation_id="get_public_report_statistics",
    summary="How many reports, of what, where, in which state, and how many on time",
    description="Counts of the reports received in the period (by day of receipt, both "
    "ends included; all of them without a period), by category, county, state and month "
    "of receipt, and the share concluded by the conclusion due day, overall and by county "
    "(a report counts as concluded once it was, whatever followed). Optionally one "
    "county. 422 when `received_to` is before `received_from`. Conditional: "
    "`If-None-Match` gets 304. Changes nothing. Serves 一(一)5.",
    response_model=ReportStatistics,
    responses=_cached("A strong tag of the answer's bytes: it changes with any count."),
    **public(),
)
async def get_public_report_statistics(
    session: Session,
    received_from: Day | None = None,
    received_to: Day | None = None,
    county: County = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    answer = await reports.statistics(
        session, received_from=received_from, received_to=received_to, county=county
    )
    return cached_content(
        if_none_match, answer.model_dump_json().encode(), _JSON, cache_control=caching.CHANGING
    )


@public_router.get(
    "/compliant-enterprises",
    operation_id="list_compliant_enterprises",
    summary="The compliant enterprises, each with a way to report against it (no token)",
    description="The report platform's page of the enterprises published as compliant "
    "(合法合规且强制性标准达标, 一(一)5) whose notice stands (a revoked one is withdrawn and "
    "leaves the list), newest first, optionally of one county (the enterprise's). Each "
    "carries its notice and document, and `report_url` with `report_prefill`: the "
    "members of a submission to `POST` there (the disputed notice, the enterprise's "
    "credit code and county), to which the reporter adds the category and what was seen. "
    "JSON only (a page for people is the client's). Conditional: `If-None-Match` gets "
    "304. Changes nothing. Serves 一(一)5.",
    response_model=CompliantEnterpriseList,
    responses=_cached("A strong tag of this page's bytes."),
    **public(),
)
async def list_compliant_enterprises(
    session: Session,
    request: Request,
    county: County = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    notice_url = _path(request, "get_disclosure", disclosure_id="{id}")
    submit_url = _path(request, "submit_report")
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"county": county},
        lambda after, n: reports.compliant_page(
            session,
            after=after,
            limit=n,
            county=county,
            notice_url=notice_url,
            submit_url=submit_url,
        ),
        position=uuid_position,
        key=lambda item: str(item.notice_id),
    )
    body = CompliantEnterpriseList(items=page, next_cursor=next_cursor)
    return cached_content(
        if_none_match, body.model_dump_json().encode(), _JSON, cache_control=caching.CHANGING
    )
