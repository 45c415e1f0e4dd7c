"""Audits: the registry, runs, counts, findings, scan documents, site locks.

Revision ID: audits_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audits_0001"
down_revision = None
branch_labels = ("audits",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("cron", sa.String(100), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(), nullable=True),
        sa.Column("last_slot", sa.DateTime(), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_audits_host", "audits", ["host"])
    op.create_index("ix_audits_due", "audits", ["paused", "removed", "next_due_at"])
    op.create_table(
        "audit_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "audit_id",
            sa.Integer(),
            sa.ForeignKey("audits.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("slot", sa.DateTime(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("worker", sa.String(255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_kind", sa.String(32), nullable=True),
        sa.Column("scan_status", sa.String(16), nullable=True),
        sa.Column("pages_visited", sa.Integer(), nullable=True),
        sa.Column("pages_skipped", sa.Integer(), nullable=True),
        sa.Column("cookies", sa.Integer(), nullable=True),
        sa.Column("third_party_hosts", sa.Integer(), nullable=True),
        sa.Column("findings_critical", sa.Integer(), nullable=True),
        sa.Column("findings_high", sa.Integer(), nullable=True),
        sa.Column("findings_medium", sa.Integer(), nullable=True),
        sa.Column("findings_low", sa.Integer(), nullable=True),
        sa.Column("findings_info", sa.Integer(), nullable=True),
        sa.Column("reject_banner", sa.String(16), nullable=True),
        sa.Column("baseline_run_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("alert", sa.String(16), nullable=True),
        sa.Column("declaration", sa.String(16), nullable=True),
        sa.UniqueConstraint("audit_id", "slot", name="uq_audit_runs_slot"),
        sa.UniqueConstraint("audit_id", "number", name="uq_audit_runs_number"),
    )
    op.create_index("ix_audit_runs_state", "audit_runs", ["state", "not_before"])
    op.create_index(
        "ix_audit_runs_audit_finished", "audit_runs", ["audit_id", "state", "finished_at"]
    )
    op.create_table(
        "audit_run_counts",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("audit_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("phase", sa.String(16), primary_key=True),
        sa.Column("category", sa.String(32), primary_key=True),
        sa.Column("cookies", sa.Integer(), nullable=False),
    )
    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("audit_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_findings_run_key", "audit_findings", ["run_id", "key"])
    op.create_table(
        "audit_documents",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("audit_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("gzip", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "audit_site_locks",
        sa.Column("site", sa.String(255), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_site_locks",
        "audit_documents",
        "audit_findings",
        "audit_run_counts",
        "audit_runs",
        "audits",
    ):
        op.drop_table(table)
