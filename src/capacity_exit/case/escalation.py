"""Escalation (一(一)3 → 一(一)4): a refused or failed rectification opens a forced-exit
proposal for the local government, carrying what the latest inspection of each failing
item found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case import history, payloads, repository
from capacity_exit.case.machine import INITIAL_STATE, CaseAction, Category
from capacity_exit.case.models import Case
from capacity_exit.case.payloads import FoundBy
from capacity_exit.core.errors import Conflict
from capacity_exit.inspection import repository as inspections
from capacity_exit.org import repository as org
from capacity_exit.org.schemas import DepartmentKind

UNFINISHED_MAX_LENGTH = 2_000  # a summary; the failing items themselves travel in full
# What the standard says of an item (its limit, unit and reference), as against what an
# inspection measured.
STANDARD_FIELDS = ("limit_value", "unit", "standard")


def _key(item: Mapping[str, Any]) -> tuple[Any, Any]:
    return item.get("domain"), item.get("item")


def _as_found(finding: Mapping[str, Any], problem: Mapping[str, Any], day: str) -> dict[str, Any]:
    measured = {k: v for k, v in finding.items() if k != "compliant" and v is not None}
    standard = {k: problem[k] for k in STANDARD_FIELDS if k in problem and k not in measured}
    return {**measured, **standard, "found_by": FoundBy.reinspection.value, "found_on": day}


def failing_items(
    problems: Sequence[Mapping[str, Any]],
    inspection: tuple[FoundBy, dt.date] | None,
    reinspection: tuple[str, Sequence[Mapping[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The failing items of a forced exit, each as the latest inspection that checked it
    found it, naming that inspection (`found_by`, `found_on`).

    `problems` are the rectification case's items, found by `inspection` (its kind and
    completion day); `reinspection` is the day and findings of a failed re-inspection,
    matched to the problems by domain and item. A problem the re-inspection found still
    failing carries the re-inspection's values (the standard's limit, unit and reference
    taken from the problem where the finding leaves them out, never its measured value);
    one it found compliant is left out; one it did not check stays as the inspection found
    it. Items only the re-inspection found failing follow, in its order."""
    found = (
        {"found_by": inspection[0].value, "found_on": inspection[1].isoformat()}
        if inspection is not None
        else {}
    )
    day, findings = reinspection or ("", ())
    checked: dict[tuple[Any, Any], Mapping[str, Any]] = {}
    for finding in findings:
        checked.setdefault(_key(finding), finding)
    items: list[dict[str, Any]] = []
    seen: set[tuple[Any, Any]] = set()
    for problem in problems:
        key = _key(problem)
        if key in seen:
            continue
        seen.add(key)
        latest = checked.get(key)
        if latest is None:
            items.append({**problem, **found})
        elif not latest.get("compliant"):
            items.append(_as_found(latest, problem, day))
    items += [
        _as_found(finding, {}, day)
        for key, finding in checked.items()
        if key not in seen and not finding.get("compliant")
    ]
    return items


async def open_forced_exit(session: AsyncSession, rectification: Case, action: CaseAction) -> Case:
    """Escalation (一(一)3 → 一(一)4): a forced-exit proposal for the local government."""
    gov = f"{rectification.jurisdiction_code}-{DepartmentKind.gov}"
    if await org.get_department(session, gov) is None:
        raise Conflict(
            f"{rectification.jurisdiction_code} has no government department to decide a "
            "forced exit.",
            code="no_deciding_government",
        )
    content = rectification.payload
    cited = (
        await inspections.get_in_scope(
            session, rectification.inspection_id, (rectification.jurisdiction_code,)
        )
        if rectification.inspection_id is not None
        else None
    )
    inspection = (FoundBy(cited.kind), cited.completed_on) if cited is not None else None
    if action == CaseAction.record_refusal:
        grounds = content["refusal_facts"]
        failing_items_found = failing_items(content.get("problems") or [], inspection)
    else:  # a failed re-inspection: what still fails, as it found it
        findings = content.get("findings") or []
        failing = "；".join(f["item"] for f in findings if not f["compliant"])
        grounds = f"复查仍不达标：{failing or '见复查结果'}"
        failing_items_found = failing_items(
            content.get("problems") or [], inspection, (content["reinspection_date"], findings)
        )
    grounds = (
        grounds[: UNFINISHED_MAX_LENGTH - 1] + "…"
        if len(grounds) > UNFINISHED_MAX_LENGTH
        else grounds
    )
    proposal = payloads.stored_content(
        payloads.ForcedExitDraft.model_validate(
            {
                "rectification_case_id": str(rectification.id),
                "failing_items": failing_items_found or None,
                "unfinished_rectification": grounds,
                "involved_departments": content.get("responsible_departments"),
            }
        )
    )
    case = Case(
        category=Category.forced_exit,
        status=INITIAL_STATE[Category.forced_exit],
        enterprise_id=rectification.enterprise_id,
        jurisdiction_code=rectification.jurisdiction_code,
        department_code=gov,
        inspection_id=rectification.inspection_id,
        parent_case_id=rectification.id,
        payload=proposal,
    )
    await repository.add(session, case)
    await history.record(
        session,
        case,
        kind="opened",
        audit_action="case.open_forced_exit",
        before=None,
        changes={"rectification_case_id": str(rectification.id)},
    )
    return case
