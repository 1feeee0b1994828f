"""The report platform's rules: submission and receipts (the reporter's side).

The handlers' side is `report.handling`. Every write records one history event and one
audit entry in the caller's transaction; neither ever holds contact data (`_audited`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.calendar.service import current_index
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.actor import current_actor
from capacity_exit.core.challenge import ChallengeSpent, spend, verify_solution
from capacity_exit.core.errors import Conflict, NotFound, PreconditionFailed, Unprocessable
from capacity_exit.core.etag import stale
from capacity_exit.core.ids import uuid7
from capacity_exit.core.versioned import current_version, update_if_version
from capacity_exit.disclosure import repository as disclosures
from capacity_exit.enterprise import repository as enterprises
from capacity_exit.org import repository as org
from capacity_exit.org.schemas import Level
from capacity_exit.report import contact, deadlines, machine, receipts, repository, routing
from capacity_exit.report.keys import ReportKeys, report_keys
from capacity_exit.report.machine import (
    ReportAction,
    ReportGuard,
    ReportParty,
    ReportState,
    Satisfaction,
)
from capacity_exit.report.models import Report, ReportEvent
from capacity_exit.report.schemas import (
    AddInformation,
    AnswerSatisfaction,
    ObjectToConclusion,
    ReceiptLookup,
    ReportSubmission,
)

OBJECT_TYPE = "report"
# Never in an audit after-state: what identifies or authenticates the reporter, and the
# reporter's own words (which may name them).
_NOT_AUDITED = frozenset(
    {"contact_sealed", "secret_hash", "idempotency_digest", "request_digest", "what_was_seen"}
)
_NO_RECEIPT = "No report has this tracking code and secret."


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"


def audited(report: Report) -> dict[str, Any]:
    return {k: v for k, v in audit.snapshot(report).items() if k not in _NOT_AUDITED}


async def record(
    session: AsyncSession,
    report: Report,
    *,
    kind: str,
    audit_action: str,
    before: dict[str, Any] | None,
    public: bool,
    action: ReportAction | None = None,
    from_state: ReportState | None = None,
    text: str | None = None,
) -> None:
    """One history event (its sequence: the version the change made) and its audit entry."""
    await repository.add(
        session,
        ReportEvent(
            report_id=report.id,
            sequence=report.version,
            kind=kind,
            action=action,
            from_state=from_state,
            to_state=report.status,
            public=public,
            text=text,
            department=current_actor().department,
            business_date=clock.business_today(),
        ),
    )
    await audit.record(
        session,
        action=audit_action,
        object_type=OBJECT_TYPE,
        object_id=str(report.id),
        jurisdiction=report.jurisdiction_code,
        before=before,
        after=audited(report),
    )


async def update_at_version(
    session: AsyncSession, report: Report, version: int, values: dict[str, Any]
) -> None:
    if not await update_if_version(session, Report, report.id, version, values):
        raise stale(await current_version(session, Report, report.id))
    await repository.refresh(session, report)


# --- submission ------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    report: Report
    secret: str
    replayed: bool


async def _county_and_city(session: AsyncSession, county: str) -> str:
    """The city of `county`, which must be a current county of a city we serve."""
    row = await org.get_jurisdiction(session, county)
    parent = (
        await org.get_jurisdiction(session, row.parent_code) if row and row.parent_code else None
    )
    if (
        row is None
        or not row.is_current
        or row.level != Level.county
        or parent is None
        or (parent.level != Level.city)
    ):
        raise Unprocessable.at(
            "/county", f"{county} is not a current county of the city.", "county_unknown"
        )
    return parent.code


async def submit(
    session: AsyncSession,
    settings: Settings,
    body: ReportSubmission,
    idempotency_key: str | None,
) -> Receipt:
    keys = report_keys(settings)
    # The proof of work is not part of the report: a retry may carry a fresh one.
    digest = receipts.request_digest(body.model_dump_json(exclude={"altcha"}).encode())
    key_digest = None
    if idempotency_key is not None:
        key_digest = receipts.idempotency_digest(keys, idempotency_key)
        replay = await _replay(session, keys, key_digest, digest, idempotency_key)
        if replay is not None:
            return replay
    solution = verify_solution(body.altcha, settings, pointer="/altcha")
    city = await _county_and_city(session, body.county)
    lead = routing.lead_department(body.category, body.county, city)
    if await org.get_department(session, lead) is None:
        raise Unprocessable.at(
            "/county", f"The lead department {lead} is not in the reference data.", "no_lead"
        )
    if body.disputed_notice_id is not None and (
        await disclosures.get_published(session, body.disputed_notice_id) is None
    ):
        raise Unprocessable.at(
            "/disputed_notice_id", "No published notice has this id.", "notice_not_found"
        )
    enterprise = (
        await enterprises.get_by_credit_code(session, body.enterprise.credit_code)
        if body.enterprise.credit_code
        else None
    )
    today = clock.business_today()
    due = deadlines.acceptance_due(
        await current_index(session), today, settings.report_acceptance_working_days
    )
    report_id = uuid7()
    code = receipts.new_code()
    while await repository.by_code(session, code) is not None:  # 2^60 codes: rarely loops
        code = receipts.new_code()
    secret = receipts.new_secret(keys, report_id, idempotency_key)
    # The slow hash before the first write, so the write is held only briefly.
    secret_hash = await asyncio.to_thread(receipts.hash_receipt_secret, secret)
    # Spent in this transaction: a submission refused below rolls the spend back.
    try:
        await spend(session, solution)
    except ChallengeSpent:
        # A retry racing its own first attempt spent the same solution: the spend waited
        # for that attempt's transaction, whose report is now visible. Its receipt.
        replay = (
            await _replay(session, keys, key_digest, digest, idempotency_key)
            if key_digest is not None and idempotency_key is not None
            else None
        )
        if replay is None:
            raise
        return replay
    sealed = None
    if body.contact is not None:
        sealed = contact.seal(
            keys,
            report_id,
            contact.Contact(body.contact.name, body.contact.phone, body.contact.email),
        )
    location = body.location
    report = Report(
        id=report_id,
        tracking_code=code,
        secret_hash=secret_hash,
        idempotency_digest=key_digest,
        request_digest=digest if key_digest else None,
        category=body.category,
        status=machine.INITIAL_STATE,
        enterprise_credit_code=body.enterprise.credit_code,
        enterprise_name=body.enterprise.name or (enterprise.name if enterprise else None),
        enterprise_address=body.enterprise.address or (enterprise.address if enterprise else None),
        enterprise_id=enterprise.id if enterprise else None,
        jurisdiction_code=body.county,
        level=routing.level_of(body.category),
        lead_department_code=lead,
        handling_departments=[],
        disputed_notice_id=body.disputed_notice_id,
        what_was_seen=body.what_was_seen,
        seen_on=body.seen_on,
        location_address=location.address if location else None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        anonymous=body.anonymous,
        contact_sealed=sealed,
        received_on=today,
        acceptance_due=due.date,
        acceptance_due_provisional=due.provisional,
        objection_used=False,
        version=1,
    )
    try:
        await repository.add(session, report)
    except IntegrityError as exc:  # a concurrent first submission with the same key
        raise Conflict(
            "A report with this Idempotency-Key is being submitted; retry later.",
            code="idempotency_in_flight",
        ) from exc
    await record(
        session, report, kind="received", audit_action="report.submit", before=None, public=True
    )
    return Receipt(report, secret, replayed=False)


async def _replay(
    session: AsyncSession, keys: ReportKeys, key_digest: str, digest: str, idempotency_key: str
) -> Receipt | None:
    """The receipt of the report an earlier submission with this key made, if any (422
    when that submission's body differed)."""
    earlier = await repository.by_idempotency(session, key_digest)
    if earlier is None:
        return None
    if earlier.request_digest != digest:
        raise Unprocessable(
            "This Idempotency-Key was used with a different request body.",
            code="idempotency_key_reused",
        )
    return Receipt(earlier, receipts.new_secret(keys, earlier.id, idempotency_key), replayed=True)


# --- the receipt -----------------------------------------------------------------------


async def lookup(session: AsyncSession, body: ReceiptLookup) -> Report:
    """The report of a receipt; an unknown code and a wrong secret are the same 404,
    after the same argon2 verification (against a dummy hash for an unknown code)."""
    code = receipts.normalize(body.tracking_code)
    report = await repository.by_code(session, code) if code else None
    stored = report.secret_hash if report is not None else None
    if not await asyncio.to_thread(receipts.verify, stored, body.secret) or report is None:
        raise ReceiptNotFound(_NO_RECEIPT)
    return report


async def public_history(session: AsyncSession, report: Report) -> list[ReportEvent]:
    return list(
        await repository.events_of(session, report.id, after=None, limit=None, public_only=True)
    )


def may_answer(report: Report) -> bool:
    return report.status == ReportState.concluded and report.satisfaction is None


def objection_failure(report: Report) -> str | None:
    if report.objection_used:
        return "The reporter has already objected once."
    if report.satisfaction == Satisfaction.satisfied:
        return "The reporter answered satisfied."
    return None


def may_object(report: Report) -> bool:
    return (
        machine.find(report.status, ReportAction.object) is not None
        and objection_failure(report) is None
    )


_REPORTER_ATTEMPTS = 3


async def reporter_act(
    session: AsyncSession, body: AddInformation | AnswerSatisfaction | ObjectToConclusion
) -> Report:
    """A reporter's step with the receipt. The reporter holds no version: the row is
    locked and the step decided on the report as it is (SQLite, without row locks: a
    step that lost the race re-reads and decides again), so simultaneous objections give
    one reopening and 409s, never a 412 the reporter could not act on."""
    report = await lookup(session, body)
    await repository.lock(session, report)
    for _ in range(_REPORTER_ATTEMPTS - 1):
        try:
            return await _reporter_step(session, report, body)
        except PreconditionFailed:
            await repository.refresh(session, report)
    return await _reporter_step(session, report, body)


async def _reporter_step(
    session: AsyncSession,
    report: Report,
    body: AddInformation | AnswerSatisfaction | ObjectToConclusion,
) -> Report:
    version, before = report.version, audited(report)
    if isinstance(body, AddInformation):
        if report.status not in machine.OPEN_STATES:
            raise Conflict(
                f"A report in state {report.status} takes no more information.",
                code="report_decided",
            )
        await update_at_version(session, report, version, {})
        await record(
            session,
            report,
            kind="information",
            audit_action="report.add_information",
            before=before,
            public=True,
            text=body.text,
        )
    elif isinstance(body, AnswerSatisfaction):
        if not may_answer(report):
            raise Conflict(
                "Satisfaction is answered once, after the conclusion.", code="answer_not_open"
            )
        await update_at_version(session, report, version, {"satisfaction": body.satisfaction})
        await record(
            session,
            report,
            kind="satisfaction",
            audit_action="report.answer_satisfaction",
            before=before,
            public=True,
            text=str(body.satisfaction),
        )
    else:
        row = machine.transition(
            report.status,
            ReportAction.object,
            parties={ReportParty.reporter},
            roles=(),
            present={"text"},
            guards={ReportGuard.objection_unused: objection_failure(report)},
        )
        from_state = report.status
        values: dict[str, Any] = {"status": row.next_state, "objection_used": True}
        if report.satisfaction is None:
            values["satisfaction"] = Satisfaction.dissatisfied
        await update_at_version(session, report, version, values)
        await record(
            session,
            report,
            kind="action",
            action=ReportAction.object,
            from_state=from_state,
            audit_action="report.object",
            before=before,
            public=True,
            text=body.text,
        )
    return report
