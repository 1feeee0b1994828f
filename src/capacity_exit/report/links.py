"""What a report led to: the rules for linking, the links, and `report_outcomes`.

A handling department records inspections and opens cases from a report while it
investigates it (`LINKING_STATES`), of a category that fits the report's
(`CASE_CATEGORIES`, data); the lead department revokes the compliant case whose notice
a substantiated report disputed. Each link is one `report_links` row and one audit
entry (`report.link`); it is not a change of the report (its version and ETag stay,
so a handler's concurrent step is not made stale by it).

`report_outcomes` is the one reader of the links for every view: the handlers' report
view here, and the public list of concluded reports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.case.machine import CaseState, Category
from capacity_exit.core.clock import as_utc
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure.models import DisclosureKind, DisclosureStatus
from capacity_exit.inspection.schemas import InspectionKind
from capacity_exit.report import links_repository as repository
from capacity_exit.report import repository as reports
from capacity_exit.report.machine import ReportCategory, ReportState, Result
from capacity_exit.report.models import LinkKind, Report, ReportLink

C, R = Category, ReportCategory
# The case categories a report of each category may open (一(一)1-3 from 一(一)5): what
# should have exited, or came back, is illegal or to be eliminated; what should have been
# rectified is a rectification; an inspection not made may find any of the three. A
# compliant case is never opened from a report: a report disputes compliance.
CASE_CATEGORIES: dict[ReportCategory, tuple[Category, ...]] = {
    R.resurgence: (C.illegal, C.elimination),
    R.should_exit: (C.illegal, C.elimination),
    R.should_rectify: (C.rectification,),
    R.should_inspect: (C.illegal, C.elimination, C.rectification),
    R.fraud: (C.illegal, C.elimination, C.rectification),
    R.lax_approval: (C.illegal, C.elimination, C.rectification),
    R.other: (C.illegal, C.elimination, C.rectification),
}
del C, R
assert set(CASE_CATEGORIES) == set(ReportCategory), "every report category has its cases"
assert all(Category.compliant not in v for v in CASE_CATEGORIES.values())

# Inspections and cases are recorded from a report while it is investigated.
LINKING_STATES = frozenset({ReportState.investigating})
# A revocation follows a conclusion that found the report (partly) true.
REVOKING_RESULTS = frozenset({Result.substantiated, Result.partly_substantiated})
REVOKING_STATES = frozenset({ReportState.concluded, ReportState.closed})


class CategoryNotFitting(Unprocessable):
    code, title = "category_not_fitting", "The case category does not fit the report"


# --- checks ---------------------------------------------------------------------------


async def _in_scope(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> Report:
    report = await reports.get_in_scope(session, report_id, principal.readable)
    if report is None:
        raise NotFound(f"No report {report_id} in your jurisdictions.", code="report_not_found")
    return report


async def linkable(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> Report:
    """The report, if the caller's department handles it and it is being investigated:
    404 outside scope, 403 for a department not handling it, 409 in another state."""
    report = await _in_scope(session, principal, report_id)
    if principal.department_code not in report.handling_departments:
        raise Forbidden(
            f"Only the report's handling departments ({', '.join(report.handling_departments)}"
            ") record inspections and open cases from it.",
            code="not_handling",
        )
    if report.status not in LINKING_STATES:
        raise Conflict(
            f"A report in state {report.status} takes no inspection or case; it must be "
            f"{', '.join(sorted(LINKING_STATES))}.",
            code="report_not_investigating",
            extra={"state": str(report.status)},
        )
    return report


def check_enterprise(report: Report, enterprise_id: uuid.UUID) -> None:
    """A report naming a registered enterprise links only what is about it."""
    if report.enterprise_id is not None and report.enterprise_id != enterprise_id:
        raise Unprocessable.at(
            "/enterprise_id",
            f"The report is about enterprise {report.enterprise_id}.",
            "enterprise_mismatch",
        )


def allowed_categories(report: Report) -> tuple[Category, ...]:
    return CASE_CATEGORIES[ReportCategory(report.category)]


def check_category(report: Report, category: Category) -> None:
    allowed = allowed_categories(report)
    if category not in allowed:
        names = [str(c) for c in allowed]
        detail = f"A {report.category} report opens a case of: {', '.join(names)}."
        raise CategoryNotFitting(
            detail,
            errors=[FieldProblem(pointer="/category", detail=detail, code="category_not_fitting")],
            extra={"allowed": names},
        )


async def revocable(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> tuple[Report, uuid.UUID, uuid.UUID]:
    """The report, the compliant case and the notice it disputed, if the caller is the
    report's lead department and the report was concluded (partly) substantiated."""
    report = await _in_scope(session, principal, report_id)
    if principal.department_code != report.lead_department_code:
        raise Forbidden(
            f"Only the report's lead department {report.lead_department_code} revokes the "
            "compliant notice it disputed.",
            code="not_lead",
        )
    if report.status not in REVOKING_STATES or report.result not in REVOKING_RESULTS:
        raise Conflict(
            "A compliant notice is revoked once the report is concluded substantiated or "
            f"partly substantiated (it is {report.status}, result {report.result}).",
            code="report_not_substantiated",
            extra={"state": str(report.status)},
        )
    notice = (
        await repository.notice(session, report.disputed_notice_id)
        if report.disputed_notice_id
        else None
    )
    if notice is None or notice.category != Category.compliant:
        raise Conflict(
            "The report disputes no compliant notice.", code="no_disputed_compliant_notice"
        )
    return report, notice.case_id, notice.id


# --- links ----------------------------------------------------------------------------


async def link(
    session: AsyncSession,
    principal: Principal,
    report: Report,
    kind: LinkKind,
    target_id: uuid.UUID,
) -> ReportLink:
    row = ReportLink(
        report_id=report.id,
        kind=kind,
        target_id=target_id,
        created_by_department=principal.department_code,
    )
    await repository.add(session, row)
    await audit.record(
        session,
        action="report.link",
        object_type="report",
        object_id=str(report.id),
        jurisdiction=report.jurisdiction_code,
        after={"report_id": str(report.id), "kind": str(kind), "target_id": str(target_id)},
    )
    return row


async def reports_of_cases(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The report each case came from (or was revoked by), for the case's view."""
    return await repository.reports_of_cases(session, case_ids)


# --- outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedInspection:
    id: uuid.UUID
    kind: InspectionKind
    completed_on: dt.date
    recorded_by_department: str
    linked_at: dt.datetime


@dataclass(frozen=True)
class LinkedCase:
    id: uuid.UUID
    category: Category
    status: CaseState
    department: str
    linked_at: dt.datetime
    linked_by_department: str


@dataclass(frozen=True)
class LinkedNotice:
    id: uuid.UUID
    case_id: uuid.UUID
    kind: DisclosureKind
    category: Category
    status: DisclosureStatus
    published_at: dt.datetime


@dataclass(frozen=True)
class Outcomes:
    """What one report led to, oldest first. `notices`: the notices of the public
    record of its cases (current or withdrawn), and the notice its revocation withdrew."""

    inspections: list[LinkedInspection] = field(default_factory=list)
    cases: list[LinkedCase] = field(default_factory=list)
    notices: list[LinkedNotice] = field(default_factory=list)


async def report_outcomes(
    session: AsyncSession, report_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Outcomes]:
    """Every report's outcomes, by report id (each id given has an entry), in four
    queries whatever the number of reports. Not scoped: callers decide what to show."""
    links = await repository.links_of(session, report_ids)
    by_kind: dict[LinkKind, list[ReportLink]] = {k: [] for k in LinkKind}
    for row in links:
        by_kind[LinkKind(row.kind)].append(row)
    inspections = {
        i.id: i
        for i in await repository.inspections(
            session, [r.target_id for r in by_kind[LinkKind.inspection]]
        )
    }
    cases = {
        c.id: c
        for c in await repository.cases(session, [r.target_id for r in by_kind[LinkKind.case]])
    }
    notices = await repository.notices(
        session, list(cases), [r.target_id for r in by_kind[LinkKind.notice]]
    )
    out = {report_id: Outcomes() for report_id in report_ids}
    case_reports: dict[uuid.UUID, set[uuid.UUID]] = {}
    notice_reports: dict[uuid.UUID, set[uuid.UUID]] = {}
    for row in links:
        outcomes = out.setdefault(row.report_id, Outcomes())
        if row.kind == LinkKind.inspection and (i := inspections.get(row.target_id)):
            outcomes.inspections.append(
                LinkedInspection(
                    i.id, i.kind, i.completed_on, i.recorded_by_department, as_utc(row.created_at)
                )
            )
        elif row.kind == LinkKind.case and (c := cases.get(row.target_id)):
            outcomes.cases.append(
                LinkedCase(
                    c.id, c.category, c.status, c.department_code, as_utc(row.created_at),
                    row.created_by_department,
                )
            )  # fmt: skip
            case_reports.setdefault(c.id, set()).add(row.report_id)
        elif row.kind == LinkKind.notice:
            notice_reports.setdefault(row.target_id, set()).add(row.report_id)
    for n in notices:
        reporting = case_reports.get(n.case_id, set()) | notice_reports.get(n.id, set())
        for report_id in sorted(reporting):
            out[report_id].notices.append(
                LinkedNotice(n.id, n.case_id, n.kind, n.category, n.status, as_utc(n.published_at))
            )
    return out
