"""report evidence (issue 17)

One row per evidence file of a report: the digest of the cleaned file in the blob store
(core.blobs), its sniffed content type and size, when and by whom (reporter or
department) it was added. The same file twice on one report is one row.

Revision ID: b17e0a190019
Revises: 9a4c6e2f7d18
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b17e0a190019"
down_revision: str | None = "9a4c6e2f7d18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_evidence_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_evidence")),
        sa.UniqueConstraint("report_id", "digest", name=op.f("uq_report_evidence_report_id")),
    )
    with op.batch_alter_table("report_evidence") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_evidence_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_evidence") as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_evidence_report_id"))
    op.drop_table("report_evidence")
