"""reports and their history (issue 17)

The public report platform (举报平台, 一(一)5): one row per report, with its receipt (the
tracking code; the secret only as an argon2 hash), the reporter's contact as one
AES-GCM sealed blob (never plaintext), its state, handling departments, due dates and
conclusion; and its history. No client address, user agent or request id is stored.

Revision ID: 9a4c2f7e1d30
Revises: 5e1b8f0c7a23
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4c2f7e1d30"
down_revision: str | None = "5e1b8f0c7a23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tracking_code", sa.String(length=12), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("idempotency_digest", sa.String(length=64), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("enterprise_credit_code", sa.String(length=18), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("enterprise_address", sa.String(length=500), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("lead_department_code", sa.String(length=32), nullable=False),
        sa.Column("handling_departments", sa.JSON(), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("disputed_notice_id", sa.Uuid(), nullable=True),
        sa.Column("what_was_seen", sa.Text(), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=True),
        sa.Column("location_address", sa.String(length=500), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("acceptance_due", sa.Date(), nullable=False),
        sa.Column("acceptance_due_provisional", sa.Boolean(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("conclusion_due", sa.Date(), nullable=True),
        sa.Column("conclusion_due_provisional", sa.Boolean(), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=32), nullable=True),
        sa.Column("related_report_id", sa.Uuid(), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("public_text", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(length=16), nullable=True),
        sa.Column("objection_used", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disputed_notice_id"],
            ["disclosures.id"],
            name=op.f("fk_reports_disputed_notice_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_reports_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_reports_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_code"],
            ["departments.code"],
            name=op.f("fk_reports_lead_department_code_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["related_report_id"], ["reports.id"], name=op.f("fk_reports_related_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("idempotency_digest", name=op.f("uq_reports_idempotency_digest")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_reports_tracking_code")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reports_acceptance_due"), ["acceptance_due"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_conclusion_due"), ["conclusion_due"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_disputed_notice_id"), ["disputed_notice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_enterprise_credit_code"),
            ["enterprise_credit_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reports_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_lead_department_code"), ["lead_department_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_status"), ["status"], unique=False)

    op.create_table(
        "report_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_events_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
        sa.UniqueConstraint("report_id", "sequence", name=op.f("uq_report_events_report_id")),
    )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_events_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_events_report_id"))

    op.drop_table("report_events")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_status"))
        batch_op.drop_index(batch_op.f("ix_reports_lead_department_code"))
        batch_op.drop_index(batch_op.f("ix_reports_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_reports_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_reports_enterprise_credit_code"))
        batch_op.drop_index(batch_op.f("ix_reports_disputed_notice_id"))
        batch_op.drop_index(batch_op.f("ix_reports_conclusion_due"))
        batch_op.drop_index(batch_op.f("ix_reports_category"))
        batch_op.drop_index(batch_op.f("ix_reports_acceptance_due"))

    op.drop_table("reports")
