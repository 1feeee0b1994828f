"""Which case steps publish a notice, of which kind, and exactly what it shows.

Pure domain. The fields are the transition table's own (`case.machine`), so a notice
carries what the step required, nothing the draft merely happens to hold.

A case names departments by code; its notice names each as `{"code", "name"}`, with the
name the department had when the notice was published (`snapshot`), so a later rename in
the reference data leaves the public record as it was. `case_content` turns a notice's
content back into the case's terms (codes), as corrections need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from capacity_exit.case import machine
from capacity_exit.case.deadlines import Purpose
from capacity_exit.case.machine import CaseAction, CaseState, Category
from capacity_exit.disclosure.models import DisclosureKind


@dataclass(frozen=True)
class PublishingStep:
    kind: DisclosureKind
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
        DisclosureKind.publicity,
        "publicity",
        _publicity_fields(Category.illegal, CaseState.draft),
        "违法违规建设生产情况的公示",
    ),
    (Category.elimination, CaseAction.publish): PublishingStep(
        DisclosureKind.publicity,
        "publicity",
        _publicity_fields(Category.elimination, CaseState.draft),
        "淘汰类装备（生产线）退出情况的公示",
    ),
    (Category.rectification, CaseAction.publish): PublishingStep(
        DisclosureKind.publicity,
        "publicity",
        _publicity_fields(Category.rectification, CaseState.draft),
        "强制性标准不达标限期整改情况的公示",
    ),
    (Category.compliant, CaseAction.publish): PublishingStep(
        DisclosureKind.publicity,
        "publicity",
        (
            *_publicity_fields(Category.compliant, CaseState.confirmed),
            *machine.COMPLIANT_CONFIRMATION,
        ),
        "合法合规且强制性标准达标企业的公示",
    ),
    (Category.illegal, CaseAction.announce): PublishingStep(
        DisclosureKind.announcement,
        "announcement",
        (
            *machine.ILLEGAL_PUBLICITY,
            *_COMPLETION[Category.illegal],
            *machine.ACCEPTANCE,
        ),
        "违法违规建设生产处置完成情况的公告",
    ),
    (Category.elimination, CaseAction.announce): PublishingStep(
        DisclosureKind.announcement,
        "announcement",
        (
            *_publicity_fields(Category.elimination, CaseState.draft),
            *_COMPLETION[Category.elimination],
            *machine.ACCEPTANCE,
        ),
        "淘汰类装备（生产线）退出完成情况的公告",
    ),
    (Category.forced_exit, CaseAction.announce): PublishingStep(
        DisclosureKind.announcement,
        "announcement",
        (*_FORCED_EXIT_PUBLIC_GROUNDS, *machine.DECISION),
        "依法关停退出的公告",
    ),
    (Category.forced_exit, CaseAction.announce_completion): PublishingStep(
        DisclosureKind.announcement,
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


# Where a category's content names departments: lists of codes, and list items with a
# code field (`tests/disclosure/test_department_names.py` holds this to the payload models).
DEPARTMENT_LISTS = ("responsible_departments", "involved_departments")
DEPARTMENT_ITEMS = {"confirmations": "department"}  # list field: the item's code field


def _map_departments(content: Mapping[str, Any], each: Callable[[Any], Any]) -> dict[str, Any]:
    """The content with `each` applied to every department reference in it."""
    mapped = dict(content)
    for field in DEPARTMENT_LISTS:
        if isinstance(mapped.get(field), list):
            mapped[field] = [each(ref) for ref in mapped[field]]
    for field, sub in DEPARTMENT_ITEMS.items():
        if isinstance(mapped.get(field), list):
            mapped[field] = [
                {**item, sub: each(item[sub])} if isinstance(item, dict) and sub in item else item
                for item in mapped[field]
            ]
    return mapped


def department_codes(content: Mapping[str, Any]) -> list[str]:
    """Every department the content names (by code, or as `{"code", "name"}`), once each."""
    found: list[str] = []

    def collect(ref: Any) -> Any:
        found.append(ref["code"] if isinstance(ref, dict) else ref)
        return ref

    _map_departments(content, collect)
    return list(dict.fromkeys(found))


def department_names(content: Mapping[str, Any]) -> dict[str, str]:
    """The names a notice's content gives its departments, by code."""
    names: dict[str, str] = {}

    def collect(ref: Any) -> Any:
        if isinstance(ref, dict):
            names[ref["code"]] = ref["name"]
        return ref

    _map_departments(content, collect)
    return names


def case_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """A notice's content in the case's terms: each department by its code."""
    return _map_departments(content, lambda ref: ref["code"] if isinstance(ref, dict) else ref)


def snapshot(
    step: PublishingStep, payload: Mapping[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """The step's fields as the case holds them now (absent ones left out), each
    department as `{"code", "name"}` with its name from `names` (by code)."""
    fields = {f: payload[f] for f in dict.fromkeys(step.fields) if payload.get(f) is not None}
    return _map_departments(fields, lambda code: {"code": code, "name": names[code]})
