"""The scan's summary: the counts a reader (and the one-screen CLI summary) starts from."""

from __future__ import annotations

from collections import Counter

from scanner.model import Scan, ScanStatus, Summary


def summarize(scan: Scan) -> Summary:
    """Counts per phase and severity, and the status: failed, partial or complete."""
    visited = sum(len(p.pages) for p in scan.phases)
    skipped = sum(len(p.skipped) for p in scan.phases)
    if not scan.phases or visited == 0:
        status = ScanStatus.FAILED
    elif scan.interrupted or skipped or (scan.notes and _degraded(scan)):
        status = ScanStatus.PARTIAL
    else:
        status = ScanStatus.COMPLETE
    categories: dict[str, dict[str, int]] = {}
    by_key = {c.key: c for c in scan.cookies}
    for phase in scan.phases:
        counts: Counter[str] = Counter()
        for cookie in phase.cookies:
            classified = by_key.get(cookie.key)
            counts[classified.classification.category.value if classified else "unclassified"] += 1
        categories[phase.name.value] = dict(sorted(counts.items()))
    hosts = {h.host for p in scan.phases for h in p.third_party_hosts}
    severities = Counter(f.severity.value for f in scan.findings)
    return Summary(
        status=status,
        pages_visited=visited,
        pages_skipped=skipped,
        cookies_by_phase={p.name.value: len(p.cookies) for p in scan.phases},
        categories_by_phase=categories,
        third_party_hosts=len(hosts),
        findings_by_severity=dict(sorted(severities.items())),
        verdict=_verdict(scan, status, severities),
    )


def _degraded(scan: Scan) -> bool:
    return any("not run" in n or "unavailable" in n for n in scan.notes)


def _verdict(scan: Scan, status: ScanStatus, severities: Counter[str]) -> str:
    if status is ScanStatus.FAILED:
        return "the site could not be scanned"
    worst = [s for s in ("critical", "high", "medium", "low", "info") if severities.get(s)]
    findings = (
        f"{sum(severities.values())} finding(s), worst {worst[0]}" if worst else "no findings"
    )
    return f"{status.value} scan of {scan.site}: {findings}"
