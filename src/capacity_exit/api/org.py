"""HTTP: read API for jurisdictions and departments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capacity_exit.auth.dependencies import access
from capacity_exit.core.db import Session
from capacity_exit.core.problems import problem_responses
from capacity_exit.org import service
from capacity_exit.org.schemas import (
    DepartmentKind,
    DepartmentList,
    DepartmentOut,
    JurisdictionList,
    JurisdictionOut,
    Level,
)

router = APIRouter(tags=["reference data"])

DivisionQuery = Annotated[
    str | None, Query(pattern=r"^[0-9]{6}$", description="GB/T 2260 division code")
]


@router.get(
    "/jurisdictions",
    operation_id="list_jurisdictions",
    summary="List jurisdictions (administrative divisions)",
    description="The administrative divisions of the reference data (GB/T 2260): the province, "
    "the city and its county-level units, by level or parent, in one page; retired "
    "codes (e.g. 220381, 公主岭市 until 2020) on request, as old credit codes still "
    "carry them. Changes nothing. No clause of the regulation: reference data that "
    "every record names.",
    response_model=JurisdictionList,
    responses=problem_responses(422),
    **access(scope="global"),
)
async def list_jurisdictions(
    session: Session,
    level: Annotated[Level | None, Query(description="Only this level")] = None,
    parent: DivisionQuery = None,
    include_retired: Annotated[
        bool, Query(description="Also list retired historical codes (e.g. 220381)")
    ] = False,
) -> JurisdictionList:
    rows = await service.list_jurisdictions(
        session, level=level, parent_code=parent, include_retired=include_retired
    )
    return JurisdictionList(items=[JurisdictionOut.model_validate(r) for r in rows])


@router.get(
    "/jurisdictions/{code}",
    operation_id="get_jurisdiction",
    summary="Get one jurisdiction, current or retired",
    description="One division by its code, current or retired; 404 for a code the reference data "
    "does not hold. Changes nothing. No clause of the regulation: reference data that "
    "every record names.",
    response_model=JurisdictionOut,
    responses=problem_responses(404, 422),
    **access(scope="global"),
)
async def get_jurisdiction(
    session: Session, code: Annotated[str, Path(pattern=r"^[0-9]{6}$")]
) -> JurisdictionOut:
    return JurisdictionOut.model_validate(await service.get_jurisdiction(session, code))


@router.get(
    "/departments",
    operation_id="list_departments",
    summary="List departments, by jurisdiction and kind",
    description="The departments of the reference data (the joint meeting's member units: 发改 "
    "`drc`, 工信 `miit`, 生态环境 `ecoenv`, … and each level's government `gov`), by "
    "jurisdiction and kind, in one page. A department's kind decides which categories "
    "of case it opens and publishes (一(一)1-5). Changes nothing.",
    response_model=DepartmentList,
    responses=problem_responses(422),
    **access(scope="global"),
)
async def list_departments(
    session: Session,
    jurisdiction: DivisionQuery = None,
    kind: Annotated[DepartmentKind | None, Query(description="Department kind")] = None,
) -> DepartmentList:
    rows = await service.list_departments(session, jurisdiction_code=jurisdiction, kind=kind)
    return DepartmentList(items=[DepartmentOut.model_validate(r) for r in rows])


@router.get(
    "/departments/{code}",
    operation_id="get_department",
    summary="Get one department",
    description="One department by its code (`<division>-<kind>`, e.g. `220322-ecoenv`). Changes "
    "nothing. No clause of the regulation: reference data that every record names.",
    response_model=DepartmentOut,
    responses=problem_responses(404, 422),
    **access(scope="global"),
)
async def get_department(
    session: Session,
    code: Annotated[str, Path(pattern=r"^[0-9]{6}-[a-z]{2,16}$", max_length=32)],
) -> DepartmentOut:
    return DepartmentOut.model_validate(await service.get_department(session, code))
