"""The step schemas are the transition table's: the same fields, typed as the drafts."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from capacity_exit.case.machine import TRANSITIONS, CaseAction
from capacity_exit.case.payloads import DRAFT_MODELS
from capacity_exit.case.step_requests import EXAMPLES, STEP_MODELS, step_request

ACTIONS = list(CaseAction)


def _rows(action: CaseAction) -> list[Any]:
    return [row for (_, _, a), row in TRANSITIONS.items() if a == action]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_steps_members_are_what_its_rows_require(action: CaseAction) -> None:
    rows = _rows(action)
    expected = {f for row in rows for f in row.required_fields}
    if action == CaseAction.publish:
        expected.add("publicity_working_days")
    model = STEP_MODELS[action]
    assert set(model.model_fields) == {"action", *expected}
    if action in (CaseAction.withdraw, CaseAction.revoke, CaseAction.reject_acceptance):
        assert "reason" in model.model_fields
    else:
        assert "reason" not in model.model_fields


@pytest.mark.parametrize("action", ACTIONS)
def test_a_step_requires_what_every_row_takes_fresh(action: CaseAction) -> None:
    rows = _rows(action)
    common = set.intersection(*(set(row.fresh_fields) for row in rows))
    model = STEP_MODELS[action]
    assert {n for n, f in model.model_fields.items() if f.is_required()} == {"action", *common}
    schema = model.model_json_schema()
    assert set(schema["required"]) == {"action", *common}
    assert schema["additionalProperties"] is False
    assert schema["title"] == "".join(p.capitalize() for p in action.split("_")) + "Step"


def _typed(schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without what explains it (title, description, examples)."""
    return {k: v for k, v in schema.items() if k not in ("title", "description", "examples")}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_steps_fields_are_typed_as_the_drafts(action: CaseAction) -> None:
    """The same JSON schema as the draft's field; a required member is not nullable."""
    ours = STEP_MODELS[action].model_json_schema()
    for row in _rows(action):
        draft = DRAFT_MODELS[row.category].model_json_schema()
        for name in row.required_fields:
            if name not in draft["properties"]:
                continue  # `reason`: no draft holds it
            theirs = _typed(draft["properties"][name])
            if name in ours["required"]:
                [kept] = [s for s in theirs["anyOf"] if s != {"type": "null"}]
                theirs = kept
            assert _typed(ours["properties"][name]) == theirs, (row.category, name)
            for ref, schema in ours.get("$defs", {}).items():
                if ref in draft.get("$defs", {}):
                    assert schema == draft["$defs"][ref], ref


@pytest.mark.parametrize("action", ACTIONS)
def test_each_step_has_one_example_that_its_schema_accepts(action: CaseAction) -> None:
    examples = STEP_MODELS[action].model_json_schema()["examples"]
    assert examples == [EXAMPLES[action]]
    assert STEP_MODELS[action].model_validate(examples[0]).action == action


def test_a_step_refuses_a_member_it_does_not_record() -> None:
    with pytest.raises(ValidationError) as caught:
        step_request(CaseAction.publish, reason="不需要")
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("reason",), "extra_forbidden")
    ]


def test_a_step_carries_only_the_case_fields_sent() -> None:
    sent = step_request(
        CaseAction.report_completion,
        completion_date="2026-11-30",
        completion_evidence="已拆除。",
        exited_items=None,
    )
    # `null` is kept (it clears the field), absent members are left out.
    assert sent.content() == {
        "completion_date": "2026-11-30",
        "completion_evidence": "已拆除。",
        "exited_items": None,
    }
    withdrawal = step_request(CaseAction.withdraw, reason="撤回")
    assert withdrawal.content() == {}
    assert withdrawal.member("reason") == "撤回"
    assert withdrawal.member("publicity_working_days") is None
