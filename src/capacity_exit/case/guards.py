"""The named guards of the transition table (`machine.Guard`), one handler each.

A guard says whether a precondition of a step holds for the case as it would be after
the step; `transition` refuses the step (409 `guard_failed`) when it does not. The
registry is checked here, at import: a guard without its handler fails at start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from capacity_exit.case import machine
from capacity_exit.case.machine import Category, Guard
from capacity_exit.case.models import Case

GuardHandler = Callable[[Case, Mapping[str, Any], dt.date], bool]


def _all_confirmations_present(case: Case, content: Mapping[str, Any], today: dt.date) -> bool:
    """Confirmations count when they come from a department of the case's own
    jurisdiction (codes are `{division}-{kind}`, and every named department exists) and
    are dated no later than today."""
    confirmed_kinds = {
        item["department"].rsplit("-", 1)[-1]
        for item in content.get("confirmations") or []
        if item.get("department", "").startswith(f"{case.jurisdiction_code}-")
        and item.get("confirmed_on")
        and dt.date.fromisoformat(item["confirmed_on"]) <= today
    }
    return confirmed_kinds >= machine.CONFIRMING_KINDS


def _rectification_deadline_passed(case: Case, content: Mapping[str, Any], today: dt.date) -> bool:
    """From the day after the deadline: the deadline day itself is in time."""
    deadline = case.completion_deadline
    return case.category == Category.rectification and deadline is not None and deadline < today


def registry(handlers: Mapping[Guard, GuardHandler]) -> dict[Guard, GuardHandler]:
    """`handlers`, once it is checked to hold exactly one handler for every guard."""
    missing = sorted(set(Guard) - set(handlers))
    if missing:
        raise RuntimeError(f"guards without a handler: {', '.join(missing)}")
    return dict(handlers)


HANDLERS = registry(
    {
        Guard.all_confirmations_present: _all_confirmations_present,
        Guard.rectification_deadline_passed: _rectification_deadline_passed,
    }
)


def passed(case: Case, content: Mapping[str, Any], today: dt.date) -> frozenset[Guard]:
    """The guards that hold for `case` with `content` (the case after the step) today."""
    return frozenset(guard for guard, holds in HANDLERS.items() if holds(case, content, today))
