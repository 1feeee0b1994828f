"""The handlers' side: reading reports in scope, the contact for those who may, steps.

Scope is the query's: another county's report is 404. The contact is opened only for
the report's lead department and its handling departments, and each opening is an
audit entry (`report.contact_read`) naming who read it, never what they read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar.service import current_index
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.blobs import BlobStore
from capacity_exit.core.errors import NotFound, Unprocessable
from capacity_exit.core.etag import Precondition
from capacity_exit.org import repository as org
from capacity_exit.report import (
    contact,
    deadlines,
    evidence,
    links,
    machine,
    repository,
    routing,
    service,
)
from capacity_exit.report.keys import report_keys
from capacity_exit.report.machine import (
    ReportAction,
    ReportCategory,
    ReportEffect,
    ReportGuard,
    ReportParty,
    ReportState,
)
from capacity_exit.report.models import Report, ReportEvent, ReportEvidence
from capacity_exit.report.schemas import (
    ReportAssignStep,
    ReportConcludeStep,
    ReportReassignStep,
    ReportRejectStep,
    ReportStep,
)


@dataclass(frozen=True)
class ReportView:
    report: Report
    allowed_actions: list[ReportAction]
    suggested_departments: list[str]
    overdue: bool
    contact: contact.Contact | None
    evidence: Sequence[ReportEvidence]
    outcomes: links.Outcomes  # what it led to (`report.links`)


def parties_of(principal: Principal, report: Report) -> set[ReportParty]:
    parties: set[ReportParty] = set()
    if principal.department_code == report.lead_department_code:
        parties.add(ReportParty.lead)
    if principal.department_code in report.handling_departments:
        parties.add(ReportParty.handler)
    return parties


def acting_division(report: Report) -> str:
    return report.lead_department_code.split("-", 1)[0]


async def suggested(session: AsyncSession, report: Report, matter: Any = None) -> list[str]:
    division = acting_division(report)
    existing = {d.code for d in await org.list_departments(session, jurisdiction_code=division)}
    return routing.handling_departments(
        ReportCategory(report.category),
        matter if matter is not None else report.matter,
        report.jurisdiction_code,
        division,
        existing,
    )


def is_overdue(report: Report, today: dt.date) -> bool:
    if report.status in machine.AWAITING_ACCEPTANCE:
        return deadlines.overdue(report.acceptance_due, None, today)
    if report.status in machine.AWAITING_CONCLUSION:
        return deadlines.overdue(report.conclusion_due, None, today)
    return False


async def _view(
    session: AsyncSession,
    settings: Settings | None,
    principal: Principal,
    report: Report,
    *,
    with_contact: bool,
    outcomes: links.Outcomes | None = None,
) -> ReportView:
    if outcomes is None:
        outcomes = (await links.report_outcomes(session, [report.id]))[report.id]
    parties = parties_of(principal, report)
    opened = None
    if with_contact and settings is not None and parties and report.contact_sealed is not None:
        opened = contact.open_sealed(report_keys(settings), report.id, report.contact_sealed)
        await audit.record(
            session,
            action="report.contact_read",
            object_type=service.OBJECT_TYPE,
            object_id=str(report.id),
            jurisdiction=report.jurisdiction_code,
            after={"report_id": str(report.id), "reader": principal.department_code},
        )
    return ReportView(
        report=report,
        allowed_actions=machine.allowed_actions(
            ReportState(report.status), parties=parties, roles=principal.roles
        ),
        suggested_departments=await suggested(session, report),
        overdue=is_overdue(report, clock.business_today()),
        contact=opened,
        evidence=await evidence.listed(session, report),
        outcomes=outcomes,
    )


async def report_in_scope(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> Report:
    report = await repository.get_in_scope(session, report_id, principal.readable)
    if report is None:
        raise NotFound(f"No report {report_id} in your jurisdictions.", code="report_not_found")
    return report


async def get(
    session: AsyncSession, settings: Settings, principal: Principal, report_id: uuid.UUID
) -> ReportView:
    report = await report_in_scope(session, principal, report_id)
    return await _view(session, settings, principal, report, with_contact=True)


async def evidence_download(
    session: AsyncSession,
    store: BlobStore,
    principal: Principal,
    report_id: uuid.UUID,
    evidence_id: uuid.UUID,
) -> evidence.Download:
    """An evidence file for any department that may read the report (scope: another
    county's report is 404, like the report itself)."""
    report = await report_in_scope(session, principal, report_id)
    return await evidence.download(session, store, report, evidence_id, principal.department_code)


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    after: uuid.UUID | None,
    category: ReportCategory | None,
    status: ReportState | None,
    jurisdiction: str | None,
    lead_department: str | None,
    overdue: bool | None,
) -> list[ReportView]:
    """Lists never open contacts (a list read would be an audit entry per row)."""
    rows = await repository.list_in_scope(
        session,
        principal.readable,
        limit=limit,
        after=after,
        category=category.value if category else None,
        status=status.value if status else None,
        jurisdiction=jurisdiction,
        lead_department=lead_department,
        overdue_on=clock.business_today() if overdue else None,
    )
    outcomes = await links.report_outcomes(session, [r.id for r in rows])  # once per page
    return [
        await _view(session, None, principal, r, with_contact=False, outcomes=outcomes[r.id])
        for r in rows
    ]


async def events_page(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
) -> list[ReportEvent]:
    report = await report_in_scope(session, principal, report_id)
    return list(await repository.events_of(session, report.id, after=after, limit=limit))


async def _departments(
    session: AsyncSession, report: Report, given: list[str] | None, matter: Any
) -> list[str]:
    codes = list(dict.fromkeys(given)) if given else await suggested(session, report, matter)
    allowed = {report.jurisdiction_code, acting_division(report)}
    for i, code in enumerate(codes):
        department = await org.get_department(session, code)
        if department is None or department.jurisdiction_code not in allowed:
            raise Unprocessable.at(
                f"/handling_departments/{i}",
                f"{code} is not a department of the report's county or city.",
                "department_unknown",
            )
    if not codes:
        raise Unprocessable.at(
            "/handling_departments", "Name at least one handling department.", "no_departments"
        )
    return codes


def _guards(report: Report, settings: Settings, index: Any) -> dict[ReportGuard, str | None]:
    answer_failure = None
    if report.satisfaction is None and report.concluded_on is not None:
        wait = deadlines.answer_due(index, report.concluded_on, settings.report_answer_working_days)
        if clock.business_today() <= wait.date:
            answer_failure = (
                f"The reporter has not answered yet; the report may be closed without an "
                f"answer after {wait.date}."
            )
    return {
        ReportGuard.answered_or_wait_passed: answer_failure,
        ReportGuard.objection_unused: service.objection_failure(report),
    }


async def take_step(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    precondition: Precondition,
    body: ReportStep,
) -> ReportView:
    report = await report_in_scope(session, principal, report_id)
    version = precondition.version_to_change(report.version)
    index = await current_index(session)
    row = machine.transition(
        ReportState(report.status),
        ReportAction(body.action),
        parties=parties_of(principal, report),
        roles=principal.roles,
        present=body.present(),
        guards=_guards(report, settings, index),
    )
    today = clock.business_today()
    values: dict[str, Any] = {"status": row.next_state}
    public_text = getattr(body, "public_text", None)
    if public_text is not None:
        values["public_text"] = public_text
    matter = getattr(body, "matter", None)
    if matter is not None:
        values["matter"] = matter
    for effect in row.effects:
        if effect == ReportEffect.set_conclusion_due:
            due = deadlines.conclusion_due(index, today, settings.report_conclusion_working_days)
            values |= {
                "accepted_on": today,
                "conclusion_due": due.date,
                "conclusion_due_provisional": due.provisional,
            }
        elif effect == ReportEffect.set_review_due:
            # The review after an objection is an investigation of its own, with its own
            # due date; `accepted_on` stays the first acceptance.
            due = deadlines.conclusion_due(index, today, settings.report_conclusion_working_days)
            values |= {"conclusion_due": due.date, "conclusion_due_provisional": due.provisional}
        elif effect == ReportEffect.record_rejection:
            assert isinstance(body, ReportRejectStep)
            values |= await _rejection(session, principal, report, body)
        elif effect == ReportEffect.record_handlers:
            assert isinstance(body, ReportAssignStep | ReportReassignStep)
            values["handling_departments"] = await _departments(
                session, report, body.handling_departments, matter
            )
        elif effect == ReportEffect.record_conclusion:
            assert isinstance(body, ReportConcludeStep)
            values |= {"result": body.result, "measures": body.measures, "concluded_on": today}
        elif effect == ReportEffect.record_closing:
            values["closed_on"] = today
    before, from_state = service.audited(report), report.status
    await service.update_at_version(session, report, version, values)
    await service.record(
        session,
        report,
        kind="action",
        action=row.action,
        from_state=from_state,
        audit_action=f"report.{row.action}",
        before=before,
        public=row.public,
        text=public_text,
    )
    return await _view(session, settings, principal, report, with_contact=True)


async def _rejection(
    session: AsyncSession, principal: Principal, report: Report, body: ReportRejectStep
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "rejection_reason": body.rejection_reason,
        "closed_on": clock.business_today(),
    }
    if body.rejection_reason in machine.NAMES_OTHER_REPORT:
        other_id = body.related_report_id
        other = (
            await repository.get_in_scope(session, other_id, principal.readable)
            if other_id is not None and other_id != report.id
            else None
        )
        if other is None:
            raise Unprocessable.at(
                "/related_report_id",
                f"A {body.rejection_reason} rejection names another report in your jurisdictions.",
                "related_report_required",
            )
        values["related_report_id"] = other.id
    return values
