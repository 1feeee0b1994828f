"""Disclosures: created by the case steps that publish, corrected and withdrawn with
history, reviewed by the city, and read by the public."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar import rules
from capacity_exit.calendar.index import CalendarIndex
from capacity_exit.case import checks
from capacity_exit.case.deadlines import case_deadlines
from capacity_exit.case.machine import NOTICES, CaseAction, Category, Notice
from capacity_exit.case.models import Case
from capacity_exit.case.payloads import missing_fields, validated_draft
from capacity_exit.core import clock
from capacity_exit.core.actor import current_actor
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition
from capacity_exit.core.ids import uuid7
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure import repository
from capacity_exit.disclosure.content import (
    case_content,
    department_codes,
    department_names,
    snapshot,
)
from capacity_exit.disclosure.models import (
    CorrectionRequest,
    Disclosure,
    DisclosureEvent,
    DisclosureReview,
    DisclosureStatus,
)
from capacity_exit.disclosure.schemas import CorrectionIn, ReviewIn, WithdrawalIn
from capacity_exit.org import repository as org

OBJECT_TYPE = "disclosure"
CURRENT, SUPERSEDED, WITHDRAWN = (
    DisclosureStatus.current,
    DisclosureStatus.superseded,
    DisclosureStatus.withdrawn,
)


async def _event(
    session: AsyncSession, disclosure: Disclosure, kind: str, reason: str | None = None
) -> None:
    await repository.add(
        session,
        DisclosureEvent(
            series_id=disclosure.series_id,
            disclosure_id=disclosure.id,
            kind=kind,
            department_code=current_actor().department,
            reason=reason,
        ),
    )


async def _audit(
    session: AsyncSession, action: str, disclosure: Disclosure, before: dict[str, Any] | None
) -> None:
    await audit.record(
        session,
        action=f"disclosure.{action}",
        object_type=OBJECT_TYPE,
        object_id=str(disclosure.id),
        jurisdiction=disclosure.jurisdiction_code,
        before=before,
        after=audit.snapshot(disclosure),
    )


# --- created by case steps ---------------------------------------------------------------


async def _department_names(
    session: AsyncSession, codes: Iterable[str], known: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each department's name as the reference data has it now, `known` ones kept (a
    code the reference data lacks, which the case checks rule out, stands for itself)."""
    names = dict(known or {})
    for code in codes:
        if code not in names:
            department = await org.get_department(session, code)
            names[code] = department.name if department is not None else code
    return names


async def _co_publishers(session: AsyncSession, case: Case) -> list[dict[str, str]]:
    """A forced exit is published by the deciding government with the departments the
    decision involves (一(一)4)."""
    if case.category != Category.forced_exit:
        return []
    found = []
    for code in case.payload.get("involved_departments", []):
        department = await org.get_department(session, code)
        if department is not None and code != case.department_code:
            found.append({"code": code, "name": department.name})
    return found


async def publish_for_step(
    session: AsyncSession,
    case: Case,
    action: CaseAction,
    step: Notice,
    index: CalendarIndex,
    *,
    batch_id: uuid.UUID | None = None,
    period_working_days: int | None = None,
) -> Disclosure:
    """The notice `step` a case's `action` publishes, with the end of its publicity
    period when one is given in working days."""
    deadlines = {d.purpose: d for d in case_deadlines(index, case)}
    answered = deadlines.get(step.deadline)
    enterprise = await repository.enterprise_of_case(session, case.enterprise_id)
    department = await org.get_department(session, case.department_code)
    jurisdiction = await org.get_jurisdiction(session, case.jurisdiction_code)
    assert enterprise is not None and department is not None and jurisdiction is not None
    disclosure = Disclosure(
        series_id=uuid7(),
        version=1,
        status=CURRENT,
        kind=step.kind,
        category=case.category,
        case_id=case.id,
        step=action,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        enterprise_credit_code=enterprise.credit_code,
        enterprise_address=enterprise.address,
        department_code=department.code,
        department_name=department.name,
        level=jurisdiction.level,
        jurisdiction_code=jurisdiction.code,
        jurisdiction_name=jurisdiction.name,
        published_at=clock.utcnow(),
        due_date=answered.due if answered else None,
        on_time=answered.on_time if answered else None,
        content=snapshot(
            step, case.payload, await _department_names(session, department_codes(case.payload))
        ),
        published_by=current_actor().subject,
        batch_id=batch_id,
        co_publishers=await _co_publishers(session, case),
        period_end=rules.working_days_after(index, clock.business_today(), period_working_days).date
        if period_working_days
        else None,
    )
    await repository.add_notice(session, disclosure)
    await _event(session, disclosure, "published")
    await _audit(session, "publish", disclosure, None)
    return disclosure


async def withdraw_for_case(session: AsyncSession, case: Case, reason: str) -> None:
    """A withdrawn or revoked case withdraws its notices, keeping them."""
    for disclosure in await repository.current_of_case(session, case.id):
        await _withdraw(session, disclosure, reason)


# --- corrections and withdrawals ---------------------------------------------------------


def _in_content(problem: FieldProblem) -> FieldProblem:
    return problem.model_copy(update={"pointer": f"/content{problem.pointer or ''}"})


def _changed_meanwhile(disclosure_id: uuid.UUID) -> Conflict:
    return Conflict(f"Disclosure {disclosure_id} was changed meanwhile.", code="disclosure_changed")


async def _owned(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
) -> Disclosure:
    disclosure = await repository.get_in_scope(session, disclosure_id, principal.readable)
    if disclosure is None:
        raise NotFound(f"No disclosure {disclosure_id}.")
    if principal.department_code != disclosure.department_code:
        raise Forbidden(
            f"Only {disclosure.department_code}, which published it, corrects or withdraws it.",
            code="not_publisher",
        )
    precondition.require()  # 428 before the state is judged (core.etag)
    if disclosure.status != CURRENT:
        raise Conflict(
            f"Disclosure {disclosure.id} is {disclosure.status}: only the current version "
            "of a notice is corrected or withdrawn.",
            code=f"disclosure_{disclosure.status}",
        )
    return disclosure


async def correct_notice(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: CorrectionIn,
) -> Disclosure:
    """A new version with the changed fields and the reason; the old one is superseded."""
    old = await _owned(session, principal, disclosure_id, precondition)
    precondition.version_to_change(old.version)
    category = old.category
    step = NOTICES[(category, old.step)]
    published = case_content(old.content)  # its departments by code, as the case has them
    foreign = [name for name in data.content if name not in step.fields]
    if foreign:
        raise Unprocessable(
            "A correction changes only fields the notice shows.",
            code="field_not_in_notice",
            errors=[
                FieldProblem(
                    pointer=f"/content/{n}", detail="not in this notice", code="field_not_in_notice"
                )
                for n in foreign
            ],
        )
    try:
        merged = validated_draft(category, {**published, **data.content})
    except Unprocessable as exc:  # point into this request's `content`
        exc.errors = [_in_content(p) for p in exc.errors or []]
        raise
    # A notice keeps every field its step required.
    problems = missing_fields(category, merged, step.fields)
    if problems:
        raise Unprocessable(
            "A correction cannot remove what the notice must show.",
            code="missing_fields",
            errors=[_in_content(p) for p in problems],
        )
    fields = merged.model_dump(mode="json", exclude_none=True)
    try:
        await checks.check_departments(session, fields)
    except Unprocessable as exc:
        exc.errors = [_in_content(p) for p in exc.errors or []]
        raise
    # The departments it already named keep the names it published; new ones get theirs.
    names = await _department_names(
        session, department_codes(fields), department_names(old.content)
    )
    content = snapshot(step, fields, names)
    request = None
    if data.correction_request_id is not None:
        request = await repository.get_correction_request(
            session, data.correction_request_id, old.series_id
        )
        if request is None:
            raise NotFound.referenced(
                "correction_request_id", "correction_request", data.correction_request_id
            )
        if request.status != "open":
            raise Unprocessable.at(
                "/correction_request_id",
                "the correction request is already resolved",
                "correction_request_resolved",
            )
    if not await repository.supersede(session, old.id):
        raise _changed_meanwhile(old.id)
    new = Disclosure(
        **{column: getattr(old, column) for column in repository.COPIED_ON_CORRECTION},
        id=uuid7(),
        version=old.version + 1,
        status=CURRENT,
        content=content,
        previous_id=old.id,
        correction_reason=data.reason,
        published_at=clock.utcnow(),
        published_by=current_actor().subject,
    )
    await repository.add_notice(session, new)
    await _event(session, new, "corrected", data.reason)
    await _audit(session, "correct", new, audit.snapshot(old))
    if request is not None:
        await repository.resolve_correction_request(session, request, new.id)
    return new


async def _withdraw(session: AsyncSession, disclosure: Disclosure, reason: str) -> Disclosure:
    before = audit.snapshot(disclosure)
    if not await repository.mark_withdrawn(session, disclosure.id, reason, clock.utcnow()):
        raise Conflict(
            f"Disclosure {disclosure.id} was changed meanwhile.", code="disclosure_superseded"
        )
    await repository.refresh(session, disclosure)
    await _event(session, disclosure, "withdrawn", reason)
    await _audit(session, "withdraw", disclosure, before)
    return disclosure


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: WithdrawalIn,
) -> Disclosure:
    disclosure = await _owned(session, principal, disclosure_id, precondition)
    precondition.version_to_change(disclosure.version)
    return await _withdraw(session, disclosure, data.reason)


# --- tiered review (分级公开, 一(四)) ---------------------------------------------------


@dataclass(frozen=True)
class ReviewResult:
    review: DisclosureReview
    correction_request: CorrectionRequest | None


async def review(
    session: AsyncSession, principal: Principal, disclosure_id: uuid.UUID, data: ReviewIn
) -> ReviewResult:
    """A city department re-checks or spot-checks a county's notice; what it finds wrong
    goes to the county as a correction request."""
    disclosure = await repository.get_in_scope(session, disclosure_id, principal.readable)
    if disclosure is None:
        raise NotFound(f"No disclosure {disclosure_id}.")
    jurisdiction = await org.get_jurisdiction(session, disclosure.jurisdiction_code)
    if (
        principal.level != "city"
        or jurisdiction is None
        or jurisdiction.parent_code != (principal.jurisdiction_code)
    ):
        raise Forbidden(
            "Reviews of a county's notices are made by its city's departments.",
            code="not_reviewer",
        )
    if disclosure.status != CURRENT:
        raise Conflict(
            f"The notice is {disclosure.status}: review its current version.",
            code=f"disclosure_{disclosure.status}",
        )
    outcome = "discrepancies" if data.discrepancies else "confirmed"
    record = DisclosureReview(
        disclosure_id=disclosure.id,
        kind=data.kind,
        outcome=outcome,
        discrepancies=[d.model_dump() for d in data.discrepancies],
        notes=data.notes,
        department_code=principal.department_code,
        reviewed_on=clock.business_today(),
    )
    await repository.add(session, record)
    await _event(session, disclosure, "reviewed", outcome)
    request = None
    if data.discrepancies:
        request = CorrectionRequest(
            review_id=record.id,
            series_id=disclosure.series_id,
            disclosure_id=disclosure.id,
            addressed_to=disclosure.department_code,
            jurisdiction_code=disclosure.jurisdiction_code,
            requested_by=principal.department_code,
            discrepancies=record.discrepancies,
        )
        await repository.add(session, request)
    await audit.record(
        session,
        action="disclosure.review",
        object_type=OBJECT_TYPE,
        object_id=str(disclosure.id),
        jurisdiction=disclosure.jurisdiction_code,
        after=audit.snapshot(record),
    )
    return ReviewResult(record, request)


async def correction_requests(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[CorrectionRequest]:
    return await repository.correction_requests(
        session, principal.readable, status=status, after=after, limit=limit
    )


# --- the public read side ---------------------------------------------------------------


async def public_page(session: AsyncSession, **filters: Any) -> list[tuple[Disclosure, str | None]]:
    """A page of the public record (filters: see `repository._public_query`), each notice
    with the role in which the filtered department carries it (None when unfiltered)."""
    return await repository.public_page(session, **_filter_values(filters))


async def public_rows(session: AsyncSession, **filters: Any) -> Sequence[RowMapping]:
    """The same page as plain rows, for the list (the hot path)."""
    return await repository.public_rows(session, **_filter_values(filters))


def _filter_values(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in filters.items()}


@dataclass(frozen=True)
class PublicDetail:
    disclosure: Disclosure
    versions: Sequence[Disclosure]
    history: Sequence[DisclosureEvent]


async def public_get(session: AsyncSession, disclosure_id: uuid.UUID) -> Disclosure:
    disclosure = await repository.get_published(session, disclosure_id)
    if disclosure is None:
        raise NotFound(f"No disclosure {disclosure_id}.")
    return disclosure


async def public_detail(session: AsyncSession, disclosure_id: uuid.UUID) -> PublicDetail:
    disclosure = await public_get(session, disclosure_id)
    return PublicDetail(
        disclosure,
        await repository.versions(session, disclosure.series_id),
        await repository.history(session, disclosure.series_id),
    )
