"""Who investigates a report: routing rules as data.

A rule maps a category, and optionally the matter the lead names while triaging, to
the kinds of department that investigate it and the level they act at: the county's
own departments (the enterprise's county), or the city's for what concerns the work of
the county departments themselves (fraud in their elimination work, lax approval or
filing), which the county cannot investigate in its own cause. The most specific rule
wins: (category, matter) before (category, any matter). The lead may name other
handling departments when it assigns; the rules are its starting point.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from capacity_exit.org.schemas import DepartmentKind, Level
from capacity_exit.report.machine import ReportCategory


class Matter(StrEnum):
    """What the report concerns, as far as routing cares (named by the lead)."""

    technical_standard = "technical_standard"  # 技术标准淘汰 (工信)
    environment = "environment"  # 环保
    safety = "safety"  # 安全
    quality = "quality"  # 质量
    energy = "energy"  # 能耗
    approval = "approval"  # 项目审批备案 (发改)
    land = "land"  # 用地 (自然资源)
    licence = "licence"  # 生产许可, 营业执照 (市场监管)


@dataclass(frozen=True, slots=True)
class Rule:
    category: ReportCategory
    matter: Matter | None  # None: whatever the matter
    kinds: tuple[DepartmentKind, ...]
    level: Level  # county: the report's county; city: the city above it


C, M, K = ReportCategory, Matter, DepartmentKind
COUNTY, CITY = Level.county, Level.city
RULES: tuple[Rule, ...] = (
    Rule(C.should_inspect, None, (K.miit,), COUNTY),
    Rule(C.should_inspect, M.environment, (K.ecoenv,), COUNTY),
    Rule(C.should_inspect, M.safety, (K.emergency,), COUNTY),
    Rule(C.should_inspect, M.quality, (K.market,), COUNTY),
    Rule(C.should_inspect, M.energy, (K.energy,), COUNTY),
    Rule(C.should_rectify, None, (K.ecoenv, K.emergency, K.market), COUNTY),
    Rule(C.should_rectify, M.environment, (K.ecoenv,), COUNTY),
    Rule(C.should_rectify, M.safety, (K.emergency,), COUNTY),
    Rule(C.should_rectify, M.quality, (K.market,), COUNTY),
    Rule(C.should_rectify, M.energy, (K.energy,), COUNTY),
    Rule(C.should_exit, None, (K.miit, K.drc), COUNTY),
    Rule(C.should_exit, M.technical_standard, (K.miit,), COUNTY),
    Rule(C.resurgence, None, (K.miit, K.market), COUNTY),
    Rule(C.resurgence, M.environment, (K.miit, K.ecoenv), COUNTY),
    Rule(C.fraud, None, (K.miit,), CITY),
    Rule(C.lax_approval, None, (K.drc, K.natres), CITY),
    Rule(C.lax_approval, M.approval, (K.drc,), CITY),
    Rule(C.lax_approval, M.land, (K.natres,), CITY),
    Rule(C.lax_approval, M.environment, (K.ecoenv,), CITY),
    Rule(C.lax_approval, M.licence, (K.market,), CITY),
    Rule(C.other, None, (K.miit,), COUNTY),
)
del C, M, K

LEAD_KIND = DepartmentKind.miit  # 牵头部门: 工信

_BY_KEY = {(r.category, r.matter): r for r in RULES}
assert len(_BY_KEY) == len(RULES), "one rule per (category, matter)"
assert all((c, None) in _BY_KEY for c in ReportCategory), "a default rule per category"
assert all(r.level == _BY_KEY[(r.category, None)].level for r in RULES), "one level a category"


def rule_for(category: ReportCategory, matter: Matter | None = None) -> Rule:
    return _BY_KEY.get((category, matter)) or _BY_KEY[(category, None)]


def level_of(category: ReportCategory) -> Level:
    """The level a report of `category` is handled at (its lead's level too)."""
    return rule_for(category).level


def acting_division(level: Level, county: str, city: str) -> str:
    return city if level == Level.city else county


def lead_department(category: ReportCategory, county: str, city: str) -> str:
    """The lead department's code: 工信 of the county, or of the city for city matters."""
    return f"{acting_division(level_of(category), county, city)}-{LEAD_KIND}"


def handling_departments(
    category: ReportCategory,
    matter: Matter | None,
    county: str,
    city: str,
    existing: Collection[str],
) -> list[str]:
    """The departments the rules name for a report, among those that exist (a division
    without one of the kinds gets none of that kind, never an invented code)."""
    rule = rule_for(category, matter)
    division = acting_division(rule.level, county, city)
    codes = [f"{division}-{kind}" for kind in rule.kinds]
    return [code for code in codes if code in existing]
