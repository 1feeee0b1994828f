"""Every effect and guard of the transition table has exactly one handler, and a
registry that lacks one, or holds two, is refused when it is built (at import for the
service's own, `flows.effects.EFFECTS`)."""

from __future__ import annotations

import pytest

from capacity_exit.case import effects as case_effects
from capacity_exit.case import guards
from capacity_exit.case.effects import Handlers, UnhandledEffect, registry
from capacity_exit.case.machine import TRANSITIONS, Effect, Guard
from capacity_exit.flows import effects as flow_effects
from capacity_exit.flows.effects import EFFECTS


def test_every_effect_has_exactly_one_handler() -> None:
    writes, follow_ups = set(EFFECTS.writes), set(EFFECTS.follow_ups)
    assert not writes & follow_ups
    assert writes | follow_ups == set(Effect)
    # The case's own effects are handled in the case domain, the others in flows.
    case_part = {*case_effects.HANDLERS.writes, *case_effects.HANDLERS.follow_ups}
    flows_part = {*flow_effects.HANDLERS.writes, *flow_effects.HANDLERS.follow_ups}
    assert not case_part & flows_part
    assert flows_part == {
        Effect.publish_notice,
        Effect.withdraw_notices,
        Effect.credit_listing,
        Effect.credit_repair,
        Effect.credit_withdrawal,
    }


def test_every_guard_has_exactly_one_handler() -> None:
    assert set(guards.HANDLERS) == set(Guard)


def test_the_table_names_only_members_of_the_enums() -> None:
    for rule in TRANSITIONS.values():
        assert all(isinstance(e, Effect) for e in rule.effects)
        assert rule.guard is None or isinstance(rule.guard, Guard)
        assert (Effect.publish_notice in rule.effects) == (rule.notice is not None)
        assert (Effect.record_milestone in rule.effects) == (rule.milestone is not None)


def test_a_misspelt_effect_is_no_effect() -> None:
    with pytest.raises(ValueError, match="credit_listin"):
        Effect("credit_listin")


def test_a_registry_missing_a_handler_is_refused() -> None:
    # The case domain's handlers alone leave the cross-domain effects unhandled.
    with pytest.raises(UnhandledEffect, match="without a handler: credit_listing"):
        registry(case_effects.HANDLERS)
    with pytest.raises(UnhandledEffect, match="without a handler"):
        registry(flow_effects.HANDLERS)


def test_a_registry_with_two_handlers_for_one_effect_is_refused() -> None:
    again = Handlers(follow_ups={Effect.open_forced_exit: flow_effects.HANDLERS.follow_ups[
        Effect.publish_notice
    ]})  # fmt: skip
    with pytest.raises(UnhandledEffect, match="more than one handler: open_forced_exit"):
        registry(case_effects.HANDLERS, flow_effects.HANDLERS, again)


def test_a_guard_registry_missing_a_handler_is_refused() -> None:
    partial = {Guard.all_confirmations_present: guards.HANDLERS[Guard.all_confirmations_present]}
    with pytest.raises(RuntimeError, match="guards without a handler: rectification_deadline"):
        guards.registry(partial)
