"""Who pushes for a case of each category by hand (一(二)), as data: `CREDIT_PUSHERS`
gives the roles and the parts a department must have in the case (its owner, or a
department it involves); `check_credit_pusher` applies it for the credit service. The
same `Party` vocabulary as the transition table's `parties` (`case.machine`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import APPROVER, ActionForbidden, Category, Party, party_departments


@dataclass(frozen=True, slots=True)
class PushRule:
    """Who pushes a case's records to the credit platforms by hand (a listing, a joint
    punishment update, a withdrawal) and retries or cancels the case's pushes."""

    roles: frozenset[Role]  # any one of them suffices
    parties: tuple[Party, ...]  # the caller's department must be one of these


# The approver signs off what is pushed; the route admits only these roles.
CREDIT_PUSH_ROLES = APPROVER
# 一(二): the departments concerned push. For a forced exit (一(一)4) those are the
# deciding government and the departments its decision involves (联合惩戒, jointly).
CREDIT_PUSHERS: dict[Category, PushRule] = {
    Category.illegal: PushRule(CREDIT_PUSH_ROLES, (Party.owner,)),
    Category.elimination: PushRule(CREDIT_PUSH_ROLES, (Party.owner,)),
    Category.rectification: PushRule(CREDIT_PUSH_ROLES, (Party.owner,)),
    Category.forced_exit: PushRule(CREDIT_PUSH_ROLES, (Party.owner, Party.involved)),
    Category.compliant: PushRule(CREDIT_PUSH_ROLES, (Party.owner,)),
}


class NotCaseParty(Forbidden):
    code, title = "not_case_party", "Not a department of the case"


def credit_pushers(category: Category, owner: str, content: Mapping[str, object]) -> frozenset[str]:
    """The departments that push for a case (`CREDIT_PUSHERS`), by their codes."""
    return party_departments(CREDIT_PUSHERS[category].parties, owner, content)


def check_credit_pusher(
    category: Category,
    *,
    owner: str,
    content: Mapping[str, object],
    roles: Iterable[Role],
    department_code: str,
) -> None:
    """403 unless the caller may push for the case (`CREDIT_PUSHERS`): one of the rule's
    roles (`action_forbidden`) in one of the case's departments it names
    (`not_case_party`). Whether the case is in the caller's jurisdiction is the
    caller's question."""
    rule = CREDIT_PUSHERS[category]
    if rule.roles.isdisjoint(roles):
        needed = " or ".join(sorted(rule.roles))
        raise ActionForbidden(f"Only the role {needed} pushes a {category} case.")
    if department_code not in credit_pushers(category, owner, content):
        parts = " and ".join(
            {Party.owner: "the case's own department", Party.involved: "the involved ones"}[p]
            for p in rule.parties
        )
        raise NotCaseParty(
            f"{department_code} is not a department of this {category} case: {parts} push"
            " for it (一(二))."
        )
