"""Database models (SQLAlchemy 2). The schema itself is owned by the Alembic migrations in
``consent_api/migrations/versions`` (branch ``consent`` of the product database); these classes
must match them (a test compares the two).

A site's chain is a sequence of entries numbered ``seq`` 1, 2, 3...: consent records
(``consent_records``) and purge entries (``purge_log``), each hashed over its content and the
previous entry's hash. Records are only ever deleted by a purge past retention, which is itself
an entry of the chain, signed. ``checkpoints`` are signed copies of a chain's head.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
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


class Source(StrEnum):
    """Who posted a record: a banner in a browser (its ``Origin`` is registered for the site)
    or the site's own server (no ``Origin``, authenticated by the site's server key)."""

    BROWSER = "browser"
    SERVER = "server"


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
    # SHA-256 of the key that lets the site's own server post without an Origin (optional).
    server_key_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


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
        Index("uq_consent_records_site_idempotency", "site_id", "idempotency_key", unique=True),
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
    # 1: records made before hashes covered the site key and the source (site_id instead).
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # Source; None in v1
    # The same post sent twice has the same key: the database stores it once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Impression(Base):
    """Banner shown, counted per site and day (no personal data)."""

    __tablename__ = "impressions"
    __table_args__ = (UniqueConstraint("site_id", "day", name="uq_impressions_site_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(BigInt)


class PurgeLog(Base):
    """One purge past retention, an entry of the chain at ``seq``: entries ``from_seq`` to
    ``up_to_seq`` were deleted (``deleted`` records), ``anchor_hash`` is the hash of entry
    ``up_to_seq``, the first entry kept links to it. Hashed like a record and signed with the
    ledger's key (Ed25519), so that a purge cannot be forged by someone with only the database.

    Rows made before purges were chained (``seq`` None) are reported by verification: they
    cannot be told from a forgery.
    """

    __tablename__ = "purge_log"
    __table_args__ = (Index("uq_purge_log_site_seq", "site_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    purged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cutoff: Mapped[str] = mapped_column(String(32))
    up_to_seq: Mapped[int] = mapped_column(BigInt)
    deleted: Mapped[int] = mapped_column(BigInt)
    anchor_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    from_seq: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    purged_at_iso: Mapped[str | None] = mapped_column(String(32), nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(128), nullable=True)


class Checkpoint(Base):
    """A signed statement "site S's chain had entry ``seq`` with hash ``hash`` at
    ``signed_at``" (Ed25519 over its canonical JSON). Copies held outside the database (the
    auditor's, a transparency log, visitors' receipts) anchor the chain."""

    __tablename__ = "checkpoints"
    __table_args__ = (Index("uq_checkpoints_site_seq", "site_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    seq: Mapped[int] = mapped_column(BigInt)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, microseconds, "Z"
    key_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32-byte key
    signature: Mapped[str] = mapped_column(String(128))  # base64 of the 64-byte signature


class Declaration(Base):
    """A site's cookie declaration as generated by an audit (an opaque JSON object), served at
    ``GET /v1/sites/KEY/declaration``; the newest row of a site is the current one."""

    __tablename__ = "consent_declarations"
    __table_args__ = (Index("ix_consent_declarations_site", "site_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    document: Mapped[str] = mapped_column(Text)  # canonical JSON
    sha256: Mapped[str] = mapped_column(String(64))  # of the document: the ETag
    generated_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC
    source: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
