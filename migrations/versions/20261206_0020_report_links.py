"""report links (issue 17)

What a report led to: the inspections recorded and the cases opened from it by its
handling departments, and the compliant case (and its notice) its substantiated
conclusion revoked. One row per (report, kind, target); the target has no foreign key,
as it names a row of one of three tables.

Revision ID: b17e0a200020
Revises: b17e0a190019
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b17e0a200020"
down_revision: str | None = "b17e0a190019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_department", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_department"],
            ["departments.code"],
            name=op.f("fk_report_links_created_by_department_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_links_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_links")),
        sa.UniqueConstraint(
            "report_id", "kind", "target_id", name=op.f("uq_report_links_report_id")
        ),
    )
    with op.batch_alter_table("report_links") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_links_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_links_target_id"), ["target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_links") as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_report_links_report_id"))
    op.drop_table("report_links")
