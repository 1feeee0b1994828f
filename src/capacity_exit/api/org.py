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
    response_model=DepartmentOut,
    responses=problem_responses(404, 422),
    **access(scope="global"),
)
async def get_department(
    session: Session,
    code: Annotated[str, Path(pattern=r"^[0-9]{6}-[a-z]{2,16}$", max_length=32)],
) -> DepartmentOut:
    return DepartmentOut.model_validate(await service.get_department(session, code))
