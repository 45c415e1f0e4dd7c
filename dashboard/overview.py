"""The overview: one row per audited site, from the audits' summaries (one query however many
sites and runs) and the consent ledger's rollup (one query). Pure functions on the records, so
sorting, filtering and the verdict are tested without a browser."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from audits import AuditInfo, RunInfo, RunState, TrendPoint
from dashboard.charts import Spark, sparkline
from dashboard.consent_stats import Counts

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
VERDICT_ORDER = {"failed": 0, "problems": 1, "attention": 2, "ok": 3, "never": 4}
SORTS = ("verdict", "name", "last_run", "findings", "acceptance", "next_run")


def consent_needing(point: TrendPoint) -> int:
    """Cookies of categories that need consent, in the consent state that had the most
    (``audits.summary`` sums them per phase as ``needs_consent``)."""
    return max(
        (cats.get("needs_consent", 0) for cats in point.cookies_by_category.values()), default=0
    )


def verdict(run: RunInfo | None) -> str:
    """problems (a high or critical finding), attention (low/medium), ok, failed, never (run);
    the same words as a report's verdict."""
    if run is None:
        return "never"
    if run.state != RunState.SUCCEEDED:
        return "failed"
    counts = run.findings_by_severity
    if counts.get("critical", 0) or counts.get("high", 0):
        return "problems"
    if counts.get("medium", 0) or counts.get("low", 0):
        return "attention"
    return "ok"


def changed(run: RunInfo | None, points: Sequence[TrendPoint]) -> bool:
    """What changed since the previous run: the run's own record of it when the runner made
    one, else whether its counts differ from the previous succeeded run's."""
    if run is not None and run.changes is not None:
        return any(bool(v) for v in run.changes.values())
    if len(points) < 2:
        return False
    last, before = points[-1], points[-2]
    return (
        last.findings_by_severity != before.findings_by_severity
        or last.cookies_by_category != before.cookies_by_category
    )


@dataclass(frozen=True)
class Row:
    audit: AuditInfo
    run: RunInfo | None  # the latest finished run, succeeded or not
    verdict: str
    findings: dict[str, int]  # of the latest succeeded run
    points: Sequence[TrendPoint]
    acceptance: float | None
    changed: bool

    @property
    def findings_spark(self) -> Spark:
        """Drawn only for the rows of the page shown."""
        return sparkline([sum(p.findings_by_severity.values()) for p in self.points])

    @property
    def consent_spark(self) -> Spark:
        return sparkline([consent_needing(p) for p in self.points])

    @property
    def name(self) -> str:
        return self.audit.name

    @property
    def total_findings(self) -> int:
        return sum(self.findings.values())

    @property
    def last_run_at(self) -> datetime | None:
        return self.run.finished_at if self.run else None


def build_rows(
    audits: Iterable[tuple[AuditInfo, RunInfo | None, Sequence[TrendPoint]]],
    acceptance: Mapping[str, Counts],
) -> list[Row]:
    """One row per audit from `History.overview()` (audit, latest run, trend)."""
    rows = []
    for audit, run, points in audits:
        site = audit.spec.consent_site
        counts = acceptance.get(site) if site else None
        rows.append(
            Row(
                audit=audit,
                run=run,
                verdict=verdict(run),
                findings=dict(points[-1].findings_by_severity) if points else {},
                points=points,
                acceptance=counts.acceptance if counts else None,
                changed=changed(run, points),
            )
        )
    return rows


def select_rows(
    rows: Sequence[Row],
    *,
    query: str = "",
    verdicts: Iterable[str] = (),
    changed_only: bool = False,
    sort: str = "verdict",
) -> list[Row]:
    wanted = set(verdicts)
    text = query.strip().lower()
    kept = [
        r
        for r in rows
        if (not text or text in r.name.lower() or text in r.audit.url.lower())
        and (not wanted or r.verdict in wanted)
        and (not changed_only or r.changed)
    ]

    def moment(value: datetime | None) -> float:
        return value.timestamp() if value else float("-inf")

    keys = {
        "name": lambda r: (r.name.lower(),),
        "verdict": lambda r: (VERDICT_ORDER[r.verdict], -r.total_findings, r.name.lower()),
        "last_run": lambda r: (-moment(r.last_run_at), r.name.lower()),
        "next_run": lambda r: (
            r.audit.next_due_at is None or r.audit.paused,
            moment(r.audit.next_due_at),
            r.name.lower(),
        ),
        "findings": lambda r: (-r.total_findings, r.name.lower()),
        "acceptance": lambda r: (
            r.acceptance is None,
            -(r.acceptance or 0.0),
            r.name.lower(),
        ),
    }
    return sorted(kept, key=keys.get(sort, keys["verdict"]))


PAGE_SIZE = 100


def page_of(rows: Sequence[Row], page: int, size: int = PAGE_SIZE) -> tuple[list[Row], int, int]:
    """The rows of page ``page`` (1-based, clamped), the page and the number of pages."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    return list(rows[(page - 1) * size : page * size]), page, pages
