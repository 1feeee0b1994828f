"""The lifecycle of a report, as data (like `case.machine`).

One table, `TRANSITIONS`, is the only description of a step: from which state an
action leads to which, who takes it (the party: the lead department that triages, the
handling departments that investigate, or the reporter holding the receipt; and for
departments the roles), which fields the request must carry, which guard must hold,
and which effects follow. `transition` checks a request against the table in a fixed
order: the action must exist in the state (409 `invalid_transition`), then the party
(403 `action_forbidden`), then the roles (403), then the fields (422
`missing_fields`), then the guard (409 `guard_failed`). Whether the caller's
department is the report's lead or one of its handlers the service decides
(`ReportParty`), and passes in.

Roles mirror the cases': an `officer` records (accepts, assigns, starts the
investigation); an `approver` signs what answers the reporter or ends the matter
(rejects, concludes, closes, decides an objection); `lead` has both powers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.roles import Role
from capacity_exit.core.errors import Conflict, Unprocessable
from capacity_exit.core.problems import FieldProblem


class ReportCategory(StrEnum):
    should_inspect = "should_inspect"  # 应查未查
    should_rectify = "should_rectify"  # 应改未改
    should_exit = "should_exit"  # 应退未退
    resurgence = "resurgence"  # 死灰复燃
    fraud = "fraud"  # 弄虚作假
    lax_approval = "lax_approval"  # 审批备案把关不严
    other = "other"


class ReportState(StrEnum):
    received = "received"
    accepted = "accepted"
    rejected = "rejected"
    assigned = "assigned"
    investigating = "investigating"
    concluded = "concluded"
    closed = "closed"
    reopened = "reopened"


class ReportAction(StrEnum):
    accept = "accept"
    reject = "reject"
    assign = "assign"
    start_investigation = "start_investigation"
    conclude = "conclude"
    close = "close"
    object = "object"  # the reporter's single objection
    reassign = "reassign"  # the lead upholds an objection: investigated again


class RejectionReason(StrEnum):
    out_of_scope = "out_of_scope"  # 不属于受理范围
    insufficient = "insufficient"  # 线索不足, not enough to act on
    duplicate = "duplicate"  # 重复举报: the same matter as another report
    linked = "linked"  # 并案: handled with another report


# The reasons that name the other report (`related_report_id`).
NAMES_OTHER_REPORT = frozenset({RejectionReason.duplicate, RejectionReason.linked})


class Result(StrEnum):
    substantiated = "substantiated"  # 属实
    partly_substantiated = "partly_substantiated"  # 部分属实
    unsubstantiated = "unsubstantiated"  # 不属实


class Satisfaction(StrEnum):
    satisfied = "satisfied"
    dissatisfied = "dissatisfied"


class ReportParty(StrEnum):
    """Who takes a step, by the part they have in the report."""

    lead = "lead"  # 牵头部门: 工信 (miit) of the report's county, or the city's
    handler = "handler"  # a handling department the lead assigned
    reporter = "reporter"  # whoever holds the receipt


class ReportGuard(StrEnum):
    # A concluded report closes once the reporter answered, or the objection window passed.
    answered_or_wait_passed = "answered_or_wait_passed"
    # The reporter objects once, and only when dissatisfied (or not yet asked).
    objection_unused = "objection_unused"


class ReportEffect(StrEnum):
    """What follows a step, in the same unit of work (`report.service` handles each)."""

    set_conclusion_due = "set_conclusion_due"  # M working days after acceptance
    set_review_due = "set_review_due"  # M working days after a reopened report's reassignment
    record_rejection = "record_rejection"
    record_handlers = "record_handlers"
    record_conclusion = "record_conclusion"
    record_closing = "record_closing"
    record_objection = "record_objection"


OFFICERS = frozenset({Role.officer, Role.approver, Role.lead})
SIGNERS = frozenset({Role.approver, Role.lead})


@dataclass(frozen=True, slots=True)
class Transition:
    state: ReportState
    action: ReportAction
    next_state: ReportState
    party: ReportParty
    roles: frozenset[Role]  # any one suffices; empty for the reporter (no token)
    required_fields: tuple[str, ...] = ()
    guard: ReportGuard | None = None
    effects: tuple[ReportEffect, ...] = ()
    public: bool = True  # whether the step is shown to the reporter (and later the public)


S, A = ReportState, ReportAction
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.received, A.accept, S.accepted, ReportParty.lead, OFFICERS,
               effects=(ReportEffect.set_conclusion_due,)),
    Transition(S.received, A.reject, S.rejected, ReportParty.lead, SIGNERS,
               required_fields=("rejection_reason", "public_text"),
               effects=(ReportEffect.record_rejection,)),
    Transition(S.accepted, A.assign, S.assigned, ReportParty.lead, OFFICERS,
               effects=(ReportEffect.record_handlers,)),
    Transition(S.assigned, A.start_investigation, S.investigating, ReportParty.handler, OFFICERS),
    Transition(S.investigating, A.conclude, S.concluded, ReportParty.handler, SIGNERS,
               required_fields=("result", "measures", "public_text"),
               effects=(ReportEffect.record_conclusion,)),
    Transition(S.concluded, A.close, S.closed, ReportParty.lead, SIGNERS,
               guard=ReportGuard.answered_or_wait_passed, effects=(ReportEffect.record_closing,)),
    Transition(S.concluded, A.object, S.reopened, ReportParty.reporter, frozenset(),
               required_fields=("text",), guard=ReportGuard.objection_unused,
               effects=(ReportEffect.record_objection,)),
    Transition(S.closed, A.object, S.reopened, ReportParty.reporter, frozenset(),
               required_fields=("text",), guard=ReportGuard.objection_unused,
               effects=(ReportEffect.record_objection,)),
    Transition(S.reopened, A.reassign, S.assigned, ReportParty.lead, SIGNERS,
               required_fields=("public_text",),
               effects=(ReportEffect.record_handlers, ReportEffect.set_review_due)),
    Transition(S.reopened, A.close, S.closed, ReportParty.lead, SIGNERS,
               required_fields=("public_text",), effects=(ReportEffect.record_closing,)),
)  # fmt: skip
del S, A

INITIAL_STATE = ReportState.received
TERMINAL_STATES = frozenset({ReportState.rejected})  # closed may still be objected to once
# The states in which the reporter may add information (not once it is decided).
OPEN_STATES = frozenset(
    {
        ReportState.received,
        ReportState.accepted,
        ReportState.assigned,
        ReportState.investigating,
        ReportState.reopened,
    }
)
# Where each deadline is still running: acceptance while received, conclusion until concluded.
AWAITING_ACCEPTANCE = frozenset({ReportState.received})
AWAITING_CONCLUSION = frozenset(
    {ReportState.accepted, ReportState.assigned, ReportState.investigating}
)

_BY_KEY: dict[tuple[ReportState, ReportAction], Transition] = {
    (t.state, t.action): t for t in TRANSITIONS
}
assert len(_BY_KEY) == len(TRANSITIONS), "one row per (state, action)"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "Action not allowed in this state"

    def __init__(self, state: ReportState, action: ReportAction) -> None:
        super().__init__(
            f"A report in state {state} does not allow {action}.",
            extra={"state": str(state), "action": str(action)},
        )


class ActionForbidden(Forbidden):
    code, title = "action_forbidden", "Action not allowed for the caller"


class MissingFields(Unprocessable):
    code, title = "missing_fields", "Fields required by this step are missing"

    def __init__(self, action: ReportAction, missing: Iterable[str]) -> None:
        names = list(missing)
        super().__init__(
            f"{action} needs: {', '.join(names)}.",
            errors=[
                FieldProblem(pointer=f"/{name}", detail="required by this step", code="missing")
                for name in names
            ],
        )


class ReportGuardFailed(Conflict):
    code, title = "guard_failed", "The step's precondition does not hold"

    def __init__(self, guard: ReportGuard, detail: str) -> None:
        super().__init__(detail, extra={"guard": str(guard)})


def find(state: ReportState, action: ReportAction) -> Transition | None:
    return _BY_KEY.get((state, action))


def transitions_from(state: ReportState) -> list[Transition]:
    return [t for t in TRANSITIONS if t.state == state]


def states() -> list[ReportState]:
    return list(ReportState)


GuardCheck = Mapping[ReportGuard, str | None]  # each guard's failure, or None when it holds


def transition(
    state: ReportState,
    action: ReportAction,
    *,
    parties: Collection[ReportParty],
    roles: Collection[Role],
    present: Collection[str],
    guards: GuardCheck,
) -> Transition:
    """The row for `action` in `state`, if the caller (`parties`, `roles`) may take it
    with the fields `present`; `guards` names each guard's failure (None: it holds)."""
    row = find(state, action)
    if row is None:
        raise InvalidTransition(state, action)
    if row.party not in parties:
        raise ActionForbidden(f"{action} is taken by the report's {row.party} department.")
    if row.party != ReportParty.reporter and not (row.roles & set(roles)):
        allowed = ", ".join(sorted(row.roles))
        raise ActionForbidden(f"{action} needs one of the roles: {allowed}.")
    missing = [f for f in row.required_fields if f not in present]
    if missing:
        raise MissingFields(action, missing)
    if row.guard is not None and (failure := guards.get(row.guard)) is not None:
        raise ReportGuardFailed(row.guard, failure)
    return row


def allowed_actions(
    state: ReportState, *, parties: Collection[ReportParty], roles: Collection[Role]
) -> list[ReportAction]:
    """What this caller could take now (guards and fields aside)."""
    return [
        t.action
        for t in transitions_from(state)
        if t.party in parties and t.party != ReportParty.reporter and t.roles & set(roles)
    ]
