from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a principal may do; bound to its department's duty and jurisdiction."""

    viewer = "viewer"  # read within scope
    officer = "officer"  # 经办: create and edit drafts, record inspections and facts
    approver = "approver"  # 审核签发: publish, accept, announce, decide
    lead = "lead"  # the lead department's powers
    admin = "admin"  # reference data, calendar, accounts


ALL_ROLES: tuple[Role, ...] = tuple(Role)
# Who records and edits business data ("officer and above"). `admin` administers
# accounts and reference data and is deliberately not among them.
WRITERS: tuple[Role, ...] = (Role.officer, Role.approver, Role.lead)
