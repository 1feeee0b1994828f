"""The overdue mark: a case whose completion deadline passed while it still awaits
completion is marked, once, with a history event. What the mark causes beyond the case
(its credit listing, 一(二)) is the caller's `follow_up` (`flows.overdue`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.case import history, repository
from capacity_exit.case.deadlines import AWAITING_COMPLETION
from capacity_exit.case.models import Case
from capacity_exit.core.versioned import update_if_version

# What follows a mark, in its transaction: returns what the case's history notes of it.
FollowUp = Callable[[AsyncSession, Case, dt.date], Awaitable[dict[str, Any]]]


async def mark_overdue(session: AsyncSession, today: dt.date, follow_up: FollowUp) -> list[Case]:
    """Mark the cases whose completion deadline passed by `today` while still awaiting
    completion, each followed by `follow_up`.

    Each mark is a conditional update, so a concurrent step or a second scan never marks
    a case twice or marks one that has just completed."""
    waiting = [(c.value, s.value) for c, s in AWAITING_COMPLETION.items()]
    marked = []
    for case in await repository.overdue_candidates(session, waiting, today):
        before = audit.snapshot(case)
        if not await update_if_version(
            session, Case, case.id, case.version, {"overdue": True, "overdue_since": today}
        ):
            continue
        await repository.refresh(session, case)
        notes = await follow_up(session, case, today)
        await history.record(
            session,
            case,
            kind="overdue",
            audit_action="case.mark_overdue",
            before=before,
            from_state=case.status,
            changes={"completion_deadline": str(case.completion_deadline), **notes},
        )
        marked.append(case)
    return marked
