"""The overdue mark of reports: a stage whose due date passed while the report still
waits in it is marked once, with a history event the reporter sees and an audit entry.

Two stages: acceptance (received, not accepted or rejected by `acceptance_due`) and
conclusion (accepted, assigned or investigating, not concluded by `conclusion_due`). A
report is overdue the day after its due date (`deadlines.overdue`). The mark is the
`overdue` event itself, recorded in the stage's state (`from_state`): no column, so a
second scan, or one after a worker died mid-run, finds the event and marks nothing
again. Whether a report is overdue now stays computed on read (`handling.is_overdue`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.versioned import update_if_version
from capacity_exit.report import repository, service
from capacity_exit.report.machine import AWAITING_ACCEPTANCE, AWAITING_CONCLUSION, ReportState
from capacity_exit.report.models import Report


@dataclass(frozen=True)
class Stage:
    name: str  # acceptance | conclusion
    states: Collection[ReportState]
    due_column: str
    text: str  # the history event's text (shown on the receipt), with the due date


STAGES = (
    Stage("acceptance", AWAITING_ACCEPTANCE, "acceptance_due", "逾期未受理（受理期限 {due}）"),
    Stage("conclusion", AWAITING_CONCLUSION, "conclusion_due", "逾期未办结（办结期限 {due}）"),
)


@dataclass(frozen=True)
class Marked:
    report: Report
    stage: str


async def mark_overdue(session: AsyncSession, today: dt.date) -> list[Marked]:
    """Mark each report whose stage's due date passed before `today`, once per stage.

    Each mark is a conditional update of the report's version (the event's sequence),
    so a concurrent step wins and the report is judged again by the next scan."""
    marked = []
    for stage in STAGES:
        states = [s.value for s in stage.states]
        for report in await repository.overdue_unmarked(session, states, stage.due_column, today):
            before = service.audited(report)
            if not await update_if_version(session, Report, report.id, report.version, {}):
                continue
            await repository.refresh(session, report)
            await service.record(
                session,
                report,
                kind="overdue",
                audit_action="report.mark_overdue",
                before=before,
                public=True,
                from_state=ReportState(report.status),
                text=stage.text.format(due=getattr(report, stage.due_column)),
            )
            marked.append(Marked(report, stage.name))
    return marked
