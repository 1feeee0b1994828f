"""`GET /case-lifecycles` says exactly what the server enforces about who takes a step:
for every category, state and action, every department kind, role and part in the case
(and a case outside the caller's jurisdiction), the service's own caller checks
(`steps.check_caller_may_take`, which every step goes through) admit the caller exactly
when the published row does, and the case's `allowed_actions` lists exactly those."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from capacity_exit.auth.principal import Principal
from capacity_exit.auth.roles import Role
from capacity_exit.case import service, steps
from capacity_exit.case.machine import (
    ActionForbidden,
    CaseAction,
    CaseState,
    Category,
    InvalidTransition,
)
from capacity_exit.case.models import Case
from capacity_exit.org.schemas import DepartmentKind

HERE, AWAY = "220322", "220302"
# The part the caller's department has in the case: its owner, a department the case
# involves, or neither.
PARTS = ("owner", "involved", None)


def _principal(kind: DepartmentKind, role: Role) -> Principal:
    return Principal(
        subject="lifecycle-test",
        department_code=f"{HERE}-{kind}",
        department_kind=kind.value,
        jurisdiction_code=HERE,
        level="county",
        roles=frozenset({role}),
        readable=frozenset({HERE, AWAY}),
        writable=frozenset({HERE}),
    )


def _case(category: Category, state: CaseState, caller: Principal, part: str | None,
          jurisdiction: str = HERE) -> Case:  # fmt: skip
    def other(kind: str, instead: str) -> str:  # a department that is not the caller's
        return f"{jurisdiction}-{kind if caller.department_kind != kind else instead}"

    owner = caller.department_code if part == "owner" else other("gov", "miit")
    involved = [caller.department_code] if part == "involved" else [other("tax", "hrss")]
    return Case(
        id=uuid.uuid4(),
        category=category.value,
        status=state.value,
        jurisdiction_code=jurisdiction,
        department_code=owner,
        payload={"involved_departments": involved},
    )


def _published_admits(row: dict[str, Any], caller: Principal, part: str | None) -> bool:
    return (
        caller.department_kind in (row["department_kinds"] or [caller.department_kind])
        and any(role in row["roles"] for role in caller.roles)
        and part in row["parties"]
    )


def _outcome(caller: Principal, case: Case, action: CaseAction) -> str:
    try:
        steps.check_caller_may_take(caller, case, action)
    except InvalidTransition:
        return "invalid"
    except ActionForbidden:
        return "forbidden"
    return "admitted"


@pytest.mark.parametrize("category", list(Category))
async def test_the_published_lifecycle_is_what_the_server_enforces(
    category: Category, client: httpx.AsyncClient
) -> None:
    response = await client.get("/api/v1/case-lifecycles")
    assert response.status_code == 200, response.text
    [table] = [t for t in response.json()["items"] if t["category"] == category]
    rows = {(r["state"], r["action"]): r for r in table["transitions"]}
    for kind in DepartmentKind:
        for role in Role:
            caller = _principal(kind, role)
            for part in PARTS:
                for state in CaseState:
                    case = _case(category, state, caller, part)
                    away = _case(category, state, caller, part, AWAY)
                    admitted = set()
                    for action in CaseAction:
                        row = rows.get((state.value, action.value))
                        got = _outcome(caller, case, action)
                        if row is None:
                            assert got == "invalid", (kind, role, part, state, action)
                            assert _outcome(caller, away, action) == "invalid"
                            continue
                        expected = (
                            "admitted" if _published_admits(row, caller, part) else "forbidden"
                        )
                        assert got == expected, (kind, role, part, state, action)
                        # Outside the caller's jurisdiction nothing is admitted.
                        assert _outcome(caller, away, action) == "forbidden"
                        if got == "admitted":
                            admitted.add(action)
                    assert set(service.allowed_actions(caller, case)) == admitted
