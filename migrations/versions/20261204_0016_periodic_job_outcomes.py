"""periodic job outcomes (issue 16)

How many of a periodic job's runs failed and when one last succeeded, for /metrics
(`capexit_periodic_job_runs_total` by outcome, `..._last_success_timestamp_seconds`).
Rows already there: failures counted as one where the last run failed (earlier ones are
not known), the last success where the last run succeeded.

Revision ID: 5e1b8f0c7a23
Revises: 3c7d2e9a41b6
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1b8f0c7a23"
down_revision: str | None = "3c7d2e9a41b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("periodic_jobs") as batch_op:
        batch_op.add_column(
            sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("last_succeeded_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE periodic_jobs SET failures = 1 "
        "WHERE last_error IS NOT NULL AND last_finished_at IS NOT NULL"
    )
    op.execute(
        "UPDATE periodic_jobs SET last_succeeded_at = last_finished_at "
        "WHERE last_error IS NULL AND last_finished_at IS NOT NULL"
    )
    with op.batch_alter_table("periodic_jobs") as batch_op:
        batch_op.alter_column("failures", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("periodic_jobs") as batch_op:
        batch_op.drop_column("last_succeeded_at")
        batch_op.drop_column("failures")
