"""Loading divisions and departments from a reference-data file (idempotent upsert).

Siping's file ships in the package (`data/siping.json`); another city loads its own
file the same way (`capacity-exit seed --file city.json`).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.org import repository
from capacity_exit.org.models import Department, Jurisdiction
from capacity_exit.org.schemas import DepartmentKind, Level

SCHEMA_ID = "capacity-exit/reference-data/v1"


class DivisionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{6}$")
    name: str = Field(min_length=1, max_length=100)
    level: Level
    parent: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    retired_year: int | None = None
    successor: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    note: str | None = None


class KindEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DepartmentKind
    label: str
    name: str = Field(description="Name template; `{division}` is the division's name.")
    city_name: str | None = None
    province_name: str | None = None
    member: bool = True
    lead: bool = False


class ReferenceData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_id: Literal["capacity-exit/reference-data/v1"] = Field(alias="schema")
    source: str | None = None
    divisions: list[DivisionEntry]
    department_kinds: list[KindEntry]
    departments_in: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> ReferenceData:
        codes = {d.code for d in self.divisions}
        if len(codes) != len(self.divisions):
            raise ValueError("duplicate division codes")
        for division in self.divisions:
            if division.parent is not None and division.parent not in codes:
                raise ValueError(f"division {division.code}: unknown parent {division.parent}")
        for code in self.departments_in:
            if code not in codes:
                raise ValueError(f"departments_in: unknown division {code}")
        if sum(1 for k in self.department_kinds if k.lead) != 1:
            raise ValueError("exactly one department kind must be the lead department")
        return self


def load_file(path: Path | None = None) -> ReferenceData:
    if path is None:
        text = resources.files("capacity_exit.org").joinpath("data/siping.json").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return ReferenceData.model_validate(json.loads(text))


def _department_name(kind: KindEntry, division: DivisionEntry) -> str:
    if division.level == Level.province and kind.province_name:
        return kind.province_name
    template = kind.city_name if division.level == Level.city and kind.city_name else kind.name
    return template.format(division=division.name)


async def apply(session: AsyncSession, data: ReferenceData) -> tuple[int, int]:
    """Insert or update every division and department in `data`; returns the counts.

    A load that changes nothing writes nothing, not even its audit event: the deployment
    seeds on every start of its one-shot step (docs/operations.md)."""
    changed = False
    by_code = {d.code: d for d in data.divisions}
    # Parents first, so the self-referencing foreign key holds at every flush.
    ordered = sorted(data.divisions, key=lambda d: list(Level).index(d.level))
    for entry in ordered:
        row = await repository.get_jurisdiction(session, entry.code) or Jurisdiction(
            code=entry.code
        )
        row.name = entry.name
        row.level = entry.level
        row.parent_code = entry.parent
        row.retired_year = entry.retired_year
        row.successor_code = entry.successor
        row.note = entry.note
        changed |= row not in session or session.is_modified(row)
        await repository.save_jurisdiction(session, row)
    count = 0
    for division_code in data.departments_in:
        division = by_code[division_code]
        for kind in data.department_kinds:
            code = f"{division_code}-{kind.kind.value}"
            dept = await repository.get_department(session, code) or Department(code=code)
            dept.jurisdiction_code = division_code
            dept.kind = kind.kind
            dept.label = kind.label
            dept.name = _department_name(kind, division)
            # Member units of the city's joint meeting sit in the city and its counties.
            dept.is_member_unit = kind.member and division.level != Level.province
            dept.is_lead = kind.lead
            changed |= dept not in session or session.is_modified(dept)
            await repository.save_department(session, dept)
            count += 1
    if not changed:
        return len(data.divisions), count
    await audit.record(
        session,
        action="reference_data.load",
        object_type="reference_data",
        object_id=",".join(data.departments_in)[:64],
        after={"divisions": len(data.divisions), "departments": count, "source": data.source},
    )
    return len(data.divisions), count
