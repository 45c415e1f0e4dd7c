"""What changed since the previous successful run, and whether anyone should hear of it.

After each finished run (`AfterRun.handle`): the scan is compared with the one of the previous
successful run of the same audit by `reports.compare` (findings new and resolved, cookies added
and removed, third-party hosts), plus one thing a diff of two documents does not say plainly:
the banner's "reject all" worked last time and fails now. The alert itself is built by the
alerts package (`build_alert`: only on change, above the audit's minimum severity, a failed or
partial run always) and handed to `deliver`, which must return at once (a background thread
or a Celery task): a webhook that hangs never holds a run.

The summary of the comparison is kept on the run (`changes`, `baseline_run_id`, `alert`), so
`audit history` and dashboards show it without recomputing anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import reports
from audits.alerts import Alert, AlertTarget, RunOutcome, build_alert
from audits.history import History
from audits.models import RunState
from audits.records import RunInfo
from scanner.model import BannerStatus, Phase, Scan, ScanStatus

if TYPE_CHECKING:
    from audits.store import AuditStore, ClaimedRun

log = logging.getLogger("cookie_audit.audits")

#: hands an alert to delivery without waiting; returns what happened ("queued", ...)
Deliver = Callable[[Alert, list[AlertTarget]], str]
#: publishes the declaration of a successful run to a consent-API site (engine, site key,
#: scan, audit name, run number); returns what happened
Publish = Callable[..., str]


def outcome_of(run: RunInfo) -> RunOutcome:
    if run.state is RunState.SUCCEEDED:
        return (
            RunOutcome.PARTIAL
            if run.scan_status == ScanStatus.PARTIAL.value
            else (RunOutcome.SUCCEEDED)
        )
    if run.error_kind == "timeout":
        return RunOutcome.TIMED_OUT
    return RunOutcome.FAILED


def reject_now_failing(old: Scan, new: Scan) -> bool:
    before, after = old.phase(Phase.REJECT), new.phase(Phase.REJECT)
    return (
        before is not None
        and after is not None
        and before.banner.status is BannerStatus.SUCCEEDED
        and after.banner.status is BannerStatus.FAILED
    )


def summarise(diff: reports.ScanDiff, rejected_fails: bool, baseline: RunInfo) -> dict[str, Any]:
    """The comparison as stored on the run: short, JSON, what a listing shows."""
    return {
        "baseline": baseline.number,
        "findings_new": [
            {"rule_id": f.rule_id, "severity": f.severity.value, "title": f.title}
            for f in diff.findings_new
        ],
        "findings_resolved": [
            {"rule_id": f.rule_id, "severity": f.severity.value, "title": f.title}
            for f in diff.findings_resolved
        ],
        "cookies_added": [f"{c.name}@{c.domain}" for c in diff.cookies_added],
        "cookies_removed": [f"{c.name}@{c.domain}" for c in diff.cookies_removed],
        "cookies_changed": len(diff.cookies_changed),
        "hosts_added": list(diff.hosts_added),
        "hosts_removed": list(diff.hosts_removed),
        "reject_now_failing": rejected_fails,
    }


class AfterRun:
    def __init__(
        self,
        store: AuditStore,
        *,
        deliver: Deliver | None = None,
        publish: Publish | None = None,
    ) -> None:
        self.store = store
        self.history = History(store.engine, retry_s=store.settings.db_retry_s)
        self.deliver = deliver
        self.publish = publish

    def handle(self, claimed: ClaimedRun, run: RunInfo, scan: Scan | None) -> RunInfo:
        baseline = self.history.previous_success(claimed.audit_id, before=run.number)
        diff = None
        rejected_fails = False
        values: dict[str, Any] = {}
        if run.state is RunState.SUCCEEDED and scan is not None and baseline is not None:
            old = self.history.scan(baseline.id)
            diff = reports.compare(old, scan)
            rejected_fails = reject_now_failing(old, scan)
            values["baseline_run_id"] = baseline.id
            values["changes"] = summarise(diff, rejected_fails, baseline)
        spec = claimed.spec
        alert = build_alert(
            audit=claimed.audit,
            site_url=spec.url,
            run_id=run.number,
            previous_run_id=baseline.number if baseline and diff is not None else None,
            state=outcome_of(run),
            diff=diff,
            reason=run.error or (self._partial_reason(scan) if scan else None),
            reject_now_failing=rejected_fails,
            min_severity=spec.min_severity,
            started_at=run.started_at,
            finished_at=run.finished_at,
            report_url=self._link(claimed, run.number),
            diff_url=(
                self._link(claimed, run.number, baseline.number)
                if diff is not None and baseline is not None
                else None
            ),
        )
        if alert is None:
            values["alert"] = "none"
        elif not spec.alerts:
            values["alert"] = "no target"
        elif self.deliver is None:
            values["alert"] = "not sent"
        else:
            try:
                values["alert"] = self.deliver(alert, spec.targets())
            except Exception as exc:  # delivery never fails a run
                log.warning(
                    "run %s #%d: alert not handed over: %s",
                    claimed.audit,
                    run.number,
                    type(exc).__name__,
                )
                values["alert"] = "error"
        if spec.consent_site and run.state is RunState.SUCCEEDED and scan is not None:
            values["declaration"] = self._publish(spec.consent_site, scan, claimed, run)
        self.store.record_outcome(run.id, **values)
        return self.history.run_by_id(run.id)

    def _publish(self, site_key: str, scan: Scan, claimed: ClaimedRun, run: RunInfo) -> str:
        if self.publish is None:
            return "not published"
        try:
            return self.publish(
                self.store.engine, site_key, scan, audit=claimed.audit, run=run.number
            )
        except Exception as exc:  # an unknown site key or a refused document: said, not fatal
            log.warning("run %s #%d: declaration not published: %s", claimed.audit, run.number, exc)
            return "error"

    @staticmethod
    def _partial_reason(scan: Scan) -> str | None:
        if scan.summary is None or scan.summary.status is not ScanStatus.PARTIAL:
            return None
        skipped = sum(len(p.skipped) for p in scan.phases)
        notes = "; ".join(scan.notes[:3])
        return f"{skipped} page(s) skipped" + (f"; {notes}" if notes else "")

    def _link(self, claimed: ClaimedRun, number: int, against: int | None = None) -> str | None:
        base = self.store.settings.public_url
        if not base:
            return None
        url = f"{base.rstrip('/')}/dashboard/audits/{claimed.audit}/runs/{number}"
        return url if against is None else f"{url}/diff/{against}"
