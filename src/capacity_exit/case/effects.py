"""The effects of the transition table (`machine.Effect`): what a step's handlers are
given, the two kinds of handler, the registry that holds exactly one per effect, and
the handlers of the case's own effects.

A *write* adds columns to the step's one conditional update (the date it records, the
reason it closes with); a *follow-up* runs after that update, in the same transaction,
and returns what the step's history event notes of it (the credit pushes it made).
The cross-domain handlers live in `flows.effects`, which assembles the registry with
`registry()`: an effect without a handler, or with two, fails there, at import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case import escalation
from capacity_exit.case.machine import Effect, Transition
from capacity_exit.case.models import Case


@dataclass(frozen=True)
class Step:
    """A step being taken, as its effects' handlers see it."""

    session: AsyncSession
    case: Case  # refreshed by the write: follow-ups see the case after the step
    rule: Transition
    content: dict[str, Any]  # the case's content after the step
    reason: str | None
    today: dt.date
    publicity_working_days: int | None = None
    batch_id: uuid.UUID | None = None  # the concentrated publication its notice joins


Write = Callable[[Step], dict[str, Any]]
FollowUp = Callable[[Step], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Handlers:
    """Handlers of some effects (one domain's part of the registry)."""

    writes: Mapping[Effect, Write] = field(default_factory=dict)
    follow_ups: Mapping[Effect, FollowUp] = field(default_factory=dict)


class UnhandledEffect(RuntimeError):
    """The registry lacks a handler for an effect, or holds two for one."""


@dataclass(frozen=True)
class EffectRegistry:
    """Exactly one handler for every effect; only `registry()` makes one."""

    writes: Mapping[Effect, Write]
    follow_ups: Mapping[Effect, FollowUp]

    def values(self, step: Step) -> dict[str, Any]:
        """The columns the step's write handlers set, in the row's order."""
        found: dict[str, Any] = {}
        for effect in step.rule.effects:
            if effect in self.writes:
                found.update(self.writes[effect](step))
        return found

    async def follow_up(self, step: Step) -> dict[str, Any]:
        """Run the step's follow-ups in the row's order; what its history notes of them."""
        notes: dict[str, Any] = {}
        for effect in step.rule.effects:
            if effect in self.follow_ups:
                notes.update(await self.follow_ups[effect](step))
        return notes


def registry(*parts: Handlers) -> EffectRegistry:
    """The registry of `parts`, checked to hold exactly one handler for every `Effect`."""
    writes: dict[Effect, Write] = {}
    follow_ups: dict[Effect, FollowUp] = {}
    seen: list[Effect] = []
    for part in parts:
        writes.update(part.writes)
        follow_ups.update(part.follow_ups)
        seen += [*part.writes, *part.follow_ups]
    twice = sorted({e for e in seen if seen.count(e) > 1})
    if twice:
        raise UnhandledEffect(f"effects with more than one handler: {', '.join(twice)}")
    missing = sorted(set(Effect) - set(seen))
    if missing:
        raise UnhandledEffect(f"effects without a handler: {', '.join(missing)}")
    return EffectRegistry(writes, follow_ups)


# --- the case's own effects ----------------------------------------------------------------


def _record_milestone(step: Step) -> dict[str, Any]:
    milestone = step.rule.milestone
    assert milestone is not None  # the table pairs the effect with its date (machine._build)
    if milestone.source is None:
        return {milestone.column: step.today}
    return {milestone.column: dt.date.fromisoformat(step.content[milestone.source])}


def _restart_wait(step: Step) -> dict[str, Any]:
    """A rejected acceptance sets a new deadline: the next report meets it, and the case
    is not overdue until it passes (`overdue_since` stays as the record of the first)."""
    return {"completed_on": None, "overdue": False}


def _record_closing_reason(step: Step) -> dict[str, Any]:
    return {"closing_reason": step.reason}


async def _open_forced_exit(step: Step) -> dict[str, Any]:
    await escalation.open_forced_exit(step.session, step.case, step.rule.action)
    return {}


HANDLERS = Handlers(
    writes={
        Effect.record_milestone: _record_milestone,
        Effect.restart_wait: _restart_wait,
        Effect.record_closing_reason: _record_closing_reason,
    },
    follow_ups={Effect.open_forced_exit: _open_forced_exit},
)
