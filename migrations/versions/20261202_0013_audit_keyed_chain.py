"""audit keyed chain and published checkpoints (issue 14)

Events get `key_id`: the id of the audit key their hash is keyed with (HMAC-SHA256).
Events already recorded keep their unkeyed SHA-256 hashes and no key id: rewriting them
would destroy the evidence (and every checkpoint kept of them). They are accepted up to
`CAPEXIT_AUDIT_UNKEYED_UNTIL`, which the operator sets, outside the database, to the
position this migration prints; the first keyed event's hash covers the last unkeyed
one's, so that prefix is bound by the key as well.

`audit_checkpoints` holds the signed heads (published, append-only on PostgreSQL); the
worker's periodic ones are unique by their period's start.

Revision ID: 5821112af276
Revises: 9b51e6d2c8f3
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5821112af276"
down_revision: str | None = "9b51e6d2c8f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("period_start", name=op.f("uq_audit_checkpoints_period_start")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_checkpoints is append-only (% refused)', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE "
            "ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change()"
        )
    unkeyed = op.get_bind().execute(sa.text("SELECT max(position) FROM audit_events")).scalar()
    if unkeyed:
        print(
            f"audit: events 1-{unkeyed} were recorded before the chain was keyed; set "
            f"CAPEXIT_AUDIT_UNKEYED_UNTIL={unkeyed} (outside the database) so that verification "
            "accepts them and no later one",
            file=sys.stderr,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoints_refuse_change()")
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
