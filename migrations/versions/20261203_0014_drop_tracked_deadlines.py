"""drop tracked deadlines: deadlines are computed on read (issue 15)

`tracked_deadlines` and `deadline_changes` held stored deadlines recomputed when a year's
schedule was loaded. No feature ever registered one (only tests did): the case views
compute every deadline on read from the calendar in force (`case.deadlines`), so the
tables are always empty and are dropped. The downgrade recreates them empty.

Revision ID: 8c63c21c2170
Revises: 5821112af276
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c63c21c2170"
down_revision: str | None = "5821112af276"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_changes_object_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_changes_deadline_id"))
    op.drop_table("deadline_changes")
    with op.batch_alter_table("tracked_deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_deadlines_provisional"))
        batch_op.drop_index(batch_op.f("ix_tracked_deadlines_object_id"))
    op.drop_table("tracked_deadlines")


def downgrade() -> None:
    op.create_table(
        "tracked_deadlines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_deadlines")),
    )
    with op.batch_alter_table("tracked_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_deadlines_object_id"), ["object_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracked_deadlines_provisional"), ["provisional"], unique=False
        )
    op.create_table(
        "deadline_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deadline_id", sa.Uuid(), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("old_provisional", sa.Boolean(), nullable=False),
        sa.Column("new_provisional", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["tracked_deadlines.id"],
            name=op.f("fk_deadline_changes_deadline_id_tracked_deadlines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_changes")),
    )
    with op.batch_alter_table("deadline_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deadline_changes_deadline_id"), ["deadline_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deadline_changes_object_id"), ["object_id"], unique=False
        )
