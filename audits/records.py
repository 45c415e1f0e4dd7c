"""What the store hands out: frozen records, never ORM rows (no session leaks out)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from audits.models import AuditRow, RunRow, RunState, Trigger
from audits.spec import AuditSpec
from scanner.model import Severity

SEVERITIES: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)


@lru_cache(maxsize=4096)
def _spec(text: str) -> AuditSpec:
    """Specs are stored validated and are immutable: one validation per distinct text (the
    overview lists every audit on each view)."""
    return AuditSpec.model_validate_json(text)


@dataclass(frozen=True)
class AuditInfo:
    id: int
    name: str
    spec: AuditSpec
    paused: bool
    removed: bool
    next_due_at: datetime | None
    last_slot: datetime | None
    run_count: int
    created_at: datetime
    updated_at: datetime

    @property
    def url(self) -> str:
        return self.spec.url

    @classmethod
    def of(cls, row: AuditRow | Any) -> AuditInfo:
        """From an ORM row or a plain row with the same column names."""
        return cls(
            id=row.id,
            name=row.name,
            spec=_spec(row.spec),
            paused=row.paused,
            removed=row.removed,
            next_due_at=row.next_due_at,
            last_slot=row.last_slot,
            run_count=row.run_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class RunInfo:
    """One run: its state and timings, and what the scan found (None until it succeeded)."""

    id: int
    audit_id: int
    audit: str
    number: int
    trigger: Trigger
    slot: datetime | None
    state: RunState
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    worker: str | None
    attempts: int
    error: str | None
    error_kind: str | None
    scan_status: str | None
    pages_visited: int | None
    pages_skipped: int | None
    cookies: int | None
    third_party_hosts: int | None
    findings_by_severity: dict[str, int]
    reject_banner: str | None
    baseline_run_id: int | None
    changes: dict[str, Any] | None
    alert: str | None
    declaration: str | None

    @property
    def findings(self) -> int:
        return sum(self.findings_by_severity.values())

    def worst_at_least(self, severity: Severity) -> int:
        """How many findings of this run reach `severity`."""
        return sum(
            n for s, n in self.findings_by_severity.items() if Severity(s).rank >= severity.rank
        )

    @classmethod
    def of(cls, row: RunRow | Any, audit: str) -> RunInfo:
        """From an ORM row or a plain row with the same column names."""
        by_severity: dict[str, int] = {}
        if row.state == RunState.SUCCEEDED:
            for sev in SEVERITIES:
                by_severity[sev.value] = getattr(row, f"findings_{sev.value}") or 0
        return cls(
            id=row.id,
            audit_id=row.audit_id,
            audit=audit,
            number=row.number,
            trigger=Trigger(row.trigger),
            slot=row.slot,
            state=RunState(row.state),
            queued_at=row.queued_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            duration_s=row.duration_s,
            worker=row.worker,
            attempts=row.attempts,
            error=row.error,
            error_kind=row.error_kind,
            scan_status=row.scan_status,
            pages_visited=row.pages_visited,
            pages_skipped=row.pages_skipped,
            cookies=row.cookies,
            third_party_hosts=row.third_party_hosts,
            findings_by_severity=by_severity,
            reject_banner=row.reject_banner,
            baseline_run_id=row.baseline_run_id,
            changes=json.loads(row.changes) if row.changes else None,
            alert=row.alert,
            declaration=row.declaration,
        )


@dataclass(frozen=True)
class FindingInfo:
    run_id: int
    key: str
    rule_id: str
    severity: Severity
    title: str
    subject: str | None


@dataclass(frozen=True)
class TrendPoint:
    """One succeeded run of an audit, as a dashboard plots it."""

    run_id: int
    number: int
    started_at: datetime
    scan_status: str
    pages_visited: int
    pages_skipped: int
    cookies: int
    third_party_hosts: int
    findings_by_severity: dict[str, int]
    #: phase -> category -> number of cookies
    cookies_by_category: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def nothing_changed(self) -> bool:
        return not (self.added or self.changed or self.removed)
