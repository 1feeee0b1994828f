"""HTTP: the city-level notices (一(四)): what the counties disclosed, republished by the
city with its reviews; published by a city approver, read by anyone."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response

from capacity_exit.api.negotiation import negotiated_response, text_content
from capacity_exit.auth.dependencies import CurrentPrincipal, access, public
from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import Category
from capacity_exit.core.db import Session
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_responses
from capacity_exit.disclosure import documents, examples, summaries, summary_documents
from capacity_exit.disclosure.models import CitySummary
from capacity_exit.disclosure.schemas import CitySummaryIn, CitySummaryList, CitySummaryOut

public_router = APIRouter(tags=["disclosures"])
router = APIRouter(tags=["disclosures"])

_SUMMARY_DOCUMENT_CONTENT = text_content(
    list(documents.RENDERERS),
    {"text/html": examples.SUMMARY_DOCUMENT_HTML, "text/plain": examples.SUMMARY_DOCUMENT_TEXT},
)


def _summary_out(summary: CitySummary) -> CitySummaryOut:
    return CitySummaryOut.model_validate(
        {
            "id": summary.id,
            "category": summary.category,
            "scope": summary.scope,
            "title": summary.title,
            "department": {"code": summary.department_code, "name": summary.department_name},
            "jurisdiction": summary.jurisdiction_code,
            "published_at": summary.published_at,
            "entries": summary.entries,
        }
    )


@router.post(
    "/city-summaries",
    operation_id="publish_city_summary",
    summary="Publish the city-level notice of what the counties disclosed, with reviews",
    description="An approver of a city department publishes, as one public notice, the targets "
    "(its counties' current publicity notices) or the completion (their "
    "announcements) of one category, each entry copying what the county published and "
    "the city's latest review of it; a county department is 403 `not_city`. Audited "
    "as `disclosure.city_summary`. Serves 一(四).",
    status_code=201,
    response_model=CitySummaryOut,
    responses=problem_responses(403, 404, 409, 413, 422),
    **access(Role.approver, creates=True),
)
async def publish_city_summary(
    session: Session, principal: CurrentPrincipal, body: CitySummaryIn
) -> CitySummaryOut:
    return _summary_out(await summaries.publish(session, principal, body))


@public_router.get(
    "/city-summaries",
    operation_id="list_city_summaries",
    summary="City-level notices, newest first (no token needed)",
    description="City-level notices, newest first, by category: each republishes its counties' "
    "targets or completion with the city's latest review of each (一(四)). Changes "
    "nothing.",
    response_model=CitySummaryList,
    responses=problem_responses(422),
    **public(),
)
async def list_city_summaries(
    session: Session,
    category: Category | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CitySummaryList:
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"category": category},
        lambda after, n: summaries.page(
            session, after=after, limit=n, category=category.value if category else None
        ),
        position=uuid_position,
        key=lambda s: str(s.id),
    )
    return CitySummaryList(items=[_summary_out(s) for s in page], next_cursor=next_cursor)


@public_router.get(
    "/city-summaries/{summary_id}",
    operation_id="get_city_summary",
    summary="One city-level notice",
    description="One city-level notice with its entries. It never changes: a later review is a "
    "new city notice. Changes nothing. Serves 一(四).",
    response_model=CitySummaryOut,
    responses=problem_responses(404, 422),
    **public(),
)
async def get_city_summary(session: Session, summary_id: uuid.UUID) -> CitySummaryOut:
    return _summary_out(await summaries.get(session, summary_id))


@public_router.get(
    "/city-summaries/{summary_id}/document",
    operation_id="get_city_summary_document",
    summary="The city-level notice's official text, ready to post on a government site",
    description="The city-level notice as official Chinese text (`text/html` or `text/plain` by "
    "`Accept`, 406 otherwise): one line per county notice covered, with the city's "
    "review of it. Changes nothing. Serves 一(四).",
    response_class=Response,
    responses={200: _SUMMARY_DOCUMENT_CONTENT, **problem_responses(404, 406, 422)},
    **public(),
)
async def get_city_summary_document(
    session: Session,
    summary_id: uuid.UUID,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    summary = await summaries.get(session, summary_id)
    return negotiated_response(accept, documents.RENDERERS, summary_documents.of_summary(summary))
