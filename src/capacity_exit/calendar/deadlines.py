"""Stored deadlines, recomputed when the schedule of a year they depend on is loaded.

A feature that stores a deadline registers it here (`track`) with the rule that made
it; `recompute` moves every provisional one whose rule now answers differently (or is
no longer provisional) and records each move in `deadline_changes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.calendar.index import CalendarIndex, Result
from capacity_exit.calendar.models import DeadlineChange, TrackedDeadline
from capacity_exit.core.clock import utcnow

WORKING_DAYS_AFTER = "working_days_after"
NEXT_WORKING_DAY = "next_working_day_on_or_after"


def evaluate(index: CalendarIndex, rule: str, start: date, working_days: int | None) -> Result:
    if rule == WORKING_DAYS_AFTER:
        return index.working_days_after(start, working_days or 0)
    if rule == NEXT_WORKING_DAY:
        return index.next_working_day_on_or_after(start)
    raise ValueError(f"unknown deadline rule {rule}")


async def track(
    session: AsyncSession,
    index: CalendarIndex,
    *,
    object_type: str,
    object_id: str,
    purpose: str,
    rule: str,
    start: date,
    working_days: int | None = None,
) -> TrackedDeadline:
    result = evaluate(index, rule, start, working_days)
    row = TrackedDeadline(
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        rule=rule,
        start=start,
        working_days=working_days,
        due=result.date,
        provisional=result.provisional,
    )
    session.add(row)
    await session.flush()
    return row


async def recompute(
    session: AsyncSession, index: CalendarIndex, reason: str
) -> list[DeadlineChange]:
    """Re-evaluate every provisional deadline; record and apply those that changed."""
    rows: Sequence[TrackedDeadline] = (
        await session.scalars(
            select(TrackedDeadline).where(TrackedDeadline.provisional.is_(True)).with_for_update()
        )
    ).all()
    changes = []
    for row in rows:
        result = evaluate(index, row.rule, row.start, row.working_days)
        if result.date == row.due and result.provisional == row.provisional:
            continue
        change = DeadlineChange(
            deadline_id=row.id,
            object_type=row.object_type,
            object_id=row.object_id,
            old_due=row.due,
            new_due=result.date,
            old_provisional=row.provisional,
            new_provisional=result.provisional,
            reason=reason,
        )
        before = audit.snapshot(row)
        row.due, row.provisional, row.updated_at = result.date, result.provisional, utcnow()
        session.add(change)
        changes.append(change)
        await audit.record(
            session,
            action="deadline.recompute",
            object_type=row.object_type,
            object_id=row.object_id,
            before=before,
            after=audit.snapshot(row),
        )
    await session.flush()
    return changes


async def history(
    session: AsyncSession, object_type: str, object_id: str
) -> Sequence[DeadlineChange]:
    return (
        await session.scalars(
            select(DeadlineChange)
            .where(DeadlineChange.object_type == object_type, DeadlineChange.object_id == object_id)
            .order_by(DeadlineChange.id)
        )
    ).all()
