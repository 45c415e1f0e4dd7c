"""Consent statistics rollup: counts per site, day, action, choices, revision, policy, language.

Revision ID: accounts_0002
Revises: accounts_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts_0002"
down_revision = "accounts_0001"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dashboard_consent_rollup",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("choices", sa.String(2000), nullable=False),
        sa.Column("banner_revision", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("records", BigInt, nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id",
            "day",
            "action",
            "choices",
            "banner_revision",
            "policy_version",
            "language",
            name="pk_dashboard_consent_rollup",
        ),
    )
    op.create_table(
        "dashboard_consent_rollup_state",
        sa.Column("site_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("upto_seq", BigInt, nullable=False),
        sa.Column("first_seq", BigInt, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dashboard_consent_rollup_state")
    op.drop_table("dashboard_consent_rollup")
