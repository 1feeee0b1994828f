"""Routing rules: the departments that investigate, by category, matter and level."""

from __future__ import annotations

import pytest

from capacity_exit.report import routing
from capacity_exit.report.machine import ReportCategory
from capacity_exit.report.routing import Matter

C = ReportCategory
EXISTING = {
    f"{division}-{kind}"
    for division in ("220322", "220300")
    for kind in ("miit", "drc", "natres", "ecoenv", "emergency", "market", "energy")
}


@pytest.mark.seed("一(一)5")
@pytest.mark.parametrize(
    ("category", "matter", "expected"),
    [
        (C.should_inspect, None, ["220322-miit"]),
        (C.should_rectify, Matter.environment, ["220322-ecoenv"]),
        (C.should_rectify, None, ["220322-ecoenv", "220322-emergency", "220322-market"]),
        (C.should_exit, None, ["220322-miit", "220322-drc"]),
        (C.resurgence, None, ["220322-miit", "220322-market"]),
        (C.fraud, None, ["220300-miit"]),  # the county's own work: the city investigates
        (C.lax_approval, Matter.land, ["220300-natres"]),
        (C.other, Matter.land, ["220322-miit"]),  # no rule for the matter: the category's
    ],
)
def test_the_rules_name_the_departments(
    category: ReportCategory, matter: Matter | None, expected: list[str]
) -> None:
    assert routing.handling_departments(category, matter, "220322", "220300", EXISTING) == expected


def test_a_kind_the_division_lacks_is_left_out_never_invented() -> None:
    existing = {"220322-miit"}
    assert routing.handling_departments(C.should_exit, None, "220322", "220300", existing) == [
        "220322-miit"
    ]


def test_the_lead_is_the_miit_of_the_county_or_of_the_city() -> None:
    assert routing.lead_department(C.resurgence, "220322", "220300") == "220322-miit"
    assert routing.lead_department(C.lax_approval, "220322", "220300") == "220300-miit"
