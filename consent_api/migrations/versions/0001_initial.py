"""Initial schema: sites, admin keys, the consent ledger, impressions, purge log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = ("consent",)
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("origins", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("policy_versions", sa.Text(), nullable=False),
        sa.Column("banner_revision", sa.Integer(), nullable=False),
        sa.Column("banner_revisions", sa.Text(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("ip_policy", sa.String(16), nullable=False),
        sa.Column("reconsent_after_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("head_seq", BigInt, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "admin_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", BigInt, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("seq", BigInt, nullable=False),
        sa.Column("consent_id", sa.String(36), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("banner_revision", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column("page_url", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("gpc", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("client_ts", sa.String(32), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("site_id", "seq", name="uq_consent_records_site_seq"),
    )
    op.create_index(
        "ix_consent_records_site_consent", "consent_records", ["site_id", "consent_id", "seq"]
    )
    op.create_index("ix_consent_records_site_time", "consent_records", ["site_id", "recorded_at"])
    op.create_table(
        "impressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", BigInt, nullable=False),
        sa.UniqueConstraint("site_id", "day", name="uq_impressions_site_day"),
    )
    op.create_table(
        "purge_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff", sa.String(32), nullable=False),
        sa.Column("up_to_seq", BigInt, nullable=False),
        sa.Column("deleted", BigInt, nullable=False),
        sa.Column("anchor_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("purge_log")
    op.drop_table("impressions")
    op.drop_index("ix_consent_records_site_time", "consent_records")
    op.drop_index("ix_consent_records_site_consent", "consent_records")
    op.drop_table("consent_records")
    op.drop_table("admin_keys")
    op.drop_table("sites")
