"""Database models (SQLAlchemy 2). The schema itself is owned by the Alembic migrations in
``consent_api/migrations``; these classes must match them (a test compares the two).

``consent_records`` is append-only: rows are inserted by :mod:`consent_api.ledger` and only
ever deleted by a purge past retention, which writes a :class:`PurgeLog` anchor first.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

GENESIS_HASH = "0" * 64


class Action(StrEnum):
    ACCEPT_ALL = "accept_all"
    REJECT_ALL = "reject_all"
    CUSTOM = "custom"
    WITHDRAW = "withdraw"
    GPC = "gpc"


class IpPolicy(StrEnum):
    """What a site keeps of the visitor's IP address: nothing (default) or a /24 or /48."""

    NONE = "none"
    TRUNCATED = "truncated"


class Base(DeclarativeBase):
    pass


BigInt = BigInteger().with_variant(Integer(), "sqlite")


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[str] = mapped_column(Text)  # JSON list of "https://host[:port]"
    categories: Mapped[str] = mapped_column(Text)  # JSON list of category objects
    policy_version: Mapped[str] = mapped_column(String(64))
    policy_versions: Mapped[str] = mapped_column(Text)  # JSON list: every version ever current
    banner_revision: Mapped[int] = mapped_column(Integer)
    banner_revisions: Mapped[str] = mapped_column(Text)  # JSON list of ints
    retention_days: Mapped[int] = mapped_column(Integer)
    ip_policy: Mapped[str] = mapped_column(String(16))
    reconsent_after_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The head of the hash chain: appended under a lock on this row.
    head_seq: Mapped[int] = mapped_column(BigInt)
    head_hash: Mapped[str] = mapped_column(String(64))


class AdminKey(Base):
    """An admin key: ``ca_<key_id>_<secret>``; only SHA-256(secret) is stored. ``site_id``
    None means a global key (may register sites)."""

    __tablename__ = "admin_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsentRecord(Base):
    __tablename__ = "consent_records"
    __table_args__ = (
        UniqueConstraint("site_id", "seq", name="uq_consent_records_site_seq"),
        Index("ix_consent_records_site_consent", "site_id", "consent_id", "seq"),
        Index("ix_consent_records_site_time", "site_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    seq: Mapped[int] = mapped_column(BigInt)
    consent_id: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, microseconds, "Z"
    choices: Mapped[str] = mapped_column(Text)  # canonical JSON object category -> bool
    action: Mapped[str] = mapped_column(String(16))
    policy_version: Mapped[str] = mapped_column(String(64))
    banner_revision: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(35), nullable=True)
    page_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_agent: Mapped[str | None] = mapped_column(Text, nullable=True)
    gpc: Mapped[bool] = mapped_column(Boolean)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Impression(Base):
    """Banner shown, counted per site and day (no personal data)."""

    __tablename__ = "impressions"
    __table_args__ = (UniqueConstraint("site_id", "day", name="uq_impressions_site_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(BigInt)


class PurgeLog(Base):
    """One purge past retention: records with seq <= ``up_to_seq`` were deleted and
    ``anchor_hash`` (the hash of the last one) is the genesis the chain is verified from."""

    __tablename__ = "purge_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    purged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cutoff: Mapped[str] = mapped_column(String(32))
    up_to_seq: Mapped[int] = mapped_column(BigInt)
    deleted: Mapped[int] = mapped_column(BigInt)
    anchor_hash: Mapped[str] = mapped_column(String(64))
