"""Reading reference data; the rules on which divisions may own records."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.errors import NotFound, Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.org import repository
from capacity_exit.org.models import Department, Jurisdiction
from capacity_exit.org.schemas import DepartmentKind, Level


async def list_jurisdictions(
    session: AsyncSession,
    *,
    level: Level | None,
    parent_code: str | None,
    include_retired: bool,
) -> Sequence[Jurisdiction]:
    return await repository.list_jurisdictions(
        session,
        level=level.value if level else None,
        parent_code=parent_code,
        include_retired=include_retired,
    )


async def get_jurisdiction(session: AsyncSession, code: str) -> Jurisdiction:
    jurisdiction = await repository.get_jurisdiction(session, code)
    if jurisdiction is None:
        raise NotFound(f"No jurisdiction with code {code}.")
    return jurisdiction


async def list_departments(
    session: AsyncSession, *, jurisdiction_code: str | None, kind: DepartmentKind | None
) -> Sequence[Department]:
    return await repository.list_departments(
        session, jurisdiction_code=jurisdiction_code, kind=kind.value if kind else None
    )


async def get_department(session: AsyncSession, code: str) -> Department:
    department = await repository.get_department(session, code)
    if department is None:
        raise NotFound(f"No department with code {code}.")
    return department


async def require_record_jurisdiction(
    session: AsyncSession, code: str, *, pointer: str = "/jurisdiction"
) -> Jurisdiction:
    """A division that records can belong to: a current city or county-level unit."""
    jurisdiction = await repository.get_jurisdiction(session, code)
    if jurisdiction is None or not jurisdiction.is_current or jurisdiction.level == Level.province:
        reason = (
            "is a retired division code"
            if jurisdiction is not None and not jurisdiction.is_current
            else "is not a city or county-level unit served by this system"
        )
        detail = f"Jurisdiction {code} {reason}."
        raise Unprocessable(
            detail,
            code="unknown_jurisdiction",
            errors=[FieldProblem(pointer=pointer, detail=detail, code="unknown_jurisdiction")],
        )
    return jurisdiction


async def jurisdiction_scope(
    session: AsyncSession, department: Department
) -> tuple[Jurisdiction, frozenset[str], frozenset[str]]:
    """(the department's division, what it may read, what it may act on).

    A county-level department acts inside its county; a city department reads and
    reviews its counties and acts at city level; the province reads.
    """
    own = await get_jurisdiction(session, department.jurisdiction_code)
    if own.level == Level.county:
        return own, frozenset({own.code}), frozenset({own.code})
    below = await repository.current_descendants(session, own.code)
    readable = frozenset({own.code} | below)
    writable = frozenset() if own.level == Level.province else frozenset({own.code})
    return own, readable, writable
