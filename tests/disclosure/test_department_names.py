"""Notices name their departments as the public knows them: by the name each had when
the notice was published, with the code beside it in the JSON."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from pydantic import BaseModel, TypeAdapter

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import Category
from capacity_exit.case.models import Case
from capacity_exit.case.payloads import DRAFT_MODELS
from capacity_exit.core import clock, migrations
from capacity_exit.core.db import Database
from capacity_exit.disclosure import content
from capacity_exit.disclosure.models import Disclosure
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.inspection.schemas import DepartmentCode
from capacity_exit.org import reference_data
from tests.conftest import ClientAs
from tests.disclosure.test_documents import CLAUSES, FLOWS
from tests.fixtures.cases import COUNTY, open_case, payload, take
from tests.fixtures.stores import fresh_database

URL = "/api/v1/disclosures"
NATRES = f"{COUNTY}-natres"
NATRES_NAME = "梨树县自然资源局"
RENAMED = "梨树县自然资源和规划局"
# What a department code looks like (`220322-natres`); the public cannot read it.
CODE = re.compile(r"[0-9]{6}-[a-z]{2,16}")
MIGRATION = "9b51e6d2c8f3"  # 20261201_0012_disclosure_department_names

Rename = Callable[[str, str], Awaitable[None]]


def named(notice_content: dict[str, Any]) -> list[Any]:
    """Every department a notice's content names, as published."""
    return [
        *notice_content.get("responsible_departments", []),
        *notice_content.get("involved_departments", []),
        *(c["department"] for c in notice_content.get("confirmations", [])),
    ]


async def _document(anonymous: httpx.AsyncClient, notice: dict[str, Any]) -> str:
    response = await anonymous.get(
        f"{URL}/{notice['id']}/document", headers={"Accept": "text/plain"}
    )
    assert response.status_code == 200
    return response.text


@pytest.fixture
async def rename(app: FastAPI) -> AsyncIterator[Rename]:
    """`await rename("natres", "{division}自然资源和规划局")`: reload the reference data
    with that kind of department renamed (as `capacity-exit seed --file` would); the
    shipped names are loaded again afterwards."""

    async def load(data: reference_data.ReferenceData) -> None:
        async with app.state.database.sessionmaker() as session, session.begin():
            await reference_data.apply(session, data)

    async def rename_kind(kind: str, template: str) -> None:
        data = reference_data.load_file()
        kinds = [
            k.model_copy(update={"name": template}) if k.kind == kind else k
            for k in data.department_kinds
        ]
        await load(data.model_copy(update={"department_kinds": kinds}))

    yield rename_kind
    await load(reference_data.load_file())


@pytest.mark.parametrize(
    "category", [pytest.param(c, marks=pytest.mark.seed(CLAUSES[c])) for c in Category]
)
async def test_every_notice_names_its_departments(
    category: Category, client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await FLOWS[category](client_as)
    reader = client_as(f"{COUNTY}-ecoenv", Role.viewer)
    notices = (await anonymous.get(URL, params={"category": category.value})).json()["items"]
    assert notices
    for notice in notices:
        departments = named(notice["content"])
        assert departments, "every category's notice names departments"
        for department in departments:
            assert set(department) == {"code", "name"}, department
            known = (await reader.get(f"/api/v1/departments/{department['code']}")).json()
            assert department["name"] == known["name"]
        for media in ("text/plain", "text/html"):
            document = (
                await anonymous.get(f"{URL}/{notice['id']}/document", headers={"Accept": media})
            ).text
            for department in departments:
                assert department["name"] in document, (media, department)
            assert not CODE.search(document), (media, CODE.findall(document))


@pytest.mark.seed("一(一)1")
async def test_a_published_notice_keeps_the_names_it_was_published_with(
    client_as: ClientAs, anonymous: httpx.AsyncClient, rename: Rename
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    await take(owner, await open_case(owner, "illegal"), "publish")
    await rename("natres", "{division}自然资源和规划局")
    await take(owner, await open_case(owner, "illegal"), "publish")

    later, earlier = (await anonymous.get(URL)).json()["items"]  # newest first
    for notice, name in ((earlier, NATRES_NAME), (later, RENAMED)):
        detail = (await anonymous.get(f"{URL}/{notice['id']}")).json()
        for read in (notice, detail):
            assert {"code": NATRES, "name": name} in read["content"]["responsible_departments"]
        document = await _document(anonymous, notice)
        assert name in document
    assert RENAMED not in await _document(anonymous, earlier)


@pytest.mark.seed("一(一)1")
async def test_a_correction_keeps_the_published_names_and_names_added_departments(
    client_as: ClientAs, anonymous: httpx.AsyncClient, rename: Rename
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "illegal"), "publish")
    [notice] = (await anonymous.get(URL)).json()["items"]
    await rename("natres", "{division}自然资源和规划局")
    codes = [*case["payload"]["responsible_departments"], f"{COUNTY}-market"]

    unknown = await owner.post(
        f"{URL}/{notice['id']}/corrections",
        json={
            "reason": "补充责任部门",
            "content": {"responsible_departments": [*codes, f"{COUNTY}-nosuch"]},
        },
        headers={"If-Match": '"1"'},
    )
    assert unknown.status_code == 422, unknown.text
    assert [e["pointer"] for e in unknown.json()["errors"]] == [
        "/content/responsible_departments/3"
    ]

    corrected = await owner.post(
        f"{URL}/{notice['id']}/corrections",
        json={"reason": "补充责任部门", "content": {"responsible_departments": codes}},
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["content"]["responsible_departments"] == [
        {"code": f"{COUNTY}-ecoenv", "name": "梨树县生态环境局"},
        {"code": NATRES, "name": NATRES_NAME},  # as the notice published it
        {"code": f"{COUNTY}-market", "name": "梨树县市场监督管理局"},
    ]
    # The case keeps the codes.
    after = (await owner.get(f"/api/v1/cases/{case['id']}")).json()
    assert after["payload"]["responsible_departments"] == codes


def _department_fields(model: type[BaseModel]) -> tuple[set[str], set[tuple[str, str]]]:
    """The model's lists of department codes, and its lists whose items have one."""
    pattern = TypeAdapter(DepartmentCode).json_schema()["pattern"]
    lists, items = set(), set()
    for name, field in model.model_fields.items():
        schema = model.model_json_schema()["properties"][name]
        for option in schema.get("anyOf", [schema]):
            if option.get("items", {}).get("pattern") == pattern:
                lists.add(name)
        item_model = next(
            (
                inner
                for arg in getattr(field.annotation, "__args__", ())
                for inner in getattr(arg, "__args__", ())
                if isinstance(inner, type) and issubclass(inner, BaseModel)
            ),
            None,
        )
        if item_model is not None:
            properties = item_model.model_json_schema()["properties"]
            for sub, sub_schema in properties.items():
                options = sub_schema.get("anyOf", [sub_schema])
                if any(o.get("pattern") == pattern for o in options):
                    items.add((name, sub))
    return lists, items


def test_every_department_field_of_a_case_is_named_in_its_notice() -> None:
    """Each payload field holding department codes is one `content` names on publication."""
    lists: set[str] = set()
    items: set[tuple[str, str]] = set()
    for model in DRAFT_MODELS.values():
        found_lists, found_items = _department_fields(model)
        lists |= found_lists
        items |= found_items
    assert lists == set(content.DEPARTMENT_LISTS)
    assert items == set(content.DEPARTMENT_ITEMS.items())


async def _insert_notice(database: Database, notice_content: dict[str, Any]) -> uuid.UUID:
    async with database.sessionmaker() as session, session.begin():
        enterprise = Enterprise(
            name="梨树县某某水泥有限公司",
            credit_code="914403001922038216",
            address="吉林省四平市梨树县梨树镇工业路1号",
            jurisdiction_code=COUNTY,
        )
        session.add(enterprise)
        await session.flush()
        case = Case(
            category="illegal",
            status="publicized",
            enterprise_id=enterprise.id,
            jurisdiction_code=COUNTY,
            department_code=f"{COUNTY}-ecoenv",
            payload=payload("illegal"),
        )
        session.add(case)
        await session.flush()
        disclosure = Disclosure(
            series_id=uuid.uuid4(),
            version=1,
            status="current",
            kind="publicity",
            category="illegal",
            case_id=case.id,
            step="publish",
            enterprise_id=enterprise.id,
            enterprise_name=enterprise.name,
            enterprise_credit_code=enterprise.credit_code,
            enterprise_address=enterprise.address,
            department_code=f"{COUNTY}-ecoenv",
            department_name="梨树县生态环境局",
            level="county",
            jurisdiction_code=COUNTY,
            jurisdiction_name="梨树县",
            published_at=clock.utcnow(),
            content=notice_content,
            published_by="test",
        )
        session.add(disclosure)
        await session.flush()
        return disclosure.id


async def _content(database: Database, disclosure_id: uuid.UUID) -> dict[str, Any]:
    async with database.sessionmaker() as session:
        disclosure = await session.get(Disclosure, disclosure_id)
        assert disclosure is not None
        return disclosure.content


async def test_the_migration_names_the_departments_of_stored_notices(tmp_path: Path) -> None:
    """Notices stored with codes get the reference data's names; down, codes again."""
    before = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    previous = before.get_revision(MIGRATION).down_revision
    assert isinstance(previous, str)
    codes = {"responsible_departments": [f"{COUNTY}-ecoenv", NATRES], "handling_basis": "法"}
    with fresh_database(tmp_path) as url:
        await migrations.upgrade_async(url)
        database = Database.from_url(url)
        try:
            async with database.sessionmaker() as session, session.begin():
                await reference_data.apply(session, reference_data.load_file())
            stored = await _insert_notice(database, codes)
            await migrations.downgrade_async(url, previous)
            assert await _content(database, stored) == codes

            await migrations.upgrade_async(url)
            assert await _content(database, stored) == {
                "responsible_departments": [
                    {"code": f"{COUNTY}-ecoenv", "name": "梨树县生态环境局"},
                    {"code": NATRES, "name": NATRES_NAME},
                ],
                "handling_basis": "法",
            }
            await migrations.downgrade_async(url, previous)
            assert await _content(database, stored) == codes
        finally:
            await database.dispose()
