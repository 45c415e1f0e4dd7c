"""The audits' tables (SQLAlchemy 2). The schema is owned by the Alembic revisions in
`audits/migrations/versions` (branch `audits`); a test checks that these classes match them.

`audits`          the registry: one row per audit, its spec as JSON, its schedule state
`audit_runs`      one row per run: state, timings, worker, and the columns dashboards need
`audit_run_counts` cookies by (phase, category) per run
`audit_findings`  one row per finding of a run: "new since" and "resolved" are plain queries
`audit_documents` the scan document of a run, gzip-compressed, with its SHA-256
`audit_site_locks` at most one scan of a site at a time (a lease renewed by a heartbeat)
`audit_summaries` per audit, what the overview shows: its latest finished run and the trend of
                  its recent runs, rewritten when a run of the audit finishes (`audits.summary`)
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED)


class Trigger(StrEnum):
    SCHEDULE = "schedule"  # a slot of the audit's schedule
    MANUAL = "manual"  # `audit run NAME`


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and
    PostgreSQL alike; stored as naive UTC so SQLite compares them in order."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class AuditRow(Base):
    __tablename__ = "audits"
    __table_args__ = (Index("ix_audits_due", "paused", "removed", "next_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255), index=True)
    spec: Mapped[str] = mapped_column(Text)  # AuditSpec as canonical JSON
    cron: Mapped[str] = mapped_column(String(100))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_slot: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    run_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunRow(Base):
    __tablename__ = "audit_runs"
    __table_args__ = (
        UniqueConstraint("audit_id", "slot", name="uq_audit_runs_slot"),
        UniqueConstraint("audit_id", "number", name="uq_audit_runs_number"),
        Index("ix_audit_runs_state", "state", "not_before"),
        Index("ix_audit_runs_audit_finished", "audit_id", "state", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the audit
    trigger: Mapped[str] = mapped_column(String(16))
    slot: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # what the scan found, as columns for dashboards and trends (None until it succeeded)
    scan_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pages_visited: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages_skipped: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cookies: Mapped[int | None] = mapped_column(Integer, nullable=True)
    third_party_hosts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings_critical: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings_high: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings_medium: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings_low: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings_info: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reject_banner: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # what changed since the previous successful run, and what was done about it
    baseline_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changes: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    alert: Mapped[str | None] = mapped_column(String(16), nullable=True)
    declaration: Mapped[str | None] = mapped_column(String(16), nullable=True)


class RunCountRow(Base):
    __tablename__ = "audit_run_counts"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    cookies: Mapped[int] = mapped_column(Integer)


class FindingRow(Base):
    __tablename__ = "audit_findings"
    __table_args__ = (Index("ix_audit_findings_run_key", "run_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # sha256 of (rule, title, subject)
    rule_id: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)


class DocumentRow(Base):
    __tablename__ = "audit_documents"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))  # of the uncompressed scan.json
    size: Mapped[int] = mapped_column(Integer)  # uncompressed bytes
    gzip: Mapped[bytes] = mapped_column(LargeBinary)


class SiteLockRow(Base):
    __tablename__ = "audit_site_locks"

    site: Mapped[str] = mapped_column(String(255), primary_key=True)  # registrable domain
    run_id: Mapped[int] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SummaryRow(Base):
    __tablename__ = "audit_summaries"

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True
    )
    latest_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: JSON list of trend points of the last TREND_RUNS runs (None: not computed yet)
    trend: Mapped[str | None] = mapped_column(Text, nullable=True)
