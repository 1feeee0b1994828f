"""Which case steps publish a notice, of which kind, and exactly what it shows.

Pure domain. The fields are the transition table's own (`case.machine`), so a notice
carries what the step required, nothing the draft merely happens to hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from capacity_exit.case import machine
from capacity_exit.case.deadlines import Purpose
from capacity_exit.case.machine import CaseAction, CaseState, Category

Kind = Literal["publicity", "announcement"]


@dataclass(frozen=True)
class PublishingStep:
    kind: Kind
    deadline: Purpose  # the case deadline the notice answers
    fields: tuple[str, ...]  # the content it freezes, in order
    title: str  # the notice's subject, after the enterprise's name


def _publicity_fields(category: Category, state: CaseState) -> tuple[str, ...]:
    return machine.TRANSITIONS[(category, state, CaseAction.publish)].required_fields


# The grounds a forced-exit notice states; the rectification case it came from is an
# internal record (its UUID means nothing to a reader), linked in the case, not published.
_FORCED_EXIT_PUBLIC_GROUNDS = tuple(
    f for f in machine.FORCED_EXIT_GROUNDS if f != "rectification_case_id"
)

_COMPLETION = {
    Category.illegal: machine.ILLEGAL_COMPLETION_REPORT,
    Category.elimination: machine.ELIMINATION_COMPLETION_REPORT,
}

PUBLISHING_STEPS: dict[tuple[Category, CaseAction], PublishingStep] = {
    (Category.illegal, CaseAction.publish): PublishingStep(
        "publicity",
        "publicity",
        _publicity_fields(Category.illegal, CaseState.draft),
        "违法违规建设生产情况的公示",
    ),
    (Category.elimination, CaseAction.publish): PublishingStep(
        "publicity",
        "publicity",
        _publicity_fields(Category.elimination, CaseState.draft),
        "淘汰类装备（生产线）退出情况的公示",
    ),
    (Category.rectification, CaseAction.publish): PublishingStep(
        "publicity",
        "publicity",
        _publicity_fields(Category.rectification, CaseState.draft),
        "强制性标准不达标限期整改情况的公示",
    ),
    (Category.compliant, CaseAction.publish): PublishingStep(
        "publicity",
        "publicity",
        (
            *_publicity_fields(Category.compliant, CaseState.confirmed),
            *machine.COMPLIANT_CONFIRMATION,
        ),
        "合法合规且强制性标准达标企业的公示",
    ),
    (Category.illegal, CaseAction.announce): PublishingStep(
        "announcement",
        "announcement",
        (
            *machine.ILLEGAL_PUBLICITY,
            *_COMPLETION[Category.illegal],
            *machine.ACCEPTANCE,
        ),
        "违法违规建设生产处置完成情况的公告",
    ),
    (Category.elimination, CaseAction.announce): PublishingStep(
        "announcement",
        "announcement",
        (
            *_publicity_fields(Category.elimination, CaseState.draft),
            *_COMPLETION[Category.elimination],
            *machine.ACCEPTANCE,
        ),
        "淘汰类装备（生产线）退出完成情况的公告",
    ),
    (Category.forced_exit, CaseAction.announce): PublishingStep(
        "announcement",
        "announcement",
        (*_FORCED_EXIT_PUBLIC_GROUNDS, *machine.DECISION),
        "依法关停退出的公告",
    ),
    (Category.forced_exit, CaseAction.announce_completion): PublishingStep(
        "announcement",
        "completion_announcement",
        (
            *_FORCED_EXIT_PUBLIC_GROUNDS,
            *machine.DECISION,
            *machine.CLOSURE_REPORT,
            *machine.ACCEPTANCE,
        ),
        "依法关停退出完成情况的公告",
    ),
}


def publishing_step(category: Category, action: CaseAction) -> PublishingStep | None:
    return PUBLISHING_STEPS.get((category, action))


def snapshot(step: PublishingStep, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The step's fields as the case holds them now (absent ones left out)."""
    return {f: payload[f] for f in dict.fromkeys(step.fields) if payload.get(f) is not None}
