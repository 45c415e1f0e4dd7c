"""Tamper evidence and idempotency: hash version and source of records, a unique idempotency
key, purges as signed chain entries, signed checkpoints, per-site server keys, cookie
declarations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "consent_records",
        sa.Column("hash_version", sa.SmallInteger(), nullable=False, server_default=sa.text("1")),
    )
    op.add_column("consent_records", sa.Column("source", sa.String(16), nullable=True))
    op.add_column("consent_records", sa.Column("idempotency_key", sa.String(64), nullable=True))
    op.create_index(
        "uq_consent_records_site_idempotency",
        "consent_records",
        ["site_id", "idempotency_key"],
        unique=True,
    )
    op.add_column("sites", sa.Column("server_key_sha256", sa.String(64), nullable=True))
    for name, kind in (
        ("seq", BigInt),
        ("from_seq", BigInt),
        ("purged_at_iso", sa.String(32)),
        ("prev_hash", sa.String(64)),
        ("hash", sa.String(64)),
        ("key_id", sa.String(32)),
        ("signature", sa.String(128)),
    ):
        op.add_column("purge_log", sa.Column(name, kind, nullable=True))
    op.create_index("uq_purge_log_site_seq", "purge_log", ["site_id", "seq"], unique=True)
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("seq", BigInt, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    op.create_index("uq_checkpoints_site_seq", "checkpoints", ["site_id", "seq"], unique=True)
    op.create_table(
        "consent_declarations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("generated_at", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_consent_declarations_site", "consent_declarations", ["site_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_consent_declarations_site", "consent_declarations")
    op.drop_table("consent_declarations")
    op.drop_index("uq_checkpoints_site_seq", "checkpoints")
    op.drop_table("checkpoints")
    op.drop_index("uq_purge_log_site_seq", "purge_log")
    with op.batch_alter_table("purge_log") as batch:
        for name in (
            "signature",
            "key_id",
            "hash",
            "prev_hash",
            "purged_at_iso",
            "from_seq",
            "seq",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("server_key_sha256")
    op.drop_index("uq_consent_records_site_idempotency", "consent_records")
    with op.batch_alter_table("consent_records") as batch:
        for name in ("idempotency_key", "source", "hash_version"):
            batch.drop_column(name)
