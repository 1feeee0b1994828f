"""The lifecycle of a case in each of the five disclosure categories, as data.

Pure domain: no HTTP, no database. One table, `TRANSITIONS`, is the only description of
a step: for each category, state and action which state follows, who may take the
action (roles, department kinds, and the parts the department must have in the case),
which payload fields it needs, which guard must hold, and which effects follow (the
notice it publishes, the date it records, the credit push it makes, ...). `Effect` and
`Guard` are enums, each with exactly one handler (`case.guards`; effects: `case.effects`
for the case's own, `flows.effects` for the cross-domain ones, assembled and checked
there). `transition` checks a request against the table and raises a typed error the
API renders as 409 (`invalid_transition`, `guard_failed`), 403 (`action_forbidden`) or
422 (`missing_fields`).

The order of the checks is fixed: the action must exist in the state (409), then the
caller's roles (403), then the department kind (403), then the payload (422), then the
guard (409). Whether the department has the row's part in the case (`parties`), and
whether the case is in the caller's jurisdiction, the service checks against the case.

Who pushes a case to the credit platforms by hand is the second table, `case.pushers`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.roles import Role
from capacity_exit.case.step_fields import (
    ACCEPTANCE,
    CLOSURE_REPORT,
    COMPLIANT_CONFIRMATION,
    COMPLIANT_PUBLICITY,
    DECISION,
    ELIMINATION_COMPLETION_REPORT,
    ELIMINATION_PUBLICITY,
    FORCED_EXIT_GROUNDS,
    ILLEGAL_COMPLETION_REPORT,
    ILLEGAL_PUBLICITY,
    REASON,
    RECTIFICATION_PUBLICITY,
    RECTIFICATION_REPORT,
    REFUSAL,
    REINSPECTION,
)
from capacity_exit.core.errors import Conflict, Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.org.schemas import DepartmentKind


class Category(StrEnum):
    illegal = "illegal"  # 违法违规: 一(一)1
    elimination = "elimination"  # 淘汰类: 一(一)2
    rectification = "rectification"  # 限期整改: 一(一)3
    forced_exit = "forced_exit"  # 依法关停退出: 一(一)4
    compliant = "compliant"  # 合规: 一(一)5


class CaseState(StrEnum):
    draft = "draft"
    proposed = "proposed"
    publicized = "publicized"
    completion_reported = "completion_reported"
    accepted = "accepted"
    announced = "announced"
    rectification_reported = "rectification_reported"
    reinspected_compliant = "reinspected_compliant"
    closed = "closed"
    escalated = "escalated"
    decided = "decided"
    closure_completed = "closure_completed"
    closure_accepted = "closure_accepted"
    completion_announced = "completion_announced"
    confirmed = "confirmed"
    revoked = "revoked"
    withdrawn = "withdrawn"


class CaseAction(StrEnum):
    publish = "publish"
    report_completion = "report_completion"
    accept = "accept"
    reject_acceptance = "reject_acceptance"
    announce = "announce"
    report_rectification = "report_rectification"
    record_reinspection_pass = "record_reinspection_pass"  # noqa: S105
    record_reinspection_fail = "record_reinspection_fail"
    record_refusal = "record_refusal"
    close = "close"
    decide = "decide"
    report_closure = "report_closure"
    announce_completion = "announce_completion"
    confirm = "confirm"
    revoke = "revoke"
    withdraw = "withdraw"


class Guard(StrEnum):
    """A named precondition of a step, beyond its payload (`case.guards` evaluates it)."""

    # 一(一)5: the standards department (市场监管) and the approval department (发改) confirm.
    all_confirmations_present = "all_confirmations_present"
    # A failed re-inspection escalates an enterprise that did not rectify in time (逾期未整改)
    # or still fails after reporting its rectification (整改后仍不达标): before the deadline,
    # one that has reported nothing still has time.
    rectification_deadline_passed = "rectification_deadline_passed"


class Effect(StrEnum):
    """What follows a step, in the same unit of work as its state change."""

    # The case's own (handled in `case.effects`):
    record_milestone = "record_milestone"  # sets the row's `milestone` date column
    restart_wait = "restart_wait"  # a new completion deadline: the report starts over
    record_closing_reason = "record_closing_reason"  # the case ends with the request's reason
    open_forced_exit = "open_forced_exit"  # escalation opens a forced exit (一(一)3 → 4)
    # Across domains (handled in `flows.effects`):
    publish_notice = "publish_notice"  # the row's `notice` (一(一))
    withdraw_notices = "withdraw_notices"  # the case's current notices, with its reason
    credit_listing = "credit_listing"  # 一(二): pushed to the credit platforms
    credit_repair = "credit_repair"  # 一(二): an accepted completion lifts its listing (信用修复)
    credit_withdrawal = "credit_withdrawal"  # 一(二): the case ended, its listing withdrawn


class Party(StrEnum):
    """A department by the part it has in a case, rather than by its kind."""

    owner = "owner"  # the case's own department (a forced exit's: the deciding government)
    involved = "involved"  # a department the case names in `involved_departments`


# The case deadline a notice answers (`case.deadlines` computes them).
Purpose = Literal["publicity", "completion", "announcement", "completion_announcement"]


@dataclass(frozen=True, slots=True)
class Notice:
    """The notice a step publishes (`Effect.publish_notice`)."""

    kind: Literal["publicity", "announcement"]
    deadline: Purpose  # the case deadline the notice answers
    fields: tuple[str, ...]  # the content it freezes, in order
    title: str  # the notice's subject, after the enterprise's name


@dataclass(frozen=True, slots=True)
class Milestone:
    """The date column a step sets (`Effect.record_milestone`): from the payload field
    `source` the request carries, or (None) the day the step is taken."""

    column: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed step: `action` takes a `category` case from `state` to `next_state`."""

    category: Category
    state: CaseState
    action: CaseAction
    next_state: CaseState
    roles: frozenset[Role]  # any one of them suffices
    department_kinds: frozenset[DepartmentKind] | None  # None: any department
    required_fields: tuple[str, ...]
    guard: Guard | None  # a named precondition that must hold
    effects: tuple[Effect, ...]  # what follows, in the same unit of work
    # Required fields the request itself must carry (a date or reason recorded by this
    # step), rather than content the case already holds from its draft.
    fresh_fields: tuple[str, ...] = ()
    # The parts in the case the caller's department must have (any one suffices).
    parties: tuple[Party, ...] = (Party.owner,)
    notice: Notice | None = None  # what `Effect.publish_notice` publishes
    milestone: Milestone | None = None  # what `Effect.record_milestone` records


# --- errors -------------------------------------------------------------------------------


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "Action not allowed in this state"

    def __init__(self, category: Category, state: CaseState, action: CaseAction) -> None:
        super().__init__(
            f"A {category} case in state {state} does not allow {action}.",
            extra={"category": str(category), "state": str(state), "action": str(action)},
        )
        self.category, self.state, self.action = category, state, action


class ActionForbidden(Forbidden):
    code, title = "action_forbidden", "Action not allowed for the caller"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingFields(Unprocessable):
    code, title = "missing_fields", "Required fields missing"

    def __init__(self, fields: tuple[str, ...], action: CaseAction | str = "act") -> None:
        super().__init__(
            f"Missing to {action}: {', '.join(fields)}.",
            errors=[
                FieldProblem(pointer=f"/{f}", detail=f"required to {action}", code="missing_field")
                for f in fields
            ],
        )
        self.fields, self.action = fields, action


class GuardFailed(Conflict):
    code, title = "guard_failed", "Precondition of the action not met"

    def __init__(self, guard: Guard) -> None:
        super().__init__(f"The precondition {guard} does not hold.", extra={"guard": guard})
        self.guard = guard


# --- who ----------------------------------------------------------------------------------

K, S, A = DepartmentKind, CaseState, CaseAction  # short names for the table
# The member units that may publish an illegal-conduct case (一(一)1).
ILLEGAL_KINDS = frozenset(
    {K.drc, K.miit, K.natres, K.ecoenv, K.emergency, K.market, K.tax, K.finance}
)
ELIMINATION_KINDS = frozenset({K.miit, K.drc})
RECTIFICATION_KINDS = frozenset({K.ecoenv, K.emergency, K.market, K.energy})
GOV_KINDS = frozenset({K.gov})
LEAD_KINDS = frozenset({K.miit})  # the lead department (工信)

OFFICER = frozenset({Role.officer})  # 经办: recording actions (report_*, record_*)
APPROVER = frozenset({Role.approver})  # 审核签发: publish, accept, announce, decide, ...
APPROVER_OR_LEAD = frozenset({Role.approver, Role.lead})
# viewer reads and admin administers accounts and reference data: neither takes any action.

# 一(一)5: the standards department (市场监管) and the approval department (发改) confirm.
CONFIRMING_KINDS = frozenset({K.market, K.drc})

INITIAL_STATE: dict[Category, CaseState] = {
    Category.illegal: CaseState.draft,
    Category.elimination: CaseState.draft,
    Category.rectification: CaseState.draft,
    Category.forced_exit: CaseState.proposed,
    Category.compliant: CaseState.draft,
}

# `announced` ends an illegal or elimination case but not a forced-exit one, so terminal
# states are per category.
TERMINAL_STATES: dict[Category, frozenset[CaseState]] = {
    Category.illegal: frozenset({CaseState.announced, CaseState.withdrawn}),
    Category.elimination: frozenset({CaseState.announced, CaseState.withdrawn}),
    Category.rectification: frozenset({CaseState.closed, CaseState.escalated, CaseState.withdrawn}),
    Category.forced_exit: frozenset({CaseState.completion_announced, CaseState.withdrawn}),
    Category.compliant: frozenset({CaseState.revoked, CaseState.withdrawn}),
}

# The kinds of department that own (create and act on) a case of each category; an
# approver of the owning department withdraws it.
OWNER_KINDS: dict[Category, frozenset[DepartmentKind]] = {
    Category.illegal: ILLEGAL_KINDS,
    Category.elimination: ELIMINATION_KINDS,
    Category.rectification: RECTIFICATION_KINDS,
    Category.forced_exit: GOV_KINDS,  # the government decided it; only it withdraws it
    Category.compliant: LEAD_KINDS,
}


# --- what a step publishes and records ----------------------------------------------------

# The grounds a forced-exit notice states; the rectification case it came from is an
# internal record (its UUID means nothing to a reader), linked in the case, not published.
FORCED_EXIT_PUBLIC_GROUNDS = tuple(f for f in FORCED_EXIT_GROUNDS if f != "rectification_case_id")
PUBLISHED_ON = Milestone("published_on")
ANNOUNCED_ON = Milestone("announced_on")
ACCEPTED_ON = Milestone("accepted_on", "acceptance_date")
E = Effect
PUBLISHING = (E.record_milestone, E.publish_notice)
# A listed case withdrawn or revoked takes its listing off the credit platforms, and its
# current notices are withdrawn with its reason.
CLOSING = (E.record_closing_reason, E.credit_withdrawal, E.withdraw_notices)


def _build() -> dict[tuple[Category, CaseState, CaseAction], Transition]:
    rows: list[Transition] = []

    def add(
        category: Category,
        state: CaseState,
        action: CaseAction,
        next_state: CaseState,
        roles: frozenset[Role],
        kinds: frozenset[DepartmentKind] | None,
        fields: tuple[str, ...] = (),
        *,
        guard: Guard | None = None,
        effects: tuple[Effect, ...] = (),
        fresh: tuple[str, ...] = (),
        parties: tuple[Party, ...] = (Party.owner,),
        notice: Notice | None = None,
        milestone: Milestone | None = None,
    ) -> None:
        if (E.publish_notice in effects) != (notice is not None):
            raise RuntimeError(f"{category} {action}: publish_notice and its notice go together")
        if (E.record_milestone in effects) != (milestone is not None):
            raise RuntimeError(f"{category} {action}: record_milestone and its date go together")
        rows.append(
            Transition(
                category,
                state,
                action,
                next_state,
                roles,
                kinds,
                fields,
                guard,
                effects,
                fresh,
                parties,
                notice,
                milestone,
            )
        )

    # 一(一)1 illegal and 一(一)2 elimination share one lifecycle. Every step is taken by
    # the category's publishing departments: the acceptance (属地验收) is organized by the
    # responsible department of the case's own jurisdiction, which the service checks.
    for category, kinds, publicity, report, titles in (
        (Category.illegal, ILLEGAL_KINDS, ILLEGAL_PUBLICITY, ILLEGAL_COMPLETION_REPORT,
         ("违法违规建设生产情况的公示", "违法违规建设生产处置完成情况的公告")),
        (Category.elimination, ELIMINATION_KINDS, ELIMINATION_PUBLICITY,
         ELIMINATION_COMPLETION_REPORT,
         ("淘汰类装备（生产线）退出情况的公示", "淘汰类装备（生产线）退出完成情况的公告")),
    ):  # fmt: skip
        add(category, S.draft, A.publish, S.publicized, APPROVER, kinds, publicity,
            effects=PUBLISHING, milestone=PUBLISHED_ON,
            notice=Notice("publicity", "publicity", publicity, titles[0]))  # fmt: skip
        add(category, S.publicized, A.report_completion, S.completion_reported, OFFICER, kinds,
            report, fresh=report, effects=(E.record_milestone,),
            milestone=Milestone("completed_on", "completion_date"))  # fmt: skip
        # An accepted completion withdraws a credit listing the case had (信用修复).
        add(category, S.completion_reported, A.accept, S.accepted, APPROVER, kinds, ACCEPTANCE,
            effects=(E.record_milestone, E.credit_repair), fresh=ACCEPTANCE,
            milestone=ACCEPTED_ON)  # fmt: skip
        # Rejected acceptance: back to publicity with a new completion deadline.
        rejection = ("reason", "completion_deadline")
        add(category, S.completion_reported, A.reject_acceptance, S.publicized, APPROVER, kinds,
            rejection, fresh=rejection, effects=(E.restart_wait,))  # fmt: skip
        add(category, S.accepted, A.announce, S.announced, APPROVER, kinds,
            effects=PUBLISHING, milestone=ANNOUNCED_ON,
            notice=Notice("announcement", "announcement", (*publicity, *report, *ACCEPTANCE),
                          titles[1]))  # fmt: skip

    # 一(一)3 rectification: the inspecting departments act throughout. Refusal or a failed
    # reinspection escalates the case, which opens a linked forced-exit case.
    c, kinds = Category.rectification, RECTIFICATION_KINDS
    DEADLINE_PASSED = Guard.rectification_deadline_passed  # noqa: N806
    add(c, S.draft, A.publish, S.publicized, APPROVER, kinds, RECTIFICATION_PUBLICITY,
        effects=PUBLISHING, milestone=PUBLISHED_ON,
        notice=Notice("publicity", "publicity", RECTIFICATION_PUBLICITY,
                      "强制性标准不达标限期整改情况的公示"))  # fmt: skip
    add(c, S.publicized, A.report_rectification, S.rectification_reported, OFFICER, kinds,
        RECTIFICATION_REPORT, fresh=RECTIFICATION_REPORT, effects=(E.record_milestone,),
        milestone=Milestone("completed_on", "rectification_date"))  # fmt: skip
    add(c, S.rectification_reported, A.record_reinspection_pass, S.reinspected_compliant,
        OFFICER, kinds, REINSPECTION, fresh=REINSPECTION)  # fmt: skip
    add(c, S.reinspected_compliant, A.close, S.closed, APPROVER, kinds)
    for state in (S.publicized, S.rectification_reported):
        add(c, state, A.record_refusal, S.escalated, OFFICER, kinds, REFUSAL,
            effects=(E.open_forced_exit, E.credit_listing), fresh=REFUSAL)  # fmt: skip
        add(c, state, A.record_reinspection_fail, S.escalated, OFFICER, kinds, REINSPECTION,
            effects=(E.open_forced_exit, E.credit_listing), fresh=REINSPECTION,
            guard=DEADLINE_PASSED if state == S.publicized else None)  # fmt: skip

    # 一(一)4 forced exit: the government decides, announces and accepts. The closure
    # itself is carried out by whichever departments the decision involves, so an officer
    # of the government or of an involved department, of any kind, records it.
    c = Category.forced_exit
    add(c, S.proposed, A.decide, S.decided, APPROVER, GOV_KINDS, (*FORCED_EXIT_GROUNDS, *DECISION),
        effects=(E.record_milestone, E.credit_listing), fresh=DECISION,
        milestone=Milestone("decided_on", "decision_date"))  # fmt: skip
    add(c, S.decided, A.announce, S.announced, APPROVER, GOV_KINDS,
        effects=PUBLISHING, milestone=ANNOUNCED_ON,
        notice=Notice("announcement", "announcement", (*FORCED_EXIT_PUBLIC_GROUNDS, *DECISION),
                      "依法关停退出的公告"))  # fmt: skip
    add(c, S.announced, A.report_closure, S.closure_completed, OFFICER, None, CLOSURE_REPORT,
        fresh=CLOSURE_REPORT, parties=(Party.owner, Party.involved), effects=(E.record_milestone,),
        milestone=Milestone("completed_on", "closure_date"))  # fmt: skip
    add(c, S.closure_completed, A.accept, S.closure_accepted, APPROVER, GOV_KINDS, ACCEPTANCE,
        fresh=ACCEPTANCE, effects=(E.record_milestone,), milestone=ACCEPTED_ON)  # fmt: skip
    add(c, S.closure_accepted, A.announce_completion, S.completion_announced, APPROVER,
        GOV_KINDS, effects=PUBLISHING, milestone=Milestone("completion_announced_on"),
        notice=Notice("announcement", "completion_announcement",
                      (*FORCED_EXIT_PUBLIC_GROUNDS, *DECISION, *CLOSURE_REPORT, *ACCEPTANCE),
                      "依法关停退出完成情况的公告"))  # fmt: skip

    # 一(一)5 compliant: the lead department confirms once every required department has
    # (a guard the service evaluates), then publishes; revoking is the lead's too.
    c = Category.compliant
    # What is confirmed is what will be published: the content is complete at confirmation.
    add(c, S.draft, A.confirm, S.confirmed, APPROVER_OR_LEAD, LEAD_KINDS,
        (*COMPLIANT_PUBLICITY, *COMPLIANT_CONFIRMATION),
        guard=Guard.all_confirmations_present)  # fmt: skip
    add(c, S.confirmed, A.publish, S.publicized, APPROVER_OR_LEAD, LEAD_KINDS,
        COMPLIANT_PUBLICITY, effects=PUBLISHING, milestone=PUBLISHED_ON,
        notice=Notice("publicity", "publicity", (*COMPLIANT_PUBLICITY, *COMPLIANT_CONFIRMATION),
                      "合法合规且强制性标准达标企业的公示"))  # fmt: skip
    add(c, S.publicized, A.revoke, S.revoked, APPROVER, LEAD_KINDS, REASON,
        effects=CLOSING, fresh=REASON)  # fmt: skip

    # Every case can be withdrawn with a reason, from any state but its initial one (a
    # draft or proposal is simply edited) and its terminal ones.
    for category in Category:
        seen = dict.fromkeys(
            s for t in rows if t.category == category for s in (t.state, t.next_state)
        )
        for state in seen:
            if state == INITIAL_STATE[category] or state in TERMINAL_STATES[category]:
                continue
            add(category, state, A.withdraw, S.withdrawn, APPROVER, OWNER_KINDS[category],
                REASON, effects=CLOSING, fresh=REASON)  # fmt: skip

    table: dict[tuple[Category, CaseState, CaseAction], Transition] = {}
    publishing: set[tuple[Category, CaseAction]] = set()
    for row in rows:
        key = (row.category, row.state, row.action)
        if key in table:
            raise RuntimeError(f"duplicate transition {key}")
        table[key] = row
        if row.notice is not None:  # a notice knows its step by category and action
            if (row.category, row.action) in publishing:
                raise RuntimeError(f"two notices of {row.category} {row.action}")
            publishing.add((row.category, row.action))
    return table


TRANSITIONS: dict[tuple[Category, CaseState, CaseAction], Transition] = _build()
# Which notice each publishing step publishes, read off the table (for a notice's
# correction and its document, which know the step by its category and action).
NOTICES: dict[tuple[Category, CaseAction], Notice] = {
    (row.category, row.action): row.notice for row in TRANSITIONS.values() if row.notice
}


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def _forbidden_reason(
    rule: Transition, roles: Iterable[Role], department_kind: DepartmentKind
) -> str | None:
    if rule.roles.isdisjoint(roles):
        needed = " or ".join(sorted(rule.roles))
        return f"Only the role {needed} may {rule.action} a {rule.category} case."
    if rule.department_kinds is not None and department_kind not in rule.department_kinds:
        kinds = ", ".join(sorted(rule.department_kinds))
        return (
            f"A {department_kind} department may not {rule.action} a {rule.category} case"
            f" (allowed: {kinds})."
        )
    return None


def check_caller(rule: Transition, roles: Iterable[Role], department_kind: DepartmentKind) -> None:
    """The 403 of `transition` on its own: for a service that must refuse the caller
    before it even reads the request's payload."""
    reason = _forbidden_reason(rule, roles, department_kind)
    if reason is not None:
        raise ActionForbidden(reason)


def transition(
    category: Category,
    state: CaseState,
    action: CaseAction,
    *,
    roles: frozenset[Role],
    department_kind: DepartmentKind,
    payload: Mapping[str, object],
    guards_passed: frozenset[Guard] = frozenset(),
    request_fields: Collection[str] | None = None,
    nested_missing: Callable[[tuple[str, ...]], Sequence[str]] | None = None,
    skip_caller_check: bool = False,
) -> Transition:
    """The transition `action` makes from `state`, once every check has passed.

    `skip_caller_check`: only for a step that follows from another one which already
    checked its caller (a notice's withdrawal withdrawing its case); the roles and
    department kind are then not judged, everything else is.

    `payload` is what the case would hold after the step: its stored content with the
    request's fields applied. A required field is missing when it is absent, null, a
    blank string or an empty collection there, or when it is one of the rule's
    `fresh_fields` and `request_fields` (the names the request carries; None: do not
    check) lacks it. `nested_missing` names, as paths such as `items/0/name`, the
    required sub-fields lacking in the required fields that are present.
    """
    rule = TRANSITIONS.get((category, state, action))
    if rule is None:
        raise InvalidTransition(category, state, action)
    reason = None if skip_caller_check else _forbidden_reason(rule, roles, department_kind)
    if reason is not None:
        raise ActionForbidden(reason)
    missing = tuple(
        f
        for f in rule.required_fields
        if _is_blank(payload.get(f))
        or (request_fields is not None and f in rule.fresh_fields and f not in request_fields)
    )
    if nested_missing is not None:
        missing += tuple(nested_missing(rule.required_fields))
    if missing:
        raise MissingFields(missing, action)
    if rule.guard is not None and rule.guard not in guards_passed:
        raise GuardFailed(rule.guard)
    return rule


def allowed_actions(
    category: Category,
    state: CaseState,
    roles: frozenset[Role],
    department_kind: DepartmentKind,
) -> list[CaseAction]:
    """The actions these roles in this kind of department may take now, in table order.

    Payload and guards are not considered: they depend on the request.
    """
    return [
        rule.action
        for (c, s, _), rule in TRANSITIONS.items()
        if c == category and s == state and _forbidden_reason(rule, roles, department_kind) is None
    ]


def lifecycle(category: Category) -> list[Transition]:
    """Every transition of the category, in table order."""
    return [rule for rule in TRANSITIONS.values() if rule.category == category]


def states(category: Category) -> list[CaseState]:
    """Every state a case of the category can be in, initial state first."""
    found = dict.fromkeys([INITIAL_STATE[category]])
    for rule in lifecycle(category):
        found.update(dict.fromkeys((rule.state, rule.next_state)))
    return list(found)


def party_departments(
    parties: Iterable[Party], owner: str, content: Mapping[str, object]
) -> frozenset[str]:
    """The department codes that have these parts in a case of `owner` with `content`."""
    found: set[str] = set()
    for party in parties:
        if party is Party.owner:
            found.add(owner)
        elif party is Party.involved:
            involved = content.get("involved_departments")
            if isinstance(involved, list | tuple):
                found.update(str(code) for code in involved)
    return frozenset(found)
