"""disclosure_publishers: who carries each notice (publisher, co-publishers), backfilled

Revision ID: 3c9d2b7e41a6
Revises: 7480b41e347e
Create Date: 2026-12-01 23:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c9d2b7e41a6"
down_revision: str | None = "7480b41e347e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1000

disclosures = sa.table(
    "disclosures",
    sa.column("id", sa.Uuid()),
    sa.column("department_code", sa.String(32)),
    sa.column("co_publishers", sa.JSON()),
)
departments = sa.table("departments", sa.column("code", sa.String(32)))
publishers = sa.table(
    "disclosure_publishers",
    sa.column("department_code", sa.String(32)),
    sa.column("disclosure_id", sa.Uuid()),
    sa.column("role", sa.String(16)),
)


def upgrade() -> None:
    op.create_table(
        "disclosure_publishers",
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["departments.code"],
            name=op.f("fk_disclosure_publishers_department_code_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosure_publishers_disclosure_id_disclosures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "department_code", "disclosure_id", name=op.f("pk_disclosure_publishers")
        ),
    )
    with op.batch_alter_table("disclosure_publishers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_publishers_disclosure_id"), ["disclosure_id"], unique=False
        )
    _backfill()


def _backfill() -> None:
    """Every stored version: its publisher in one statement, then the co-publishers of
    the few notices that have any (read here, so the JSON is read the same on both
    stores), skipping departments no longer in the reference data."""
    op.execute(
        publishers.insert().from_select(
            ["department_code", "disclosure_id", "role"],
            sa.select(
                disclosures.c.department_code,
                disclosures.c.id,
                sa.literal("publisher", sa.String(16)),
            ),
        )
    )
    bind = op.get_bind()
    known = set(bind.execute(sa.select(departments.c.code)).scalars())
    rows = bind.execute(
        sa.select(
            disclosures.c.id, disclosures.c.department_code, disclosures.c.co_publishers
        ).where(sa.cast(disclosures.c.co_publishers, sa.Text) != "[]")
    ).all()
    chunk: list[dict[str, object]] = []
    for disclosure_id, publisher, co_publishers in rows:
        codes = {c.get("code") for c in co_publishers or [] if isinstance(c, dict)}
        for code in sorted(c for c in codes if c in known and c != publisher):
            chunk.append(
                {"department_code": code, "disclosure_id": disclosure_id, "role": "co_publisher"}
            )
        if len(chunk) >= _CHUNK:
            bind.execute(publishers.insert(), chunk)
            chunk = []
    if chunk:
        bind.execute(publishers.insert(), chunk)


def downgrade() -> None:
    with op.batch_alter_table("disclosure_publishers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_publishers_disclosure_id"))
    op.drop_table("disclosure_publishers")
