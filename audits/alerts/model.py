"""The `Alert` record: what one audit run has to say, for every channel.

Built once after a run (`build_alert`) from the run's outcome and the comparison with the
previous successful run (`reports.compare`); every channel renders the same record, and the
generic webhook sends it as it is (`Alert.model_dump(mode="json")`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from reports import CookieRef as DiffCookie
from reports import ScanDiff
from reports.facts import finding_subject
from scanner.findings_text import LANGUAGES, finding_title
from scanner.model import Finding, Severity

ALERT_VERSION = 1


class RunOutcome(StrEnum):
    """How the run ended, as an alert tells it."""

    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # the scan ended but some pages or phases could not be done
    FAILED = "failed"  # the site could not be scanned (unreachable, browser crash...)
    TIMED_OUT = "timed_out"  # the run went past its time limit


class AlertRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingRef(AlertRecord):
    rule_id: str
    severity: Severity
    title: str = Field(description="in English, as scan.json keeps it")
    titles: dict[str, str] = Field(
        default_factory=dict, description="the title in each language reports speak (en, fr)"
    )
    subject: str | None = Field(default=None, description="the one cookie it is about, if any")

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)


class CookieRef(AlertRecord):
    name: str
    domain: str
    path: str = "/"
    category: str
    party: str | None = None
    vendor: str | None = None


class Alert(AlertRecord):
    """One alert. `id` is stable across retries and channels (webhook-id, Message-ID), so a
    receiver can drop duplicates."""

    version: int = ALERT_VERSION
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    audit: str = Field(description="the audit's name")
    site_url: str
    run_id: int | str
    previous_run_id: int | str | None = Field(
        default=None, description="the successful run this one is compared with"
    )
    state: RunOutcome
    reason: str | None = Field(default=None, description="why the run failed or is partial")
    severity: Severity = Field(description="the most serious thing this alert says")
    started_at: datetime | None = None
    finished_at: datetime | None = None
    findings_new: list[FindingRef] = Field(default_factory=list)
    findings_resolved: list[FindingRef] = Field(default_factory=list)
    cookies_added: list[CookieRef] = Field(default_factory=list)
    cookies_removed: list[CookieRef] = Field(default_factory=list)
    hosts_added: list[str] = Field(default_factory=list, description="new third-party hosts")
    reject_now_failing: bool = Field(
        default=False, description="'reject all' worked in the previous run and fails now"
    )
    report_url: str | None = None
    diff_url: str | None = None
    test: bool = Field(default=False, description="sent by `cookie-audit alert test`")

    @property
    def changed(self) -> bool:
        return bool(
            self.findings_new
            or self.findings_resolved
            or self.cookies_added
            or self.cookies_removed
            or self.hosts_added
            or self.reject_now_failing
        )

    @property
    def run_failed(self) -> bool:
        return self.state is not RunOutcome.SUCCEEDED


def finding_ref(finding: Finding) -> FindingRef:
    return FindingRef(
        rule_id=finding.rule_id,
        severity=finding.severity,
        title=finding.title,
        titles={lang: finding_title(finding, lang) for lang in LANGUAGES},
        subject=finding_subject(finding),
    )


def alert_severity(
    state: RunOutcome,
    findings_new: list[FindingRef],
    *,
    reject_now_failing: bool = False,
    other_changes: bool = False,
) -> Severity:
    """Failed or timed-out runs and a broken "reject" are high; a partial run is medium; else
    the worst new finding; cookies or hosts that changed without a finding are low; only
    resolved findings are info."""
    levels = [f.severity for f in findings_new]
    if state in (RunOutcome.FAILED, RunOutcome.TIMED_OUT) or reject_now_failing:
        levels.append(Severity.HIGH)
    elif state is RunOutcome.PARTIAL:
        levels.append(Severity.MEDIUM)
    if other_changes:
        levels.append(Severity.LOW)
    return max(levels, key=lambda s: s.rank, default=Severity.INFO)


def build_alert(
    *,
    audit: str,
    site_url: str,
    run_id: int | str,
    state: RunOutcome,
    diff: ScanDiff | None = None,
    previous_run_id: int | str | None = None,
    reason: str | None = None,
    reject_now_failing: bool = False,
    min_severity: Severity = Severity.INFO,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    report_url: str | None = None,
    diff_url: str | None = None,
) -> Alert | None:
    """The alert for one run, or None when there is nothing to say.

    Alerts are about change: findings below `min_severity` are left out (new and resolved
    alike: a problem below the threshold was never announced, so its end is not either); a
    successful run without change, or whose changes all stay below the threshold, says
    nothing. A run that did not succeed always alerts.
    """
    findings_new: list[FindingRef] = []
    findings_resolved: list[FindingRef] = []
    cookies_added: list[CookieRef] = []
    cookies_removed: list[CookieRef] = []
    hosts_added: list[str] = []
    if diff is not None:
        keep = min_severity.rank
        findings_new = [finding_ref(f) for f in diff.findings_new if f.severity.rank >= keep]
        findings_resolved = [
            finding_ref(f) for f in diff.findings_resolved if f.severity.rank >= keep
        ]
        cookies_added = [_cookie(c) for c in diff.cookies_added]
        cookies_removed = [_cookie(c) for c in diff.cookies_removed]
        hosts_added = list(diff.hosts_added)
    other = bool(cookies_added or cookies_removed or hosts_added)
    severity = alert_severity(
        state, findings_new, reject_now_failing=reject_now_failing, other_changes=other
    )
    says_something = (
        state is not RunOutcome.SUCCEEDED
        or bool(findings_resolved)
        or (severity.rank >= min_severity.rank and (bool(findings_new) or other))
        or reject_now_failing
    )
    if not says_something:
        return None
    return Alert(
        audit=audit,
        site_url=site_url,
        run_id=run_id,
        previous_run_id=previous_run_id,
        state=state,
        reason=reason,
        severity=severity,
        started_at=started_at,
        finished_at=finished_at,
        findings_new=findings_new,
        findings_resolved=findings_resolved,
        cookies_added=cookies_added,
        cookies_removed=cookies_removed,
        hosts_added=hosts_added,
        reject_now_failing=reject_now_failing,
        report_url=report_url,
        diff_url=diff_url,
    )


def _cookie(c: DiffCookie) -> CookieRef:
    return CookieRef(
        name=c.name,
        domain=c.domain,
        path=c.path,
        category=c.category,
        party=c.party,
        vendor=c.vendor,
    )
