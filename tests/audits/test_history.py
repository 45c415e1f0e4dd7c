"""The history store and its query API on SQLite and PostgreSQL, with real scan documents."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text, update

from audits import AuditError, AuditStore, History, RunState, build_spec
from audits.models import Base, DocumentRow
from scanner.model import Scan
from tests.reports.sample_scans import before_after

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def run_with(store: AuditStore, scan: Scan, at: datetime, name: str = "shop") -> int:
    run = store.create_run(name, now=at)
    claim = store.claim(run.id, "worker-1", now=at)
    assert claim.run is not None
    info = store.finish(claim.run, scan, now=at + timedelta(seconds=49))
    assert info is not None and info.state is RunState.SUCCEEDED
    return run.id


def test_migrations_match_the_models(store: AuditStore) -> None:
    with store.engine.connect() as conn:
        ours = set(Base.metadata.tables)  # the product database holds other branches too
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, kind, _: kind != "table" or name in ours}
        )
        assert compare_metadata(context, Base.metadata) == []
    tables = set(inspect(store.engine).get_table_names())
    assert {"audits", "audit_runs", "audit_findings", "audit_documents"} <= tables


def test_runs_columns_findings_and_document(store: AuditStore, history: History) -> None:
    old, new = before_after()
    store.add(build_spec({"name": "shop", "url": old.target}), now=NOW)
    first = run_with(store, old, NOW)
    second = run_with(store, new, NOW + timedelta(days=30))

    latest = history.latest_run("shop")
    assert latest is not None and latest.id == second and latest.number == 2
    assert latest.worker == "worker-1" and latest.duration_s == 49.0
    assert latest.scan_status == new.summary.status.value  # type: ignore[union-attr]
    assert latest.cookies == len(new.cookies)
    assert latest.findings_by_severity == {
        s: sum(1 for f in new.findings if f.severity.value == s)
        for s in ("critical", "high", "medium", "low", "info")
    }
    assert [r.number for r in history.runs("shop")] == [2, 1]
    assert history.previous_success("shop", before=2).id == first  # type: ignore[union-attr]

    # findings as rows: new and resolved are plain queries, same identity as reports.compare
    import reports

    diff = reports.compare(old, new)
    assert {f.title for f in history.findings_new(first, second)} == {
        f.title for f in diff.findings_new
    }
    assert {f.title for f in history.findings_resolved(first, second)} == {
        f.title for f in diff.findings_resolved
    }
    assert history.scan(second) == new  # the whole document, bit for bit

    trend = history.trend("shop")
    assert [p.number for p in trend] == [1, 2]
    assert trend[1].cookies_by_category == new.summary.categories_by_phase  # type: ignore[union-attr]

    [(audit, last)] = history.latest_runs()
    assert audit.name == "shop" and last is not None and last.number == 2


def test_a_tampered_document_is_refused(store: AuditStore, history: History) -> None:
    old, _ = before_after()
    store.add(build_spec({"name": "shop", "url": old.target}), now=NOW)
    run_id = run_with(store, old, NOW)
    other = old.model_copy(update={"target": "https://evil.test/"})
    with store.engine.begin() as conn:
        conn.execute(
            update(DocumentRow)
            .where(DocumentRow.run_id == run_id)
            .values(gzip=gzip.compress(other.model_dump_json().encode()))
        )
    with pytest.raises(AuditError, match="does not match its hash"):
        history.scan(run_id)


def test_trend_keeps_the_latest_runs_oldest_first(store: AuditStore, history: History) -> None:
    old, _ = before_after()
    store.add(build_spec({"name": "shop", "url": old.target}), now=NOW)
    for day in range(12):
        run_with(store, old, NOW + timedelta(days=day))
    assert [p.number for p in history.trend("shop", limit=5)] == [8, 9, 10, 11, 12]


def test_the_overview_reads_the_summary_the_store_keeps(
    store: AuditStore, history: History
) -> None:
    from audits.models import SummaryRow
    from audits.summary import TREND_RUNS

    old, new = before_after()
    store.add(build_spec({"name": "shop", "url": old.target}), now=NOW)
    store.add(build_spec({"name": "idle", "url": "https://idle.test/"}), now=NOW)
    for day in range(TREND_RUNS + 2):
        run_with(store, old if day % 2 else new, NOW + timedelta(days=day))
    at = NOW + timedelta(days=30)
    run = store.create_run("shop", now=at)
    claim = store.claim(run.id, "worker-1", now=at)
    assert claim.run is not None
    store.fail(claim.run, "unreachable", "scan", now=at)
    store.record_outcome(run.id, changes={"findings_new": ["x"]})

    [(idle, none, nothing), (shop, latest, points)] = history.overview()
    assert idle.name == "idle" and none is None and nothing == []
    assert latest is not None and latest.number == TREND_RUNS + 3  # the failed run, read live
    assert latest.state is RunState.FAILED and latest.changes == {"findings_new": ["x"]}
    # the succeeded runs among the last 12: the failed one has no point
    assert [p.number for p in points] == list(range(4, TREND_RUNS + 3))  # runs 4 to 15
    scan = new if points[-1].number % 2 else old
    assert points[-1].findings_by_severity == {
        s: sum(1 for f in scan.findings if f.severity.value == s)
        for s in ("critical", "high", "medium", "low", "info")
    }
    needs = {
        phase: sum(n for c, n in cats.items() if c not in ("technical", "session", "unclassified"))
        for phase, cats in scan.summary.categories_by_phase.items()  # type: ignore[union-attr]
    }
    for phase, n in needs.items():
        assert points[-1].cookies_by_category.get(phase, {}).get("needs_consent", 0) == n
    assert history.latest_runs() == [(idle, None), (shop, latest)]

    # a summary the migration left without its trend is computed when read, the same
    with store.engine.begin() as conn:
        conn.execute(update(SummaryRow).values(trend=None))
    assert history.overview() == [(idle, None, []), (shop, latest, points)]

    store.remove("shop", purge=True)
    assert [a.name for a, _, _ in history.overview()] == ["idle"]
    with store.engine.connect() as conn:
        assert conn.execute(SummaryRow.__table__.select()).all() == []


def test_the_migration_gives_existing_audits_their_summary(tmp_path: Path) -> None:
    """Runs stored before `audit_summaries` existed: the migration records each audit's latest
    finished run, and the overview computes the trend until the next run rewrites it."""
    from audits.db import make_engine
    from database import upgrade

    old, _ = before_after()
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "audits_0001")
    spec = build_spec({"name": "shop", "url": old.target}).model_dump_json()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audits (id, name, url, host, spec, cron, paused, removed, run_count,"
                " created_at, updated_at) VALUES (1, 'shop', :url, 'shop', :spec, '0 3 * * *',"
                " 0, 0, 3, '2026-03-01 00:00:00', '2026-03-01 00:00:00')"
            ),
            {"url": old.target, "spec": spec},
        )
        for number, state, finished in (
            (1, "succeeded", "2026-03-01 00:01:00"),
            (2, "failed", "2026-03-02 00:01:00"),
            (3, "queued", None),
        ):
            conn.execute(
                text(
                    "INSERT INTO audit_runs (id, audit_id, number, trigger, state, queued_at,"
                    " finished_at, attempts, findings_critical, findings_high, findings_medium,"
                    " findings_low, findings_info) VALUES (:n, 1, :n, 'manual', :state,"
                    " '2026-03-01 00:00:00', :finished, 1, 1, 0, 0, 0, 0)"
                ),
                {"n": number, "state": state, "finished": finished},
            )
    upgrade(engine)
    [(audit, latest, points)] = History(engine).overview()
    assert audit.name == "shop" and latest is not None and latest.number == 2  # the failed one
    assert [p.number for p in points] == [1] and points[0].findings_by_severity["critical"] == 1
    engine.dispose()
