"""Audits: one summary row per audit (latest finished run, recent trend) for the overview.

Revision ID: audits_0002
Revises: audits_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audits_0002"
down_revision = "audits_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_summaries",
        sa.Column(
            "audit_id",
            sa.Integer(),
            sa.ForeignKey("audits.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("latest_run_id", sa.Integer(), nullable=True),
        sa.Column("trend", sa.Text(), nullable=True),
    )
    # the latest finished run of every audit that has one; the trend (NULL) is computed when
    # read until the audit's next run rewrites the row
    op.execute(
        """
        INSERT INTO audit_summaries (audit_id, latest_run_id, trend)
        SELECT a.id,
               (SELECT r.id FROM audit_runs r
                 WHERE r.audit_id = a.id AND r.finished_at IS NOT NULL
                 ORDER BY r.number DESC LIMIT 1),
               NULL
          FROM audits a
        """
    )


def downgrade() -> None:
    op.drop_table("audit_summaries")
