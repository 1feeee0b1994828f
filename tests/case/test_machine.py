"""The case lifecycles, walked through the table and `transition`, without HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import (
    INITIAL_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    ActionForbidden,
    CaseAction,
    CaseState,
    Category,
    Guard,
    GuardFailed,
    InvalidTransition,
    MissingFields,
    Transition,
    allowed_actions,
    lifecycle,
    states,
    transition,
)
from capacity_exit.org.schemas import DepartmentKind

CLAUSE = {
    Category.illegal: "一(一)1",
    Category.elimination: "一(一)2",
    Category.rectification: "一(一)3",
    Category.forced_exit: "一(一)4",
    Category.compliant: "一(一)5",
}
A, S = CaseAction, CaseState


def seeded(category: Category, *values: object, id: str) -> Any:
    """A parameter set marked with the clause its category proves."""
    return pytest.param(*values, marks=pytest.mark.seed(CLAUSE[category]), id=id)


def name(rule: Transition) -> str:
    return f"{rule.category}:{rule.state}:{rule.action}"


def kinds_of(rule: Transition) -> frozenset[DepartmentKind]:
    return rule.department_kinds if rule.department_kinds is not None else frozenset(DepartmentKind)


def full_payload(rule: Transition) -> dict[str, object]:
    return {field: f"{field} value" for field in rule.required_fields}


def guards(rule: Transition) -> frozenset[Guard]:
    return frozenset({rule.guard}) if rule.guard else frozenset()


def take(
    rule: Transition,
    *,
    role: Role | None = None,
    kind: DepartmentKind | None = None,
    payload: dict[str, object] | None = None,
    guards_passed: frozenset[Guard] | None = None,
) -> Transition:
    """Take `rule`'s action with a caller that passes every check unless told otherwise."""
    return transition(
        rule.category,
        rule.state,
        rule.action,
        roles=frozenset({role if role is not None else min(rule.roles)}),
        department_kind=kind if kind is not None else min(kinds_of(rule)),
        payload=full_payload(rule) if payload is None else payload,
        guards_passed=guards(rule) if guards_passed is None else guards_passed,
    )


def _allowed_callers() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        for role in sorted(rule.roles):
            for kind in sorted(kinds_of(rule)):
                yield seeded(rule.category, rule, role, kind, id=f"{name(rule)}:{role}:{kind}")


def _unlisted_roles() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        for role in sorted(set(Role) - rule.roles):
            yield seeded(rule.category, rule, role, id=f"{name(rule)}:{role}")


def _other_kinds() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        if rule.department_kinds is not None:
            for kind in sorted(set(DepartmentKind) - rule.department_kinds):
                yield seeded(rule.category, rule, kind, id=f"{name(rule)}:{kind}")


def _required_fields() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        for field in rule.required_fields:
            yield seeded(rule.category, rule, field, id=f"{name(rule)}:{field}")


def _guarded() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        if rule.guard is not None:
            yield seeded(rule.category, rule, id=name(rule))


def _absent_pairs() -> Iterator[Any]:
    for category in Category:
        for state in CaseState:
            for action in CaseAction:
                if (category, state, action) not in TRANSITIONS:
                    yield seeded(
                        category, category, state, action, id=f"{category}:{state}:{action}"
                    )


def _by_category() -> Iterator[Any]:
    for category in Category:
        yield seeded(category, category, id=str(category))


def _withdrawable() -> Iterator[Any]:
    for category in Category:
        for state in _OPEN[category]:
            yield seeded(category, category, state, id=f"{category}:{state}")


# The lifecycles as the issue states them, written out independently of the table.
_SHARED = {
    (S.draft, A.publish): S.publicized,
    (S.publicized, A.report_completion): S.completion_reported,
    (S.completion_reported, A.accept): S.accepted,
    (S.completion_reported, A.reject_acceptance): S.publicized,
    (S.accepted, A.announce): S.announced,
}
_FORWARD: dict[Category, dict[tuple[CaseState, CaseAction], CaseState]] = {
    Category.illegal: _SHARED,
    Category.elimination: _SHARED,
    Category.rectification: {
        (S.draft, A.publish): S.publicized,
        (S.publicized, A.report_rectification): S.rectification_reported,
        (S.rectification_reported, A.record_reinspection_pass): S.reinspected_compliant,
        (S.reinspected_compliant, A.close): S.closed,
        (S.publicized, A.record_refusal): S.escalated,
        (S.publicized, A.record_reinspection_fail): S.escalated,
        (S.rectification_reported, A.record_refusal): S.escalated,
        (S.rectification_reported, A.record_reinspection_fail): S.escalated,
    },
    Category.forced_exit: {
        (S.proposed, A.decide): S.decided,
        (S.decided, A.announce): S.announced,
        (S.announced, A.report_closure): S.closure_completed,
        (S.closure_completed, A.accept): S.closure_accepted,
        (S.closure_accepted, A.announce_completion): S.completion_announced,
    },
    Category.compliant: {
        (S.draft, A.confirm): S.confirmed,
        (S.confirmed, A.publish): S.publicized,
        (S.publicized, A.revoke): S.revoked,
    },
}
_OPEN: dict[Category, list[CaseState]] = {
    Category.illegal: [S.publicized, S.completion_reported, S.accepted],
    Category.elimination: [S.publicized, S.completion_reported, S.accepted],
    Category.rectification: [S.publicized, S.rectification_reported, S.reinspected_compliant],
    Category.forced_exit: [S.decided, S.announced, S.closure_completed, S.closure_accepted],
    Category.compliant: [S.confirmed, S.publicized],
}
EXPECTED: dict[tuple[Category, CaseState, CaseAction], CaseState] = {
    **{(c, s, a): n for c, edges in _FORWARD.items() for (s, a), n in edges.items()},
    **{(c, s, A.withdraw): S.withdrawn for c, open_ in _OPEN.items() for s in open_},
}


@pytest.mark.parametrize("category", list(_by_category()))
def test_the_table_is_exactly_the_issue_s_lifecycle(category: Category) -> None:
    actual = {key: rule.next_state for key, rule in TRANSITIONS.items() if key[0] == category}
    assert actual == {key: state for key, state in EXPECTED.items() if key[0] == category}


# --- every entry of the table --------------------------------------------------------------


def _every_rule() -> Iterator[Any]:
    for rule in TRANSITIONS.values():
        yield seeded(rule.category, rule, id=name(rule))


@pytest.mark.parametrize("rule", list(_every_rule()))
def test_officers_record_approvers_decide_and_the_lead_confirms_compliance(
    rule: Transition,
) -> None:
    if rule.action.startswith(("report_", "record_")):
        expected = {Role.officer}
    elif rule.category == Category.compliant and rule.action in (A.publish, A.confirm):
        expected = {Role.approver, Role.lead}
    else:
        expected = {Role.approver}
    assert rule.roles == expected


@pytest.mark.parametrize(("rule", "role", "kind"), list(_allowed_callers()))
def test_listed_roles_of_allowed_departments_take_the_action(
    rule: Transition, role: Role, kind: DepartmentKind
) -> None:
    result = take(rule, role=role, kind=kind)
    assert result is rule
    assert result.next_state == EXPECTED[(rule.category, rule.state, rule.action)]


@pytest.mark.parametrize(("rule", "role"), list(_unlisted_roles()))
def test_roles_not_listed_are_forbidden(rule: Transition, role: Role) -> None:
    with pytest.raises(ActionForbidden) as caught:
        take(rule, role=role)
    assert caught.value.status == 403
    assert caught.value.code == "action_forbidden"


@pytest.mark.parametrize(("rule", "kind"), list(_other_kinds()))
def test_other_department_kinds_are_forbidden(rule: Transition, kind: DepartmentKind) -> None:
    with pytest.raises(ActionForbidden, match=str(kind)):
        take(rule, kind=kind)


@pytest.mark.parametrize(("rule", "field"), list(_required_fields()))
@pytest.mark.parametrize("blank", ["absent", None, "", "  ", []], ids=repr)
def test_a_missing_required_field_is_named(rule: Transition, field: str, blank: object) -> None:
    payload = full_payload(rule)
    if blank == "absent":
        del payload[field]
    else:
        payload[field] = blank
    with pytest.raises(MissingFields) as caught:
        take(rule, payload=payload)
    error = caught.value
    assert (error.status, error.code, error.fields) == (422, "missing_fields", (field,))
    assert error.errors is not None
    [problem] = error.errors
    assert problem.pointer == f"/{field}"
    assert problem.detail == f"required to {rule.action}"
    assert problem.code == "missing_field"


@pytest.mark.parametrize("rule", list(_guarded()))
def test_an_unmet_guard_fails(rule: Transition) -> None:
    with pytest.raises(GuardFailed) as caught:
        take(rule, guards_passed=frozenset())
    assert caught.value.guard == rule.guard


@pytest.mark.parametrize(("category", "state", "action"), list(_absent_pairs()))
def test_actions_not_in_the_table_are_invalid_transitions(
    category: Category, state: CaseState, action: CaseAction
) -> None:
    # Even for a caller with every role: the state is checked first.
    with pytest.raises(InvalidTransition) as caught:
        transition(
            category,
            state,
            action,
            roles=frozenset(Role),
            department_kind=DepartmentKind.gov,
            payload={},
        )
    error = caught.value
    assert (error.status, error.code) == (409, "invalid_transition")
    assert error.extra == {"category": category, "state": state, "action": action}


# --- the shape of each lifecycle -----------------------------------------------------------


@pytest.mark.parametrize("category", list(_by_category()))
def test_every_state_is_reachable_from_the_initial_state(category: Category) -> None:
    reached = {INITIAL_STATE[category]}
    frontier = [INITIAL_STATE[category]]
    while frontier:
        state = frontier.pop()
        for rule in lifecycle(category):
            if rule.state == state and rule.next_state not in reached:
                reached.add(rule.next_state)
                frontier.append(rule.next_state)
    assert reached == set(states(category))


@pytest.mark.parametrize("category", list(_by_category()))
def test_terminal_states_have_no_way_out_and_the_others_do(category: Category) -> None:
    terminal = TERMINAL_STATES[category]
    assert terminal <= set(states(category))
    sources = {rule.state for rule in lifecycle(category)}
    assert sources.isdisjoint(terminal)
    assert sources == set(states(category)) - terminal


@pytest.mark.parametrize(("category", "state"), list(_withdrawable()))
def test_withdraw_with_a_reason_from_every_open_state(category: Category, state: CaseState) -> None:
    rule = TRANSITIONS[(category, state, A.withdraw)]
    assert rule.next_state == S.withdrawn
    assert rule.required_fields == ("reason",)
    assert take(rule).next_state == S.withdrawn
    with pytest.raises(MissingFields):
        take(rule, payload={})


@pytest.mark.parametrize("category", list(_by_category()))
def test_the_initial_state_is_edited_not_withdrawn(category: Category) -> None:
    with pytest.raises(InvalidTransition):
        transition(
            category,
            INITIAL_STATE[category],
            A.withdraw,
            roles=frozenset(Role),
            department_kind=DepartmentKind.gov,
            payload={"reason": "duplicate"},
        )


@pytest.mark.parametrize("category", list(_by_category()))
def test_lifecycle_lists_the_category_in_table_order(category: Category) -> None:
    rules = lifecycle(category)
    assert rules == [r for r in TRANSITIONS.values() if r.category == category]
    assert states(category)[0] == INITIAL_STATE[category]


HAPPY_PATHS = {
    Category.illegal: [A.publish, A.report_completion, A.accept, A.announce],
    Category.elimination: [A.publish, A.report_completion, A.accept, A.announce],
    Category.rectification: [
        A.publish,
        A.report_rectification,
        A.record_reinspection_pass,
        A.close,
    ],
    Category.forced_exit: [
        A.decide,
        A.announce,
        A.report_closure,
        A.accept,
        A.announce_completion,
    ],
    Category.compliant: [A.confirm, A.publish, A.revoke],
}
EXPECTED_STATES = {
    Category.illegal: [S.publicized, S.completion_reported, S.accepted, S.announced],
    Category.elimination: [S.publicized, S.completion_reported, S.accepted, S.announced],
    Category.rectification: [
        S.publicized,
        S.rectification_reported,
        S.reinspected_compliant,
        S.closed,
    ],
    Category.forced_exit: [
        S.decided,
        S.announced,
        S.closure_completed,
        S.closure_accepted,
        S.completion_announced,
    ],
    Category.compliant: [S.confirmed, S.publicized, S.revoked],
}


@pytest.mark.parametrize("category", list(_by_category()))
def test_the_main_path_ends_in_a_terminal_state(category: Category) -> None:
    state, visited = INITIAL_STATE[category], []
    for action in HAPPY_PATHS[category]:
        state = take(TRANSITIONS[(category, state, action)]).next_state
        visited.append(state)
    assert visited == EXPECTED_STATES[category]
    assert state in TERMINAL_STATES[category]


# --- clause by clause ----------------------------------------------------------------------

ILLEGAL_PUBLISHERS = ["drc", "miit", "natres", "ecoenv", "emergency", "market", "tax", "finance"]
PUBLISHERS = {
    Category.illegal: ILLEGAL_PUBLISHERS,
    Category.elimination: ["miit", "drc"],
    Category.rectification: ["ecoenv", "emergency", "market", "energy"],
    Category.compliant: ["miit"],
}


@pytest.mark.parametrize("category", [p for p in _by_category() if p.values[0] in PUBLISHERS])
def test_publishing_departments(category: Category) -> None:
    state = S.confirmed if category == Category.compliant else S.draft
    rule = TRANSITIONS[(category, state, A.publish)]
    assert rule.department_kinds == frozenset(DepartmentKind(k) for k in PUBLISHERS[category])


@pytest.mark.seed("一(一)1")
def test_illegal_publicity_names_the_matters_basis_requirements_deadline_and_departments() -> None:
    rule = TRANSITIONS[(Category.illegal, S.draft, A.publish)]
    assert rule.required_fields == (
        "illegal_matters",
        "handling_basis",
        "handling_requirements",
        "completion_deadline",
        "responsible_departments",
    )


@pytest.mark.parametrize(
    "category",
    [seeded(c, c, id=str(c)) for c in (Category.illegal, Category.elimination)],
)
def test_rejected_acceptance_returns_to_publicity_with_a_new_deadline(category: Category) -> None:
    rule = TRANSITIONS[(category, S.completion_reported, A.reject_acceptance)]
    assert rule.next_state == S.publicized
    assert rule.roles == frozenset({Role.approver})
    with pytest.raises(MissingFields) as caught:
        take(rule, payload={"reason": "dust collectors still running"})
    assert caught.value.fields == ("completion_deadline",)
    # Reported again and accepted on the second round.
    again = take(TRANSITIONS[(category, rule.next_state, A.report_completion)])
    assert take(TRANSITIONS[(category, again.next_state, A.accept)]).next_state == S.accepted


@pytest.mark.seed("一(一)3")
@pytest.mark.parametrize("state", [S.publicized, S.rectification_reported])
@pytest.mark.parametrize("action", [A.record_refusal, A.record_reinspection_fail])
def test_refusal_or_failed_reinspection_escalates_to_forced_exit(
    state: CaseState, action: CaseAction
) -> None:
    rule = take(TRANSITIONS[(Category.rectification, state, action)], role=Role.officer)
    assert rule.next_state == S.escalated
    assert rule.effects == ("open_forced_exit", "credit_listing")
    assert S.escalated in TERMINAL_STATES[Category.rectification]


@pytest.mark.seed("一(一)3")
@pytest.mark.seed("一(二)")
def test_escalation_decision_acceptance_and_withdrawal_are_the_only_steps_with_follow_ups() -> None:
    follow_ups = {"open_forced_exit", "credit_listing", "credit_repair", "credit_withdrawal"}
    effects = {
        (r.category, r.action): tuple(e for e in r.effects if e in follow_ups)
        for r in TRANSITIONS.values()
        if follow_ups.intersection(r.effects)
    }
    listing, repair, withdrawal = ("credit_listing",), ("credit_repair",), ("credit_withdrawal",)
    assert effects == {
        (Category.rectification, A.record_refusal): ("open_forced_exit", *listing),
        (Category.rectification, A.record_reinspection_fail): ("open_forced_exit", *listing),
        (Category.forced_exit, A.decide): listing,
        (Category.illegal, A.accept): repair,
        (Category.elimination, A.accept): repair,
        (Category.compliant, A.revoke): withdrawal,
        **{(category, A.withdraw): withdrawal for category in Category},
    }


@pytest.mark.seed("一(一)4")
@pytest.mark.parametrize("kind", [k for k in DepartmentKind if k != DepartmentKind.gov])
def test_only_the_government_decides_a_forced_exit(kind: DepartmentKind) -> None:
    common: dict[str, Any] = {
        "payload": {
            "decision_number": "四政决〔2025〕1号",
            "decision_date": "2025-03-01",
            "legal_basis": "《安全生产法》第一百一十三条",
            "rectification_case_id": "0190c0de-0000-7000-8000-000000000001",
            "failing_items": [{"item": "颗粒物排放浓度"}],
            "unfinished_rectification": "除尘设施未改造",
            "involved_departments": ["220322-ecoenv"],
        },
    }
    decide = (Category.forced_exit, S.proposed, A.decide)
    with pytest.raises(ActionForbidden):
        transition(*decide, roles=frozenset(Role), department_kind=kind, **common)
    with pytest.raises(ActionForbidden):
        transition(
            *decide,
            roles=frozenset({Role.officer, Role.lead}),
            department_kind=DepartmentKind.gov,
            **common,
        )
    result = transition(
        *decide, roles=frozenset({Role.approver}), department_kind=DepartmentKind.gov, **common
    )
    assert result.next_state == S.decided


@pytest.mark.seed("一(一)4")
def test_any_involved_department_records_the_closure() -> None:
    rule = TRANSITIONS[(Category.forced_exit, S.announced, A.report_closure)]
    assert rule.department_kinds is None
    assert rule.roles == frozenset({Role.officer})


@pytest.mark.seed("一(一)5")
@pytest.mark.parametrize("role", [Role.approver, Role.lead])
def test_compliant_is_confirmed_only_once_every_department_has(role: Role) -> None:
    rule = TRANSITIONS[(Category.compliant, S.draft, A.confirm)]
    assert rule.guard == "all_confirmations_present"
    with pytest.raises(GuardFailed) as caught:
        take(rule, role=role, guards_passed=frozenset())
    error = caught.value
    assert (error.status, error.code, error.guard) == (409, "guard_failed", rule.guard)
    with pytest.raises(GuardFailed):
        take(rule, role=role, guards_passed=frozenset({Guard.rectification_deadline_passed}))
    assert take(rule, role=role).next_state == S.confirmed


@pytest.mark.seed("一(一)5")
def test_the_lead_publishes_compliant_cases_but_no_other_category() -> None:
    lead = frozenset({Role.lead})
    miit = DepartmentKind.miit
    assert allowed_actions(Category.compliant, S.confirmed, lead, miit) == [A.publish]
    for category in (Category.illegal, Category.elimination, Category.rectification):
        assert allowed_actions(category, S.draft, lead, miit) == []


# --- allowed_actions and the check order ---------------------------------------------------


@pytest.mark.seed("一(一)1")
@pytest.mark.parametrize(
    ("roles", "kind", "expected"),
    [
        ({Role.officer}, "drc", [A.report_completion]),
        ({Role.approver}, "drc", [A.withdraw]),
        ({Role.officer, Role.approver}, "tax", [A.report_completion, A.withdraw]),
        ({Role.officer, Role.approver}, "gov", []),
        ({Role.viewer}, "drc", []),
        ({Role.admin}, "drc", []),
    ],
)
def test_allowed_actions_of_a_publicized_illegal_case(
    roles: set[Role], kind: str, expected: list[CaseAction]
) -> None:
    kind_ = DepartmentKind(kind)
    actual = allowed_actions(Category.illegal, S.publicized, frozenset(roles), kind_)
    assert actual == expected


@pytest.mark.parametrize("category", list(_by_category()))
def test_allowed_actions_agree_with_transition(category: Category) -> None:
    for state in CaseState:
        for roles in [frozenset({r}) for r in Role] + [frozenset(Role)]:
            for kind in DepartmentKind:
                allowed = allowed_actions(category, state, roles, kind)
                for action in CaseAction:
                    rule = TRANSITIONS.get((category, state, action))
                    try:
                        transition(
                            category,
                            state,
                            action,
                            roles=roles,
                            department_kind=kind,
                            payload=full_payload(rule) if rule else {},
                            guards_passed=guards(rule) if rule else frozenset(),
                        )
                    except (InvalidTransition, ActionForbidden):
                        assert action not in allowed
                    else:
                        assert action in allowed


@pytest.mark.seed("一(一)1")
def test_checks_run_in_order_state_role_department_fields() -> None:
    publish = (Category.illegal, S.draft, A.publish)
    with pytest.raises(InvalidTransition):
        transition(
            Category.illegal,
            S.announced,
            A.publish,
            roles=frozenset(),
            department_kind=DepartmentKind.gov,
            payload={},
        )
    with pytest.raises(ActionForbidden, match="approver"):
        transition(
            *publish,
            roles=frozenset({Role.officer}),
            department_kind=DepartmentKind.gov,
            payload={},
        )
    with pytest.raises(ActionForbidden, match="gov"):
        transition(
            *publish,
            roles=frozenset({Role.approver}),
            department_kind=DepartmentKind.gov,
            payload={},
        )
    with pytest.raises(MissingFields) as caught:
        transition(
            *publish,
            roles=frozenset({Role.approver}),
            department_kind=DepartmentKind.drc,
            payload={"illegal_matters": "x"},
        )
    assert caught.value.fields == TRANSITIONS[publish].required_fields[1:]
    assert [p.pointer for p in caught.value.errors or []] == [
        "/handling_basis",
        "/handling_requirements",
        "/completion_deadline",
        "/responsible_departments",
    ]


@pytest.mark.seed("一(一)1")
@pytest.mark.parametrize("category", [Category.illegal, Category.elimination])
def test_a_rejected_acceptance_needs_a_new_deadline_in_the_request(category: Category) -> None:
    """The stored deadline does not count: the rejection must set a new one (fresh field)."""
    rule = TRANSITIONS[(category, S.completion_reported, A.reject_acceptance)]
    stored = {"completion_deadline": "2025-12-31", "reason": "设备未拆除"}
    with pytest.raises(MissingFields) as caught:
        transition(
            category,
            S.completion_reported,
            A.reject_acceptance,
            roles=frozenset({Role.approver}),
            department_kind=min(kinds_of(rule)),
            payload=stored,
            request_fields={"reason"},
        )
    assert caught.value.fields == ("completion_deadline",)
    done = transition(
        category,
        S.completion_reported,
        A.reject_acceptance,
        roles=frozenset({Role.approver}),
        department_kind=min(kinds_of(rule)),
        payload=stored,
        request_fields={"reason", "completion_deadline"},
    )
    assert done.next_state == S.publicized


def test_nested_missing_sub_fields_are_reported_after_the_top_level_ones() -> None:
    rule = TRANSITIONS[(Category.elimination, S.draft, A.publish)]
    with pytest.raises(MissingFields) as caught:
        transition(
            rule.category,
            rule.state,
            rule.action,
            roles=frozenset({Role.approver}),
            department_kind=DepartmentKind.miit,
            payload={f: "x" for f in rule.required_fields if f != "exit_method"},
            nested_missing=lambda fields: ["elimination_items/0/model"],
        )
    assert caught.value.fields == ("exit_method", "elimination_items/0/model")
