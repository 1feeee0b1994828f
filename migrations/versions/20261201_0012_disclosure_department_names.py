"""disclosure department names: each department a notice names as {code, name}

Notices named their responsible, involved and confirming departments by code only; they
now carry each as `{"code", "name"}` with the name at publication. Stored notices get
the names the reference data has when this runs (no earlier names are recorded).

Revision ID: 9b51e6d2c8f3
Revises: 3c9d2b7e41a6
Create Date: 2026-12-01 23:45:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "9b51e6d2c8f3"
down_revision: str | None = "3c9d2b7e41a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500
# As `capacity_exit.disclosure.content` had them when this was written.
_LISTS = ("responsible_departments", "involved_departments")
_ITEMS = {"confirmations": "department"}

disclosures = sa.table("disclosures", sa.column("id", sa.Uuid()), sa.column("content", sa.JSON()))
departments = sa.table(
    "departments", sa.column("code", sa.String(32)), sa.column("name", sa.String(200))
)


def _mapped(content: dict[str, Any], each: Callable[[Any], Any]) -> dict[str, Any]:
    mapped = dict(content)
    for field in _LISTS:
        if isinstance(mapped.get(field), list):
            mapped[field] = [each(ref) for ref in mapped[field]]
    for field, sub in _ITEMS.items():
        if isinstance(mapped.get(field), list):
            mapped[field] = [
                {**item, sub: each(item[sub])} if isinstance(item, dict) and sub in item else item
                for item in mapped[field]
            ]
    return mapped


def _rewrite(each: Callable[[Any], Any]) -> None:
    """Apply `each` to every department reference of every stored notice version."""
    bind = op.get_bind()
    text = sa.cast(disclosures.c.content, sa.Text)
    rows = bind.execute(
        sa.select(disclosures.c.id, disclosures.c.content).where(
            sa.or_(text.like("%departments%"), text.like("%confirmations%"))
        )
    ).all()
    update = (
        disclosures.update()
        .where(disclosures.c.id == sa.bindparam("row_id"))
        .values(content=sa.bindparam("new_content"))
    )
    chunk: list[dict[str, Any]] = []
    for row_id, content in rows:
        new = _mapped(content, each)
        if new != content:
            chunk.append({"row_id": row_id, "new_content": new})
        if len(chunk) >= _CHUNK:
            bind.execute(update, chunk)
            chunk = []
    if chunk:
        bind.execute(update, chunk)


def upgrade() -> None:
    names = dict(op.get_bind().execute(sa.select(departments.c.code, departments.c.name)).all())
    _rewrite(
        lambda ref: {"code": ref, "name": names.get(ref, ref)} if isinstance(ref, str) else ref
    )


def downgrade() -> None:
    _rewrite(lambda ref: ref["code"] if isinstance(ref, dict) else ref)
