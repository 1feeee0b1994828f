"""The report lifecycle table: who takes which step, in which order, refused otherwise."""

from __future__ import annotations

import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.report import machine
from capacity_exit.report.machine import (
    ActionForbidden,
    InvalidTransition,
    MissingFields,
    ReportAction,
    ReportGuard,
    ReportGuardFailed,
    ReportParty,
    ReportState,
)

A, S = ReportAction, ReportState
ALL_HOLD = {ReportGuard.answered_or_wait_passed: None, ReportGuard.objection_unused: None}


def step(
    state: ReportState,
    action: ReportAction,
    party: ReportParty,
    *roles: Role,
    fields: set[str] | None = None,
) -> machine.Transition:
    return machine.transition(
        state,
        action,
        parties={party},
        roles=set(roles),
        present=fields
        if fields is not None
        else {"rejection_reason", "public_text", "result", "measures", "text"},
        guards=ALL_HOLD,
    )


@pytest.mark.seed("一(一)5")
def test_the_happy_path_from_receipt_to_closing() -> None:
    path = [
        (S.received, A.accept, ReportParty.lead, Role.officer, S.accepted),
        (S.accepted, A.assign, ReportParty.lead, Role.officer, S.assigned),
        (S.assigned, A.start_investigation, ReportParty.handler, Role.officer, S.investigating),
        (S.investigating, A.conclude, ReportParty.handler, Role.approver, S.concluded),
        (S.concluded, A.close, ReportParty.lead, Role.approver, S.closed),
    ]
    for state, action, party, role, expected in path:
        assert step(state, action, party, role).next_state == expected


@pytest.mark.seed("一(一)5")
def test_an_objection_reopens_and_the_lead_decides() -> None:
    assert step(S.concluded, A.object, ReportParty.reporter).next_state == S.reopened
    assert step(S.closed, A.object, ReportParty.reporter).next_state == S.reopened
    assert step(S.reopened, A.reassign, ReportParty.lead, Role.approver).next_state == S.assigned
    assert step(S.reopened, A.close, ReportParty.lead, Role.lead).next_state == S.closed


def test_rejection_is_only_from_received_and_is_final() -> None:
    assert step(S.received, A.reject, ReportParty.lead, Role.approver).next_state == S.rejected
    assert machine.transitions_from(S.rejected) == []
    with pytest.raises(InvalidTransition):
        step(S.accepted, A.reject, ReportParty.lead, Role.approver)


def test_the_checks_come_in_order_state_party_role_fields_guard() -> None:
    with pytest.raises(InvalidTransition):
        step(S.received, A.conclude, ReportParty.handler, Role.approver)
    with pytest.raises(ActionForbidden):  # a handler does not triage
        step(S.received, A.accept, ReportParty.handler, Role.lead)
    with pytest.raises(ActionForbidden):  # an officer records, an approver concludes
        step(S.investigating, A.conclude, ReportParty.handler, Role.officer)
    with pytest.raises(MissingFields) as missing:
        step(S.investigating, A.conclude, ReportParty.handler, Role.approver, fields={"result"})
    assert [e.pointer for e in missing.value.errors or []] == ["/measures", "/public_text"]
    with pytest.raises(ReportGuardFailed):
        machine.transition(
            S.concluded,
            A.object,
            parties={ReportParty.reporter},
            roles=(),
            present={"text"},
            guards={ReportGuard.objection_unused: "already objected"},
        )


def test_a_viewer_may_take_no_step_and_the_reporter_takes_only_the_objection() -> None:
    for t in machine.TRANSITIONS:
        assert Role.viewer not in t.roles and Role.admin not in t.roles
        assert (t.party == ReportParty.reporter) == (t.action == A.object)


def test_allowed_actions_follow_the_table() -> None:
    assert machine.allowed_actions(
        S.received, parties={ReportParty.lead}, roles={Role.officer}
    ) == [A.accept]
    assert machine.allowed_actions(
        S.received, parties={ReportParty.lead}, roles={Role.approver}
    ) == [
        A.accept,
        A.reject,
    ]
    assert (
        machine.allowed_actions(S.received, parties={ReportParty.handler}, roles={Role.lead}) == []
    )
