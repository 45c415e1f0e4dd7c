"""Reading the history of audits: the query API of dashboards, reports and alerts.

Stable interface (the dashboard reads history only through it):

    history = History(engine)
    history.latest_runs()                       # every active audit with its latest run
    history.overview()                          # ... and the trend of its last 12 runs
    history.runs("shop", limit=50)              # newest first
    history.run("shop", 12)                     # run number 12 of the audit
    history.latest_run("shop")                  # latest succeeded run (state=None: any)
    history.previous_success("shop", before=12)
    history.trend("shop", limit=365)            # oldest first: counts per succeeded run
    history.findings(run_id)
    history.findings_new(old_run_id, new_run_id)
    history.findings_resolved(old_run_id, new_run_id)
    history.scan(run_id)                        # the stored Scan document (checked)

Every method is one read transaction; records are frozen dataclasses (`audits.records`).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from audits.db import read_session, run_retrying
from audits.errors import AuditError, AuditNotFoundError
from audits.models import (
    AuditRow,
    DocumentRow,
    FindingRow,
    RunCountRow,
    RunRow,
    RunState,
    SummaryRow,
)
from audits.records import AuditInfo, FindingInfo, RunInfo, TrendPoint
from audits.summary import TREND_COLUMNS, compute_trends, loads, point
from scanner.model import Scan, Severity

T = TypeVar("T")

#: run numbers are an INTEGER column: past this one no run can exist (and PostgreSQL or SQLite
#: would raise rather than compare)
MAX_RUN_NUMBER = 2**31 - 1


class History:
    def __init__(self, engine: Engine, *, retry_s: float = 30.0) -> None:
        """`retry_s`: how long a lost or locked database is retried (a web request passes a
        short one: see the dashboard's DB_RETRY_SECONDS)."""
        self.engine = engine
        self.retry_s = retry_s

    def _read(self, work: Callable[[Session], T]) -> T:
        def once() -> T:
            with read_session(self.engine) as session:
                return work(session)

        return run_retrying(self.retry_s, once)

    @staticmethod
    def _audit(session: Session, audit: str | int) -> AuditRow:
        column = AuditRow.id if isinstance(audit, int) else AuditRow.name
        row = session.scalars(select(AuditRow).where(column == audit)).first()
        if row is None:
            raise AuditNotFoundError(f"no audit named {audit!r}")
        return row

    def latest_runs(self) -> list[tuple[AuditInfo, RunInfo | None]]:
        """Every active audit (by name) with its latest finished run, succeeded or not."""
        return [(audit, run) for audit, run, _ in self.overview(trends=False)]

    def overview(
        self, *, trends: bool = True
    ) -> list[tuple[AuditInfo, RunInfo | None, list[TrendPoint]]]:
        """Every active audit (by name) with its latest finished run and the succeeded runs
        among its last `TREND_RUNS` runs, oldest first (empty unless `trends`): one row per
        audit, from the summaries the store keeps (`audits.summary`)."""

        def work(session: Session) -> list[tuple[AuditInfo, RunInfo | None, list[TrendPoint]]]:
            conn = session.connection()  # plain rows: no ORM objects for thousands of audits
            audits = AuditRow.__table__
            latest = RunRow.__table__.alias("latest")
            summaries = SummaryRow.__table__
            query = (
                select(audits, summaries.c.trend, *(c.label(f"run_{c.name}") for c in latest.c))
                .outerjoin(summaries, summaries.c.audit_id == audits.c.id)
                .outerjoin(latest, latest.c.id == summaries.c.latest_run_id)
                .where(audits.c.removed.is_(False))
                .order_by(audits.c.name)
            )
            rows = conn.execute(query).all()
            missing = [r.id for r in rows if r.trend is None] if trends else []
            computed = compute_trends(conn, missing)
            out = []
            for r in rows:
                audit = AuditInfo.of(r)
                run = RunInfo.of(_Prefixed(r, "run_"), audit.name) if r.run_id else None
                points = (loads(r.trend) if r.trend else computed.get(r.id, [])) if trends else []
                out.append((audit, run, points))
            return out

        return self._read(work)

    def runs(
        self,
        audit: str | int,
        *,
        limit: int = 50,
        before: int | None = None,
        state: RunState | None = None,
    ) -> list[RunInfo]:
        """Runs of an audit, newest first; `before` a run number to page backwards."""

        def work(session: Session) -> list[RunInfo]:
            row = self._audit(session, audit)
            query = select(RunRow).where(RunRow.audit_id == row.id)
            if before is not None:
                query = query.where(RunRow.number < min(before, MAX_RUN_NUMBER + 1))
            if state is not None:
                query = query.where(RunRow.state == state.value)
            query = query.order_by(RunRow.number.desc()).limit(limit)
            return [RunInfo.of(r, row.name) for r in session.scalars(query)]

        return self._read(work)

    def run(self, audit: str | int, number: int) -> RunInfo:
        def work(session: Session) -> RunInfo:
            row = self._audit(session, audit)
            if not 0 < number <= MAX_RUN_NUMBER:  # the database would refuse to compare it
                raise AuditNotFoundError(f"audit {row.name!r} has no run number {number}")
            run = session.scalars(
                select(RunRow).where(RunRow.audit_id == row.id, RunRow.number == number)
            ).first()
            if run is None:
                raise AuditNotFoundError(f"audit {row.name!r} has no run number {number}")
            return RunInfo.of(run, row.name)

        return self._read(work)

    def run_by_id(self, run_id: int) -> RunInfo:
        def work(session: Session) -> RunInfo:
            run = session.get(RunRow, run_id)
            if run is None:
                raise AuditNotFoundError(f"no run with id {run_id}")
            audit = session.get(AuditRow, run.audit_id)
            return RunInfo.of(run, audit.name if audit else "?")

        return self._read(work)

    def latest_run(
        self, audit: str | int, *, state: RunState | None = RunState.SUCCEEDED
    ) -> RunInfo | None:
        runs = self.runs(audit, limit=1, state=state)
        return runs[0] if runs else None

    def previous_success(self, audit: str | int, *, before: int) -> RunInfo | None:
        runs = self.runs(audit, limit=1, before=before, state=RunState.SUCCEEDED)
        return runs[0] if runs else None

    def trend(self, audit: str | int, *, limit: int = 365) -> list[TrendPoint]:
        """The last `limit` succeeded runs, oldest first, with cookies by phase and category."""

        def work(session: Session) -> list[TrendPoint]:
            row = self._audit(session, audit)
            runs = list(
                session.execute(
                    select(*TREND_COLUMNS)
                    .where(RunRow.audit_id == row.id, RunRow.state == RunState.SUCCEEDED.value)
                    .order_by(RunRow.number.desc())
                    .limit(limit)
                ).all()
            )
            runs.reverse()
            if not runs:
                return []
            by_run: dict[int, dict[str, dict[str, int]]] = {r.id: {} for r in runs}
            counts: Select[int, str, str, int] = select(
                RunCountRow.run_id, RunCountRow.phase, RunCountRow.category, RunCountRow.cookies
            ).where(RunCountRow.run_id.in_([r.id for r in runs]))
            for run_id, phase, category, n in session.execute(counts):
                by_run[run_id].setdefault(phase, {})[category] = n
            return [point(r, by_run[r.id]) for r in runs]

        return self._read(work)

    def findings(self, run_id: int) -> list[FindingInfo]:
        return self._read(
            lambda s: _findings(s, select(FindingRow).where(FindingRow.run_id == run_id))
        )

    def findings_new(self, old_run_id: int, new_run_id: int) -> list[FindingInfo]:
        """Findings of the new run that the old run did not have."""
        return self._read(lambda s: _findings(s, _except(new_run_id, old_run_id)))

    def findings_resolved(self, old_run_id: int, new_run_id: int) -> list[FindingInfo]:
        """Findings of the old run that the new run no longer has."""
        return self._read(lambda s: _findings(s, _except(old_run_id, new_run_id)))

    def scan(self, run_id: int) -> Scan:
        """The scan document of a run, checked against its stored SHA-256."""

        def work(session: Session) -> Scan:
            doc = session.get(DocumentRow, run_id)
            if doc is None:
                raise AuditNotFoundError(f"run {run_id} has no scan document")
            raw = gzip.decompress(doc.gzip)
            if hashlib.sha256(raw).hexdigest() != doc.sha256:
                raise AuditError(f"run {run_id}: the stored scan document does not match its hash")
            return Scan.model_validate_json(raw)

        return self._read(work)


class _Prefixed:
    """The columns of a row named with a prefix, read without it (`run_id` as `id`)."""

    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


def _except(run_id: int, other_run_id: int) -> Select[FindingRow]:
    other = select(FindingRow.key).where(FindingRow.run_id == other_run_id)
    return select(FindingRow).where(FindingRow.run_id == run_id, FindingRow.key.not_in(other))


def _findings(session: Session, query: Select[FindingRow]) -> list[FindingInfo]:
    rows = session.scalars(query.order_by(FindingRow.id)).all()
    out = [
        FindingInfo(
            run_id=r.run_id,
            key=r.key,
            rule_id=r.rule_id,
            severity=Severity(r.severity),
            title=r.title,
            subject=r.subject,
        )
        for r in rows
    ]
    return sorted(out, key=lambda f: -f.severity.rank)
