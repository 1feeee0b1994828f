"""spent challenges (issue 17)

One row per proof-of-work challenge (ALTCHA, core.challenge) whose solution was accepted:
its HMAC signature is the primary key, so a solution is spent once across every process.
Rows are pruned by the worker (`report_challenge_prune`) once their challenge expired.

Revision ID: 9a4c6e2f7d18
Revises: 9a4c2f7e1d30
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4c6e2f7d18"
down_revision: str | None = "9a4c2f7e1d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spent_challenges",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_spent_challenges")),
    )
    with op.batch_alter_table("spent_challenges") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spent_challenges_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("spent_challenges") as batch_op:
        batch_op.drop_index(batch_op.f("ix_spent_challenges_expires_at"))
    op.drop_table("spent_challenges")
