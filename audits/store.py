"""The audits' store: the registry (add, edit, pause, remove, apply) and the life of a run
(queued -> running -> succeeded | failed | cancelled).

Every method is one transaction, run again from its start while the database is locked or
briefly down (`audits.db.run_retrying`). Read-only history queries are in `audits.history`.

Exactly once per slot: `enqueue_due` locks the due audit rows (PostgreSQL `FOR UPDATE SKIP
LOCKED`; SQLite's `BEGIN IMMEDIATE` serialises writers) and inserts one run per (audit, slot),
which a unique constraint guarantees whatever a second scheduler does. A run is executed by
whoever *claims* it: a conditional update from `queued` (or from `running` whose heartbeat
stopped: the worker died) to `running`, together with the lease on the site's lock.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audits.db import make_engine, read_session, run_retrying, upgrade, write_session
from audits.errors import AuditInputError, AuditNotFoundError
from audits.models import (
    AuditRow,
    DocumentRow,
    FindingRow,
    RunCountRow,
    RunRow,
    RunState,
    SiteLockRow,
    SummaryRow,
    Trigger,
)
from audits.records import SEVERITIES, ApplyReport, AuditInfo, RunInfo
from audits.schedule import Schedule
from audits.settings import AuditSettings
from audits.spec import AuditSpec, build_spec
from audits.summary import refresh as refresh_summary
from reports import finding_subject
from scanner.domains import registrable_domain
from scanner.model import Finding, Phase, Scan

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def finding_key(finding: Finding) -> str:
    """The identity of a finding across runs (the same as `reports.compare`)."""
    subject = finding_subject(finding) or ""
    raw = "\x1f".join((finding.rule_id, finding.title, subject))
    return hashlib.sha256(raw.encode()).hexdigest()


def site_of(spec: AuditSpec) -> str:
    """Politeness key: one scan at a time per registrable domain."""
    return registrable_domain(spec.host)


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    BUSY = "busy"  # the site or the run is held by a live worker: try again later
    DONE = "done"  # finished, cancelled or purged: nothing to do


@dataclass(frozen=True)
class ClaimedRun:
    run_id: int
    audit_id: int
    audit: str
    number: int
    trigger: Trigger
    slot: datetime | None
    spec: AuditSpec
    site: str
    worker: str
    attempt: int
    started_at: datetime


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    run: ClaimedRun | None = None
    retry_in: float = 0.0
    reason: str = ""


def _aware(moment: datetime | str) -> datetime:
    """An aggregate (min) of a UTCDateTime column: SQLite returns it as naive text."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _initial_due(schedule: Schedule, now: datetime, last_slot: datetime | None) -> datetime:
    """A new audit runs at once (its first slot is the latest one); afterwards on schedule."""
    if last_slot is None:
        return schedule.previous_slot(now)
    return schedule.next_slot(max(now, last_slot))


class AuditStore:
    def __init__(
        self, engine: Engine, settings: AuditSettings, *, retry_s: float | None = None
    ) -> None:
        """`retry_s`: how long a lost or locked database is retried before
        `StoreUnavailableError`; None: `settings.db_retry_s` (30 s, for scheduled runs and
        commands). A web request passes a short one: a person is waiting for an answer."""
        self.engine = engine
        self.settings = settings
        self.retry_s = settings.db_retry_s if retry_s is None else retry_s

    @classmethod
    def open(cls, settings: AuditSettings, *, migrate: bool = True) -> AuditStore:
        engine = make_engine(settings.database_url)
        store = cls(engine, settings)
        if migrate:
            store._retry(lambda: upgrade(engine))
        return store

    def close(self) -> None:
        self.engine.dispose()

    # --- plumbing ---------------------------------------------------------------------

    def _retry(self, work: Callable[[], T]) -> T:
        return run_retrying(self.retry_s, work)

    def _write(self, work: Callable[[Session], T]) -> T:
        def once() -> T:
            with write_session(self.engine) as session:
                return work(session)

        return self._retry(once)

    def _read(self, work: Callable[[Session], T]) -> T:
        def once() -> T:
            with read_session(self.engine) as session:
                return work(session)

        return self._retry(once)

    @staticmethod
    def _settled(session: Session, audit_id: int) -> None:
        """A run of the audit finished (or was cancelled): its summary follows."""
        session.flush()
        refresh_summary(session.connection(), audit_id)

    def _insert(self) -> Callable[..., Any]:
        return pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert

    # --- registry -----------------------------------------------------------------------

    def find(self, ref: str, *, removed: bool = False) -> AuditInfo:
        """An audit by name, else by URL, else by host (`www.` optional) when that is unique."""
        return self._read(lambda s: AuditInfo.of(self._find(s, ref, removed=removed)))

    def _find(self, session: Session, ref: str, *, removed: bool = False) -> AuditRow:
        active = [] if removed else [AuditRow.removed.is_(False)]
        row = session.scalars(select(AuditRow).where(AuditRow.name == ref, *active)).first()
        if row is not None:
            return row
        host = ref.lower().removeprefix("https://").removeprefix("http://").split("/")[0]
        host = host.removeprefix("www.")
        rows = session.scalars(
            select(AuditRow).where(
                or_(AuditRow.url == ref, AuditRow.host == host, AuditRow.host == "www." + host),
                *active,
            )
        ).all()
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            names = ", ".join(sorted(r.name for r in rows))
            raise AuditInputError(f"{ref!r} matches several audits ({names}): give the name")
        raise AuditNotFoundError(f"no audit named {ref!r} (see `cookie-audit audit list`)")

    def list_audits(self, *, include_removed: bool = False) -> list[AuditInfo]:
        def work(session: Session) -> list[AuditInfo]:
            query = select(AuditRow).order_by(AuditRow.name)
            if not include_removed:
                query = query.where(AuditRow.removed.is_(False))
            return [AuditInfo.of(r) for r in session.scalars(query)]

        return self._read(work)

    def add(self, spec: AuditSpec, now: datetime | None = None) -> AuditInfo:
        """Register an audit; a removed audit of the same name comes back with its history."""
        return self._write(lambda s: AuditInfo.of(self._add(s, spec, now or utcnow())))

    def _add(
        self, session: Session, spec: AuditSpec, now: datetime, *, flush: bool = True
    ) -> AuditRow:
        row = session.scalars(select(AuditRow).where(AuditRow.name == spec.name)).first()
        if row is not None and not row.removed:
            raise AuditInputError(
                f"name: an audit named {spec.name!r} exists already (use `audit edit`)"
            )
        schedule = spec.schedule
        if row is None:
            row = AuditRow(name=spec.name, run_count=0, created_at=now, last_slot=None)
            session.add(row)
        row.removed = False
        self._set_spec(row, spec, now)
        row.next_due_at = _initial_due(schedule, now, row.last_slot)
        if flush:
            session.flush()
        return row

    @staticmethod
    def _set_spec(row: AuditRow, spec: AuditSpec, now: datetime) -> None:
        row.url = spec.url
        row.host = spec.host
        row.spec = spec.model_dump_json()
        row.cron = spec.schedule.cron
        row.paused = spec.paused
        row.updated_at = now

    def edit(self, ref: str, changes: dict[str, Any], now: datetime | None = None) -> AuditInfo:
        """Change some fields; the schedule restarts from now when `every` changed."""

        def work(session: Session) -> AuditInfo:
            moment = now or utcnow()
            row = self._find(session, ref)
            old = AuditSpec.model_validate_json(row.spec)
            merged = {**old.model_dump(), **changes}
            new = build_spec(merged)
            if (
                new.name != old.name
                and session.scalars(select(AuditRow.id).where(AuditRow.name == new.name)).first()
            ):
                raise AuditInputError(f"name: an audit named {new.name!r} exists already")
            self._update(session, row, old, new, moment)
            return AuditInfo.of(row)

        return self._write(work)

    def _update(
        self, session: Session, row: AuditRow, old: AuditSpec, new: AuditSpec, now: datetime
    ) -> None:
        row.name = new.name
        self._set_spec(row, new, now)
        if new.schedule.cron != old.schedule.cron or (old.paused and not new.paused):
            row.next_due_at = (
                new.schedule.previous_slot(now)
                if row.last_slot is None
                else new.schedule.next_slot(now)
            )
        if new.paused and not old.paused:
            self._cancel_queued(session, row.id, now, "the audit was paused")

    def set_paused(self, ref: str, paused: bool, now: datetime | None = None) -> AuditInfo:
        return self.edit(ref, {"paused": paused}, now)

    def remove(self, ref: str, *, purge: bool = False, now: datetime | None = None) -> int:
        """Remove an audit: its history stays (and comes back with `audit add` of the same
        name) unless `purge`, which deletes every run. Returns the number of runs deleted."""

        def work(session: Session) -> int:
            moment = now or utcnow()
            row = self._find(session, ref, removed=purge)
            if purge:
                count = session.scalar(
                    select(func.count()).select_from(RunRow).where(RunRow.audit_id == row.id)
                )
                self._purge(session, row.id)
                return count or 0
            row.removed = True
            row.updated_at = moment
            self._cancel_queued(session, row.id, moment, "the audit was removed")
            return 0

        return self._write(work)

    @staticmethod
    def _purge(session: Session, audit_id: int) -> None:
        run_ids = select(RunRow.id).where(RunRow.audit_id == audit_id).scalar_subquery()
        for table in (DocumentRow, FindingRow, RunCountRow):
            session.execute(delete(table).where(table.run_id.in_(run_ids)))
        session.execute(delete(SummaryRow).where(SummaryRow.audit_id == audit_id))
        session.execute(delete(RunRow).where(RunRow.audit_id == audit_id))
        session.execute(delete(AuditRow).where(AuditRow.id == audit_id))

    def apply(
        self, specs: Sequence[AuditSpec], *, prune: bool = False, now: datetime | None = None
    ) -> ApplyReport:
        """Make the registry say what `specs` say, in one transaction (all or nothing)."""
        names = [s.name for s in specs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise AuditInputError(f"name: {duplicates[0]!r} appears more than once")

        def work(session: Session) -> ApplyReport:
            moment = now or utcnow()
            rows = {r.name: r for r in session.scalars(select(AuditRow))}
            added, changed, unchanged, removed = [], [], [], []
            for spec in specs:
                row = rows.get(spec.name)
                if row is None or row.removed:
                    self._add(session, spec, moment, flush=False)
                    added.append(spec.name)
                    continue
                old = AuditSpec.model_validate_json(row.spec)
                if old == spec:
                    unchanged.append(spec.name)
                else:
                    self._update(session, row, old, spec, moment)
                    changed.append(spec.name)
            if prune:
                wanted = set(names)
                for name, row in sorted(rows.items()):
                    if name not in wanted and not row.removed:
                        row.removed = True
                        row.updated_at = moment
                        self._cancel_queued(session, row.id, moment, "pruned by audit apply")
                        removed.append(name)
            return ApplyReport(tuple(added), tuple(changed), tuple(unchanged), tuple(removed))

        return self._write(work)

    def export(self) -> list[AuditSpec]:
        return [a.spec for a in self.list_audits()]

    # --- runs: creating and dispatching -------------------------------------------------

    def create_run(
        self, ref: str, *, trigger: Trigger = Trigger.MANUAL, now: datetime | None = None
    ) -> RunInfo:
        """A run of one audit now, whatever its schedule (`audit run NAME`)."""

        def work(session: Session) -> RunInfo:
            moment = now or utcnow()
            row = self._find(session, ref)
            session.execute(select(AuditRow.id).where(AuditRow.id == row.id).with_for_update())
            row.run_count += 1
            run = RunRow(
                audit_id=row.id,
                number=row.run_count,
                trigger=trigger.value,
                slot=None,
                state=RunState.QUEUED.value,
                queued_at=moment,
                attempts=0,
            )
            session.add(run)
            session.flush()
            return RunInfo.of(run, row.name)

        return self._write(work)

    def enqueue_due(self, now: datetime | None = None) -> list[int]:
        """One run for each due slot of each active audit; returns the new runs' ids."""

        def work(session: Session) -> list[int]:
            moment = now or utcnow()
            due = session.execute(
                select(
                    AuditRow.id,
                    AuditRow.cron,
                    AuditRow.run_count,
                    AuditRow.last_slot,
                    AuditRow.next_due_at,
                )
                .where(
                    AuditRow.paused.is_(False),
                    AuditRow.removed.is_(False),
                    AuditRow.next_due_at <= moment,
                )
                .order_by(AuditRow.next_due_at)
                .with_for_update(skip_locked=True)
            ).all()
            if not due:
                return []
            runs, audits = [], []
            for audit_id, cron, run_count, last_slot, due_at in due:
                assert due_at is not None  # selected by next_due_at <= moment
                schedule = Schedule(every=cron, cron=cron)
                # the usual case: the slot that made it due is the latest one (one croniter
                # step); after a pause of several slots, the latest slot before now
                following = schedule.next_slot(due_at)
                slot = due_at
                if following <= moment:
                    slot = schedule.previous_slot(moment)
                    following = schedule.next_slot(slot)
                if last_slot is not None and slot <= last_slot:  # already queued: move on
                    audits.append({"id": audit_id, "next_due_at": following})
                    continue
                runs.append(
                    {
                        "audit_id": audit_id,
                        "number": run_count + 1,
                        "trigger": Trigger.SCHEDULE.value,
                        "slot": slot,
                        "state": RunState.QUEUED.value,
                        "queued_at": moment,
                        "attempts": 0,
                    }
                )
                audits.append(
                    {
                        "id": audit_id,
                        "run_count": run_count + 1,
                        "last_slot": slot,
                        "next_due_at": following,
                    }
                )
            session.execute(update(AuditRow), audits)
            if not runs:
                return []
            ids = session.scalars(
                insert(RunRow).returning(RunRow.id, sort_by_parameter_order=True), runs
            ).all()
            return list(ids)

        for _ in range(5):
            try:
                return self._write(work)
            except IntegrityError:  # another scheduler queued the same slot first: look again
                continue
        return self._write(work)

    def dispatchable(
        self, now: datetime | None = None, *, grace_s: float | None = 0.0
    ) -> list[int]:
        """Runs to hand to a worker: queued and due, or running with a dead heartbeat.

        With `grace_s` (the distributed mode), a queued run already handed to the broker is
        only handed again `grace_s` seconds later (its message may be lost); None (the
        embedded mode) ignores the broker altogether."""

        def work(session: Session) -> list[int]:
            moment = now or utcnow()
            extra = grace_s or 0.0
            queued = [
                RunRow.state == RunState.QUEUED.value,
                or_(RunRow.not_before.is_(None), RunRow.not_before <= moment),
            ]
            if grace_s is not None:
                grace = moment - timedelta(seconds=grace_s)
                queued.append(or_(RunRow.dispatched_at.is_(None), RunRow.dispatched_at <= grace))
            stale = moment - timedelta(seconds=self.settings.stale_after_s + extra)
            query = (
                select(RunRow.id)
                .where(
                    or_(
                        and_(*queued),
                        and_(RunRow.state == RunState.RUNNING.value, RunRow.heartbeat_at < stale),
                    )
                )
                .order_by(RunRow.id)
            )
            return list(session.scalars(query))

        return self._read(work)

    def next_due_at(self) -> datetime | None:
        """When something next becomes due: an audit's slot or a queued run's retry."""

        def work(session: Session) -> datetime | None:
            audit: datetime | str | None = session.scalar(
                select(func.min(AuditRow.next_due_at)).where(
                    AuditRow.paused.is_(False), AuditRow.removed.is_(False)
                )
            )
            retry: datetime | str | None = session.scalar(
                select(func.min(RunRow.not_before)).where(RunRow.state == RunState.QUEUED.value)
            )
            moments = [m for m in (audit, retry) if m is not None]
            return min(_aware(m) for m in moments) if moments else None

        return self._read(work)

    def mark_dispatched(self, run_ids: Iterable[int], now: datetime | None = None) -> None:
        ids = list(run_ids)
        if not ids:
            return
        moment = now or utcnow()

        def work(session: Session) -> None:
            session.execute(update(RunRow).where(RunRow.id.in_(ids)).values(dispatched_at=moment))

        self._write(work)

    # --- runs: executing ----------------------------------------------------------------

    def claim(self, run_id: int, worker: str, now: datetime | None = None) -> Claim:
        """Take a run for `worker`, with the lease on its site (politeness)."""

        def work(session: Session) -> Claim:
            moment = now or utcnow()
            run = session.scalars(
                select(RunRow).where(RunRow.id == run_id).with_for_update()
            ).first()
            if run is None:
                return Claim(ClaimOutcome.DONE, reason="no such run (purged)")
            state = RunState(run.state)
            if state.finished:
                return Claim(ClaimOutcome.DONE, reason=f"already {state.value}")
            stale = moment - timedelta(seconds=self.settings.stale_after_s)
            if state is RunState.RUNNING and run.heartbeat_at and run.heartbeat_at >= stale:
                wait = (run.heartbeat_at - stale).total_seconds()
                return Claim(ClaimOutcome.BUSY, retry_in=max(wait, 1.0), reason="running")
            if run.not_before is not None and run.not_before > moment:
                wait = (run.not_before - moment).total_seconds()
                return Claim(ClaimOutcome.BUSY, retry_in=wait, reason="not yet")
            audit = session.get(AuditRow, run.audit_id)
            assert audit is not None
            spec = AuditSpec.model_validate_json(audit.spec)
            if audit.removed or (audit.paused and run.trigger == Trigger.SCHEDULE.value):
                run.state = RunState.CANCELLED.value
                run.finished_at = moment
                run.error = "the audit was removed" if audit.removed else "the audit is paused"
                self._settled(session, run.audit_id)
                return Claim(ClaimOutcome.DONE, reason=run.error)
            limit = self.settings.retries + 3
            if run.attempts >= limit:
                self._fail(
                    session,
                    run,
                    moment,
                    f"gave up after {run.attempts} attempts (the worker was lost each time)",
                    "lost",
                )
                self._settled(session, run.audit_id)
                return Claim(ClaimOutcome.DONE, reason="too many attempts")
            site = site_of(spec)
            if not self._lock_site(session, site, run.id, moment):
                return Claim(
                    ClaimOutcome.BUSY,
                    retry_in=self.settings.heartbeat_s,
                    reason=f"another scan of {site} is running",
                )
            run.state = RunState.RUNNING.value
            run.worker = worker
            run.started_at = moment
            run.heartbeat_at = moment
            run.attempts += 1
            return Claim(
                ClaimOutcome.CLAIMED,
                ClaimedRun(
                    run_id=run.id,
                    audit_id=audit.id,
                    audit=audit.name,
                    number=run.number,
                    trigger=Trigger(run.trigger),
                    slot=run.slot,
                    spec=spec,
                    site=site,
                    worker=worker,
                    attempt=run.attempts,
                    started_at=moment,
                ),
            )

        return self._write(work)

    def _lock_site(self, session: Session, site: str, run_id: int, now: datetime) -> bool:
        stale = now - timedelta(seconds=self.settings.stale_after_s)
        statement = self._insert()(SiteLockRow).values(site=site, run_id=run_id, heartbeat_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[SiteLockRow.site],
            set_={"run_id": run_id, "heartbeat_at": now},
            where=or_(SiteLockRow.heartbeat_at < stale, SiteLockRow.run_id == run_id),
        ).returning(SiteLockRow.run_id)
        holder: int | None = session.scalar(statement)
        return holder == run_id

    def heartbeat(self, claimed: ClaimedRun, now: datetime | None = None) -> bool:
        """Renew the run's lease; False when another worker took the run over."""

        def work(session: Session) -> bool:
            moment = now or utcnow()
            result = session.execute(
                update(RunRow)
                .where(
                    RunRow.id == claimed.run_id,
                    RunRow.state == RunState.RUNNING.value,
                    RunRow.worker == claimed.worker,
                    RunRow.attempts == claimed.attempt,
                )
                .values(heartbeat_at=moment)
            )
            session.execute(
                update(SiteLockRow)
                .where(SiteLockRow.site == claimed.site, SiteLockRow.run_id == claimed.run_id)
                .values(heartbeat_at=moment)
            )
            return int(getattr(result, "rowcount", 0)) > 0

        return self._write(work)

    def _own(self, session: Session, claimed: ClaimedRun) -> RunRow | None:
        run = session.scalars(
            select(RunRow).where(RunRow.id == claimed.run_id).with_for_update()
        ).first()
        if (
            run is None
            or run.state != RunState.RUNNING.value
            or run.worker != claimed.worker
            or run.attempts != claimed.attempt
        ):
            return None  # taken over by another worker, or cancelled
        return run

    def _release(self, session: Session, claimed: ClaimedRun) -> None:
        session.execute(
            delete(SiteLockRow).where(
                SiteLockRow.site == claimed.site, SiteLockRow.run_id == claimed.run_id
            )
        )

    def finish(
        self,
        claimed: ClaimedRun,
        scan: Scan,
        *,
        error: str | None = None,
        error_kind: str | None = None,
        now: datetime | None = None,
    ) -> RunInfo | None:
        """Store the scan; the run succeeds, or fails with `error` (a timed-out run keeps its
        partial scan as evidence). None when the run was no longer ours."""
        document = scan.model_dump_json().encode()
        packed = gzip.compress(document, compresslevel=6, mtime=0)
        digest = hashlib.sha256(document).hexdigest()

        def work(session: Session) -> RunInfo | None:
            moment = now or utcnow()
            run = self._own(session, claimed)
            if run is None:
                return None
            session.execute(delete(DocumentRow).where(DocumentRow.run_id == run.id))
            session.add(DocumentRow(run_id=run.id, sha256=digest, size=len(document), gzip=packed))
            if error is None:
                self._summarise(session, run, scan)
                run.state = RunState.SUCCEEDED.value
                run.error = None
                run.error_kind = None
            else:
                run.state = RunState.FAILED.value
                run.error = error
                run.error_kind = error_kind
            run.finished_at = moment
            run.duration_s = round((moment - claimed.started_at).total_seconds(), 3)
            self._release(session, claimed)
            self._settled(session, run.audit_id)
            return RunInfo.of(run, claimed.audit)

        return self._write(work)

    @staticmethod
    def _summarise(session: Session, run: RunRow, scan: Scan) -> None:
        summary = scan.summary
        run.scan_status = summary.status.value if summary else None
        run.pages_visited = sum(len(p.pages) for p in scan.phases)
        run.pages_skipped = sum(len(p.skipped) for p in scan.phases)
        run.cookies = len(scan.cookies)
        run.third_party_hosts = len({h.host for p in scan.phases for h in p.third_party_hosts})
        counts: dict[str, int] = {}
        for finding in scan.findings:
            counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
        for sev in SEVERITIES:
            setattr(run, f"findings_{sev.value}", counts.get(sev.value, 0))
        reject = scan.phase(Phase.REJECT)
        run.reject_banner = reject.banner.status.value if reject else None
        by_category = summary.categories_by_phase if summary else {}
        session.execute(delete(RunCountRow).where(RunCountRow.run_id == run.id))
        session.execute(delete(FindingRow).where(FindingRow.run_id == run.id))
        rows = [
            {"run_id": run.id, "phase": phase, "category": category, "cookies": n}
            for phase, categories in by_category.items()
            for category, n in categories.items()
        ]
        if rows:
            session.execute(insert(RunCountRow), rows)
        findings = [
            {
                "run_id": run.id,
                "key": finding_key(f),
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "title": f.title,
                "subject": finding_subject(f),
            }
            for f in scan.findings
        ]
        if findings:
            session.execute(insert(FindingRow), findings)

    def fail(
        self, claimed: ClaimedRun, error: str, kind: str, now: datetime | None = None
    ) -> RunInfo | None:
        def work(session: Session) -> RunInfo | None:
            moment = now or utcnow()
            run = self._own(session, claimed)
            if run is None:
                return None
            self._fail(session, run, moment, error, kind)
            run.duration_s = round((moment - claimed.started_at).total_seconds(), 3)
            self._release(session, claimed)
            self._settled(session, run.audit_id)
            return RunInfo.of(run, claimed.audit)

        return self._write(work)

    @staticmethod
    def _fail(session: Session, run: RunRow, now: datetime, error: str, kind: str) -> None:
        run.state = RunState.FAILED.value
        run.error = error
        run.error_kind = kind
        run.finished_at = now

    def requeue(
        self,
        claimed: ClaimedRun,
        retry_in: float,
        error: str,
        kind: str,
        now: datetime | None = None,
    ) -> bool:
        """Back to `queued` for a later attempt (a failure that may pass)."""

        def work(session: Session) -> bool:
            moment = now or utcnow()
            run = self._own(session, claimed)
            if run is None:
                return False
            run.state = RunState.QUEUED.value
            run.not_before = moment + timedelta(seconds=retry_in)
            run.dispatched_at = moment
            run.error = error
            run.error_kind = kind
            self._release(session, claimed)
            return True

        return self._write(work)

    def record_outcome(self, run_id: int, **values: Any) -> None:
        """What was done after the run: changes, alert, declaration (never its state)."""
        allowed = {"baseline_run_id", "changes", "alert", "declaration"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not outcome columns: {sorted(unknown)}")
        if isinstance(values.get("changes"), dict):
            values["changes"] = json.dumps(values["changes"], sort_keys=True)

        def work(session: Session) -> None:
            session.execute(update(RunRow).where(RunRow.id == run_id).values(**values))

        self._write(work)

    def _cancel_queued(self, session: Session, audit_id: int, now: datetime, why: str) -> None:
        session.execute(
            update(RunRow)
            .where(RunRow.audit_id == audit_id, RunRow.state == RunState.QUEUED.value)
            .values(state=RunState.CANCELLED.value, finished_at=now, error=why)
        )
        self._settled(session, audit_id)
