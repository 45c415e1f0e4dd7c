"""The dashboard's tables (SQLAlchemy Core). The schema is owned by the Alembic revisions in
``dashboard/migrations/versions`` (branch ``accounts``); a test compares the two.

- ``dashboard_users``: people who sign in, with an argon2 hash and a role.
- ``dashboard_sessions``: one row per signed-in browser. The session cookie carries a random
  token; only its SHA-256 is stored, so a copy of the database cannot be turned into a login.
  Logging out deletes the row, changing a password deletes every row of that user: a copied
  cookie dies with it (a signed cookie alone could not be revoked).
- ``dashboard_secrets``: the key that signs session cookies and CSRF tokens when no
  ``SECRET_KEY`` is configured, made once and shared by every worker and machine.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

metadata = MetaData()
BigInt = BigInteger().with_variant(Integer(), "sqlite")

USERS = Table(
    "dashboard_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("lang", String(8), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

SESSIONS = Table(
    "dashboard_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("dashboard_users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_dashboard_sessions_user", "user_id"),
)

SECRETS = Table(
    "dashboard_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Consent statistics kept up to date from the ledger (see :mod:`dashboard.consent_stats`):
#: record counts per site, UTC day and everything a page splits on. Counts only.
CONSENT_ROLLUP = Table(
    "dashboard_consent_rollup",
    metadata,
    Column("site_id", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("action", String(16), nullable=False),
    Column("choices", String(2000), nullable=False),
    Column("banner_revision", Integer, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("language", String(35), nullable=False),
    Column("records", BigInt, nullable=False),
    PrimaryKeyConstraint(
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

#: How far the rollup of each site has read the ledger: records up to ``upto_seq``, and the
#: chain's first record when it did (a purge moves it, and the site's rollup is rebuilt).
CONSENT_ROLLUP_STATE = Table(
    "dashboard_consent_rollup_state",
    metadata,
    Column("site_id", Integer, primary_key=True, autoincrement=False),
    Column("upto_seq", BigInt, nullable=False),
    Column("first_seq", BigInt, nullable=False),
)
