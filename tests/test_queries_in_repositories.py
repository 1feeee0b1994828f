"""Every query lives in a repository module (issue 15): a scan of the package's source.

The rule, precisely. Outside a repository module no code may
* call a SQL statement constructor imported from SQLAlchemy (`select`, `insert`,
  `update`, `delete`, `text`, `union`, `exists`, … however imported: `select(…)`,
  `sa.select(…)`, `postgresql.insert(…)`), module level included;
* call a query or unit-of-work method on a session or connection (`session.get`,
  `.execute`, `.scalar(s)`, `.stream(_scalars)`, `.add`, `.add_all`, `.delete`,
  `.merge`, `.flush`, `.refresh`, …), a receiver being any name or attribute called
  `session` or `connection` (or ending in `_session`, `_connection`);
* call `.execute(…)` on anything (a DBAPI cursor too).
Transaction control (`begin`, `begin_nested`, `commit`, `rollback`) stays with the
services that own the transaction, and SQL expressions (`Model.column == value`,
`func.count()`) are not queries. So that the receiver rule sees every session, a
parameter typed as a session or connection must be named `session` or `connection`.

Repository modules: every `repository.py` and `*_repository.py`, and the modules in
`GENERIC_REPOSITORIES` (generic over the model, so no domain's repository holds them).
`EXCEPTIONS` lists the few other places allowed a query, each with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "capacity_exit"

GENERIC_REPOSITORIES = {
    "core/versioned.py": "the conditional update on any model's `version` column (the model "
    "is a parameter): every domain's optimistic concurrency",
}
EXCEPTIONS = {
    "core/db.py": "the SQLite PRAGMAs run on each new DBAPI connection: connection set-up, "
    "no table read or written",
}

STATEMENTS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "union",
        "union_all",
        "intersect",
        "intersect_all",
        "except_",
        "except_all",
        "exists",
        "values",
        "lambda_stmt",
    }
)
SESSION_METHODS = frozenset(
    {
        "execute",
        "exec_driver_sql",
        "scalar",
        "scalars",
        "stream",
        "stream_scalars",
        "get",
        "get_one",
        "add",
        "add_all",
        "delete",
        "merge",
        "flush",
        "refresh",
    }
)
SESSION_TYPES = frozenset({"AsyncSession", "Session", "AsyncConnection", "Connection"})
_RECEIVERS = ("session", "connection")
_SUBMODULES = frozenset({"dialects", "postgresql", "sqlite", "mysql", "sql", "expression"})


def is_repository(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return (
        name == "repository.py"
        or name.endswith("_repository.py")
        or relative in GENERIC_REPOSITORIES
    )


def _receiver_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_session(name: str | None) -> bool:
    return name is not None and any(
        name == receiver or name.endswith(f"_{receiver}") for receiver in _RECEIVERS
    )


def _sqlalchemy_bindings(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Names bound to SQLAlchemy statement constructors (alias -> constructor) and
    names bound to SQLAlchemy modules (`sa`, `postgresql`, …), anywhere in the module."""
    constructors: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name in STATEMENTS:
                    constructors[bound] = alias.name
                elif alias.name in _SUBMODULES:  # `from sqlalchemy.dialects import sqlite`
                    modules.add(bound)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    modules.add(alias.asname or alias.name.split(".")[0])
    return constructors, modules


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def offences(source: str, relative: str) -> Iterator[str]:
    """`relative:line: what` for every query construct in `source` (repository or not)."""
    tree = ast.parse(source)
    constructors, modules = _sqlalchemy_bindings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                annotation = arg.annotation
                typed = _receiver_name(annotation) if annotation is not None else None
                if typed in SESSION_TYPES and not _is_session(arg.arg):
                    yield f"{relative}:{arg.lineno}: a {typed} named `{arg.arg}`"
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in constructors:
            yield f"{relative}:{node.lineno}: {constructors[function.id]}(…)"
        elif isinstance(function, ast.Attribute):
            method, receiver = function.attr, function.value
            statement = method in STATEMENTS and _root(receiver) in modules
            on_session = method in SESSION_METHODS and _is_session(_receiver_name(receiver))
            if statement or on_session or method == "execute":
                yield f"{relative}:{node.lineno}: {ast.unparse(function)}(…)"


def outside_repositories(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if is_repository(relative) or relative in EXCEPTIONS:
            continue
        found += sorted(offences(path.read_text("utf-8"), relative), key=_line)
    return found


def _line(offence: str) -> int:
    return int(offence.split(":")[1])


def test_every_query_is_in_a_repository() -> None:
    found = outside_repositories()
    assert found == [], "queries outside a repository module:\n" + "\n".join(found)


def test_the_listed_modules_exist() -> None:
    for relative in [*GENERIC_REPOSITORIES, *EXCEPTIONS]:
        assert (PACKAGE / relative).is_file(), relative


PLANTED = """
import sqlalchemy as sa
from sqlalchemy import select, text as raw
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

LATE = raw("SELECT 1")

async def service(session: AsyncSession, db_session, other_connection, cursor, self) -> None:
    await session.scalars(select(Case))
    await session.get(Case, 1)
    session.add(Case())
    await self.session.flush()
    await db_session.delete(row)
    await other_connection.execute(sa.update(Case))
    cursor.execute("PRAGMA x")
    await session.execute(postgresql.insert(Case))

async def renamed(s: AsyncSession) -> None:
    pass
"""
PLANTED_LINES = [
    "7: text(…)",
    "10: session.scalars(…)",
    "10: select(…)",
    "11: session.get(…)",
    "12: session.add(…)",
    "13: self.session.flush(…)",
    "14: db_session.delete(…)",
    "15: other_connection.execute(…)",
    "15: sa.update(…)",
    "16: cursor.execute(…)",
    "17: session.execute(…)",
    "17: postgresql.insert(…)",
    "19: a AsyncSession named `s`",
]

BENIGN = """
from capacity_exit.core import text
from capacity_exit.audit import repository

async def service(session, headers: dict, seen: set, client) -> None:
    headers.update({"a": "b"})
    headers.get("a")
    seen.add(1)
    text.clean("x")
    async with client.stream("GET", "/"):
        pass
    await repository.get(session, 1)
    async with session.begin_nested():
        await repository.add(session, row)
    await session.commit()
    await session.rollback()
    where = Case.status == "draft"
"""


def test_the_scan_catches_planted_queries() -> None:
    found = sorted(offences(PLANTED, "planted.py"))
    assert found == sorted(f"planted.py:{line}" for line in PLANTED_LINES)


def test_the_scan_leaves_other_calls_alone() -> None:
    assert list(offences(BENIGN, "benign.py")) == []


@pytest.mark.parametrize(
    ("relative", "repository"),
    [
        ("case/repository.py", True),
        ("core/idempotency_repository.py", True),
        ("core/versioned.py", True),
        ("case/service.py", False),
        ("api/case.py", False),
    ],
)
def test_what_counts_as_a_repository(relative: str, repository: bool) -> None:
    assert is_repository(relative) is repository
