from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from capacity_exit.audit.models import AuditEvent
from capacity_exit.core import migrations
from capacity_exit.core.db import Database
from capacity_exit.org import reference_data
from capacity_exit.org.models import Department, Jurisdiction
from tests.fixtures.stores import fresh_database

_CHANGCHUN = {
    "schema": "capacity-exit/reference-data/v1",
    "divisions": [
        {"code": "220000", "name": "吉林省", "level": "province"},
        {"code": "220100", "name": "长春市", "level": "city", "parent": "220000"},
        {"code": "220184", "name": "公主岭市", "level": "county", "parent": "220100"},
    ],
    "department_kinds": [
        {"kind": "miit", "label": "工信", "name": "{division}工业和信息化局", "lead": True},
        {"kind": "gov", "label": "政府", "name": "{division}人民政府", "member": False},
    ],
    "departments_in": ["220100", "220184"],
}


async def _counts(database: Database) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        divisions = await session.scalar(select(func.count()).select_from(Jurisdiction))
        departments = await session.scalar(select(func.count()).select_from(Department))
    return int(divisions or 0), int(departments or 0)


async def _apply(database: Database, data: reference_data.ReferenceData) -> None:
    async with database.sessionmaker() as session, session.begin():
        await reference_data.apply(session, data)


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    with fresh_database(tmp_path) as url:
        await migrations.upgrade_async(url)
        yield url


async def _loads_audited(database: Database) -> int:
    async with database.sessionmaker() as session:
        query = select(func.count()).where(AuditEvent.action == "reference_data.load")
        return int(await session.scalar(query) or 0)


async def test_loading_twice_changes_nothing(empty_database: str) -> None:
    database = Database.from_url(empty_database)
    try:
        data = reference_data.load_file()
        await _apply(database, data)
        first = await _counts(database)
        await _apply(database, data)
        assert await _counts(database) == first == (8, 84)
        # The deployment seeds on every start: a load that changes nothing is not audited.
        assert await _loads_audited(database) == 1
    finally:
        await database.dispose()


async def test_a_changed_file_is_applied_and_audited(empty_database: str, tmp_path: Path) -> None:
    path = tmp_path / "changchun.json"
    path.write_text(json.dumps(_CHANGCHUN, ensure_ascii=False), "utf-8")
    database = Database.from_url(empty_database)
    try:
        await _apply(database, reference_data.load_file(path))
        renamed = json.loads(json.dumps(_CHANGCHUN))
        renamed["divisions"][2]["note"] = "县级市, 由长春市代管"
        path.write_text(json.dumps(renamed, ensure_ascii=False), "utf-8")
        await _apply(database, reference_data.load_file(path))
        async with database.sessionmaker() as session:
            division = await session.get(Jurisdiction, "220184")
            assert division is not None and division.note == "县级市, 由长春市代管"
        assert await _loads_audited(database) == 2
    finally:
        await database.dispose()


async def test_another_city_loads_its_own_file(empty_database: str, tmp_path: Path) -> None:
    path = tmp_path / "changchun.json"
    path.write_text(json.dumps(_CHANGCHUN, ensure_ascii=False), "utf-8")
    database = Database.from_url(empty_database)
    try:
        await _apply(database, reference_data.load_file(path))
        async with database.sessionmaker() as session:
            dept = await session.get(Department, "220184-miit")
            assert dept is not None and dept.name == "公主岭市工业和信息化局" and dept.is_lead
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    "broken",
    [
        {"departments_in": ["220999"]},
        {"department_kinds": [{"kind": "gov", "label": "政府", "name": "{division}人民政府"}]},
        {"divisions": [{"code": "220100", "name": "长春市", "level": "city", "parent": "990000"}]},
    ],
)
def test_inconsistent_files_are_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        reference_data.ReferenceData.model_validate({**_CHANGCHUN, **broken})
