"""Reading the history of audits: the query API of dashboards, reports and alerts.

Stable interface (the dashboard reads history only through it):

    history = History(engine)
    history.latest_runs()                       # every active audit with its latest run
    history.runs("shop", limit=50)              # newest first
    history.run("shop", 12)                     # run number 12 of the audit
    history.latest_run("shop")                  # latest succeeded run (state=None: any)
    history.previous_success("shop", before=12)
    history.trend("shop", limit=365)            # oldest first: counts per succeeded run
    history.trends(limit=12)                    # the same for every active audit, by audit id
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

from sqlalchemy import Engine, Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from audits.db import read_session, run_retrying
from audits.errors import AuditError, AuditNotFoundError
from audits.models import AuditRow, DocumentRow, FindingRow, RunCountRow, RunRow, RunState
from audits.records import SEVERITIES, AuditInfo, FindingInfo, RunInfo, TrendPoint
from scanner.model import Scan, Severity

T = TypeVar("T")


class History:
    def __init__(self, engine: Engine, *, retry_s: float = 30.0) -> None:
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

        def work(session: Session) -> list[tuple[AuditInfo, RunInfo | None]]:
            latest = (
                select(RunRow.audit_id, func.max(RunRow.number).label("number"))
                .where(RunRow.finished_at.is_not(None))
                .group_by(RunRow.audit_id)
                .subquery()
            )
            run = aliased(RunRow)
            query = (
                select(AuditRow, run)
                .outerjoin(latest, latest.c.audit_id == AuditRow.id)
                .outerjoin(run, and_(run.audit_id == AuditRow.id, run.number == latest.c.number))
                .where(AuditRow.removed.is_(False))
                .order_by(AuditRow.name)
            )
            return [
                (AuditInfo.of(a), RunInfo.of(r, a.name) if r is not None else None)
                for a, r in session.execute(query).all()
            ]

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
                query = query.where(RunRow.number < before)
            if state is not None:
                query = query.where(RunRow.state == state.value)
            query = query.order_by(RunRow.number.desc()).limit(limit)
            return [RunInfo.of(r, row.name) for r in session.scalars(query)]

        return self._read(work)

    def run(self, audit: str | int, number: int) -> RunInfo:
        def work(session: Session) -> RunInfo:
            row = self._audit(session, audit)
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
                    select(*_TREND_COLUMNS)
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
            return [_point(r, by_run[r.id]) for r in runs]

        return self._read(work)

    def trends(
        self, *, limit: int = 12, exempt: tuple[str, ...] = ("technical", "session")
    ) -> dict[int, list[TrendPoint]]:
        """The succeeded runs among the last `limit` runs of every active audit, oldest first,
        by audit id: the overview's sparklines, however many audits there are.

        Summed in the database: each point's `cookies_by_category` holds, per phase, one
        entry `"needs_consent"` (cookies of categories other than `exempt` and
        "unclassified") and one entry `"exempt"`, not every category (500 audits x 12 runs
        x 3 phases x 6 categories was 100,000 rows to read for two numbers per run)."""

        def work(session: Session) -> dict[int, list[TrendPoint]]:
            recent = (
                select(RunRow.id)
                .join(AuditRow, AuditRow.id == RunRow.audit_id)
                .where(
                    AuditRow.removed.is_(False),
                    RunRow.number > AuditRow.run_count - limit,
                    RunRow.state == RunState.SUCCEEDED.value,
                )
                .subquery()
            )
            conn = session.connection()  # plain rows: no ORM result processing
            runs = conn.execute(
                select(*_TREND_COLUMNS)
                .join(recent, recent.c.id == RunRow.id)
                .order_by(RunRow.audit_id, RunRow.number)
            ).all()
            counts: dict[int, dict[str, dict[str, int]]] = {r.id: {} for r in runs}
            free = RunCountRow.category.in_((*exempt, "unclassified"))
            kind = case((free, "exempt"), else_="needs_consent")
            rows = conn.execute(
                select(RunCountRow.run_id, RunCountRow.phase, kind, func.sum(RunCountRow.cookies))
                .join(recent, recent.c.id == RunCountRow.run_id)
                .group_by(RunCountRow.run_id, RunCountRow.phase, kind)
            )
            for run_id, phase, group, n in rows:
                counts[run_id].setdefault(phase, {})[group] = int(n)
            out: dict[int, list[TrendPoint]] = {}
            for r in runs:
                out.setdefault(r.audit_id, []).append(_point(r, counts[r.id]))
            return out

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


_SEVERITY_NAMES = tuple(s.value for s in SEVERITIES)
#: what a trend point needs of a run, read as plain rows (no ORM objects)
_TREND_COLUMNS = (
    RunRow.id,
    RunRow.audit_id,
    RunRow.number,
    RunRow.started_at,
    RunRow.queued_at,
    RunRow.scan_status,
    RunRow.pages_visited,
    RunRow.pages_skipped,
    RunRow.cookies,
    RunRow.third_party_hosts,
    *(getattr(RunRow, f"findings_{name}") for name in _SEVERITY_NAMES),
)


def _point(r: Any, by_category: dict[str, dict[str, int]]) -> TrendPoint:
    """A trend point from a run row (ORM object or plain row with the same names)."""
    return TrendPoint(
        run_id=r.id,
        number=r.number,
        started_at=r.started_at or r.queued_at,
        scan_status=r.scan_status or "",
        pages_visited=r.pages_visited or 0,
        pages_skipped=r.pages_skipped or 0,
        cookies=r.cookies or 0,
        third_party_hosts=r.third_party_hosts or 0,
        findings_by_severity={
            name: getattr(r, f"findings_{name}") or 0 for name in _SEVERITY_NAMES
        },
        cookies_by_category=by_category,
    )


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
