"""The payload fields each step of the transition table needs (`machine.TRANSITIONS`) and
each notice shows (its `notice`), by name. Pure data."""

from __future__ import annotations

DEPARTMENTS = "responsible_departments"
REASON = ("reason",)
ACCEPTANCE = ("acceptance_date",)
DECISION = ("decision_number", "decision_date", "legal_basis")
ILLEGAL_PUBLICITY = (
    "illegal_matters",
    "handling_basis",
    "handling_requirements",
    "completion_deadline",
    DEPARTMENTS,
)
ELIMINATION_PUBLICITY = (
    "elimination_items",  # the equipment or products on the elimination catalogue
    "elimination_basis",
    "voluntary",
    "exit_method",
    "handling_requirements",
    "completion_deadline",
    DEPARTMENTS,
)
RECTIFICATION_PUBLICITY = (
    "problems",
    "rectification_basis",
    "rectification_requirements",
    "rectification_deadline",
    DEPARTMENTS,
)
COMPLIANT_PUBLICITY = ("main_equipment", "products", "compliance_matters", "compliance_basis")
COMPLIANT_CONFIRMATION = ("confirmations",)
COMPLETION_REPORT = ("completion_date", "completion_evidence")
# What the announcement says was done: the handling result, or what actually exited.
ILLEGAL_COMPLETION_REPORT = (*COMPLETION_REPORT, "handling_result")
ELIMINATION_COMPLETION_REPORT = (*COMPLETION_REPORT, "exited_items")
# The forced-exit announcement's content: where it comes from and what is unfinished.
FORCED_EXIT_GROUNDS = (
    "rectification_case_id",
    "failing_items",
    "unfinished_rectification",
    "involved_departments",
)
RECTIFICATION_REPORT = ("rectification_date", "rectification_measures")
REINSPECTION = ("reinspection_date", "findings")
REFUSAL = ("refusal_date", "refusal_facts")
CLOSURE_REPORT = ("closure_date", "closure_measures")
