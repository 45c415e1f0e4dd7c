"""One summary row per audit (`audit_summaries`): what the overview shows of it.

The row holds the audit's latest finished run (its id: the run itself is read live, so what
the runner records after the run, such as what changed, is never stale) and the trend of its
last `TREND_RUNS` runs as JSON. The store rewrites it in the transaction that finishes,
fails or cancels a run of the audit, so the overview reads one row per audit however long the
histories are (500 audits x 52 runs was 38,000 rows to read and sum on every view).

A trend point of a run holds, per consent phase, the cookies that need consent
(`"needs_consent"`: categories other than `EXEMPT` and "unclassified") and the others
(`"exempt"`), not every category. A row whose trend is NULL (written by the migration for
runs made before it) is computed when read, until the audit's next run rewrites it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from audits.models import AuditRow, RunCountRow, RunRow, RunState, SummaryRow
from audits.records import SEVERITIES, TrendPoint

#: runs of an audit in its trend (the overview's sparklines)
TREND_RUNS = 12
#: categories whose cookies may be set without consent (as in the reports)
EXEMPT = ("technical", "session")
_SEVERITY_NAMES = tuple(s.value for s in SEVERITIES)

TREND_COLUMNS = (
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


def point(r: Any, by_category: dict[str, dict[str, int]]) -> TrendPoint:
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


def compute_trends(conn: Connection, audit_ids: Collection[int]) -> dict[int, list[TrendPoint]]:
    """The succeeded runs among the last `TREND_RUNS` runs of each audit, oldest first."""
    if not audit_ids:
        return {}
    recent = (
        select(RunRow.id)
        .join(AuditRow, AuditRow.id == RunRow.audit_id)
        .where(
            RunRow.audit_id.in_(audit_ids),
            RunRow.number > AuditRow.run_count - TREND_RUNS,
            RunRow.state == RunState.SUCCEEDED.value,
        )
        .subquery()
    )
    runs = conn.execute(
        select(*TREND_COLUMNS)
        .join(recent, recent.c.id == RunRow.id)
        .order_by(RunRow.audit_id, RunRow.number)
    ).all()
    counts: dict[int, dict[str, dict[str, int]]] = {r.id: {} for r in runs}
    free = RunCountRow.category.in_((*EXEMPT, "unclassified"))
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
        out.setdefault(r.audit_id, []).append(point(r, counts[r.id]))
    return out


def dumps(points: list[TrendPoint]) -> str:
    return json.dumps(
        [
            [
                p.run_id,
                p.number,
                p.started_at.isoformat(),
                p.scan_status,
                p.pages_visited,
                p.pages_skipped,
                p.cookies,
                p.third_party_hosts,
                p.findings_by_severity,
                p.cookies_by_category,
            ]
            for p in points
        ],
        separators=(",", ":"),
    )


def loads(text: str) -> list[TrendPoint]:
    return [
        TrendPoint(
            run_id=p[0],
            number=p[1],
            started_at=datetime.fromisoformat(p[2]),
            scan_status=p[3],
            pages_visited=p[4],
            pages_skipped=p[5],
            cookies=p[6],
            third_party_hosts=p[7],
            findings_by_severity=p[8],
            cookies_by_category=p[9],
        )
        for p in json.loads(text)
    ]


def refresh(conn: Connection, audit_id: int) -> None:
    """Rewrite the audit's summary from its runs, in the caller's transaction (an ORM
    session flushes its changes first: `AuditStore` does)."""
    latest = conn.execute(
        select(RunRow.id)
        .where(RunRow.audit_id == audit_id, RunRow.finished_at.is_not(None))
        .order_by(RunRow.number.desc())
        .limit(1)
    ).scalar()
    trend = dumps(compute_trends(conn, [audit_id]).get(audit_id, []))
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(SummaryRow).values(audit_id=audit_id, latest_run_id=latest, trend=trend)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[SummaryRow.audit_id],
            set_={"latest_run_id": latest, "trend": trend},
        )
    )
