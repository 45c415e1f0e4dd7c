"""Facts every format needs, derived from a saved scan the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import (
    Category,
    Classification,
    ClassifiedCookie,
    Cookie,
    CookieKey,
    Finding,
    Phase,
    Scan,
    ScanStatus,
    Severity,
)

PHASE_ORDER: tuple[Phase, ...] = (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
CATEGORY_ORDER: tuple[Category, ...] = (
    Category.TECHNICAL,
    Category.SESSION,
    Category.ANALYTICS,
    Category.GOOGLE_ANALYTICS,
    Category.TRACKING,
    Category.UNKNOWN,
)

_UNCLASSIFIED = Classification(
    category=Category.UNKNOWN,
    exempt=False,
    confidence=0.0,
    reason="not classified (the scan has no classification)",
)


def _before_partitions(scan: Scan) -> bool:
    """Scans saved before schema 1.5 classified cookies without their partition (CHIPS)."""
    try:
        return tuple(int(p) for p in scan.schema_version.split(".")[:2]) < (1, 5)
    except ValueError:
        return False


def _first_seen(scan: Scan) -> dict[tuple[str, str, str], Cookie]:
    first: dict[tuple[str, str, str], Cookie] = {}
    for phase in scan.phases:
        for cookie in phase.cookies:
            first.setdefault(cookie.key[:3], cookie)
    return first


def distinct_cookies(scan: Scan) -> list[ClassifiedCookie]:
    """The scan's classified cookies; for an unclassified scan, the phases' cookies as unknown.

    A scan saved before partitions were told apart gets, for each classified cookie, the
    partition of the cookie it was classified from (the first seen), so that comparing it with
    a newer scan does not report a partitioned cookie as removed and added.
    """
    if scan.cookies and _before_partitions(scan):
        first = _first_seen(scan)
        return sorted(
            (
                c.model_copy(
                    update={
                        "partition_site": origin.partition_site,
                        "partition_cross_site": origin.partition_cross_site,
                    }
                )
                if (origin := first.get(c.key[:3]))
                else c
                for c in scan.cookies
            ),
            key=lambda c: c.key,
        )
    if scan.cookies:
        return sorted(scan.cookies, key=lambda c: c.key)
    seen: dict[CookieKey, tuple[Cookie, list[Phase]]] = {}
    for phase in scan.phases:
        for cookie in phase.cookies:
            entry = seen.setdefault(cookie.key, (cookie, []))
            if phase.name not in entry[1]:
                entry[1].append(phase.name)
    return [
        ClassifiedCookie(
            name=c.name,
            domain=c.domain,
            path=c.path,
            partition_site=c.partition_site,
            partition_cross_site=c.partition_cross_site,
            party=c.party,
            phases=sorted(phases, key=PHASE_ORDER.index),
            lifetime_days=c.lifetime_days,
            requested_lifetime_days=c.requested_lifetime_days,
            set_by=c.set_by,
            first_seen_page=c.first_seen_page,
            classification=_UNCLASSIFIED,
        )
        for key, (c, phases) in sorted(seen.items())
    ]


def classification_index(scan: Scan) -> dict[CookieKey, ClassifiedCookie]:
    """Each recorded cookie's verdict by `Cookie.key` (in a scan saved before partitions were
    told apart, every partition of a cookie gets the one verdict it had)."""
    index = {c.key: c for c in distinct_cookies(scan)}
    if scan.cookies and _before_partitions(scan):
        by_name = {c.key[:3]: c for c in index.values()}
        for phase in scan.phases:
            for cookie in phase.cookies:
                if cookie.key not in index and cookie.key[:3] in by_name:
                    index[cookie.key] = by_name[cookie.key[:3]]
    return index


@dataclass(frozen=True)
class HostTotal:
    host: str
    registrable_domain: str
    requests: int
    phases: tuple[Phase, ...]
    resource_types: tuple[str, ...] = field(default_factory=tuple)


def third_party_hosts(scan: Scan) -> list[HostTotal]:
    """Third-party hosts over all phases, most-contacted first."""
    totals: dict[str, tuple[str, int, set[Phase], set[str]]] = {}
    for phase in scan.phases:
        for h in phase.third_party_hosts:
            reg, n, phases, types = totals.get(h.host, (h.registrable_domain, 0, set(), set()))
            phases.add(phase.name)
            types.update(h.resource_types)
            totals[h.host] = (reg, n + h.requests, phases, types)
    hosts = [
        HostTotal(
            host=host,
            registrable_domain=reg,
            requests=n,
            phases=tuple(p for p in PHASE_ORDER if p in phases),
            resource_types=tuple(sorted(types)),
        )
        for host, (reg, n, phases, types) in totals.items()
    ]
    return sorted(hosts, key=lambda h: (-h.requests, h.host))


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Most serious first; stable within a severity (the checker's order)."""
    return sorted(findings, key=lambda f: -f.severity.rank)


def finding_subject(finding: Finding) -> str | None:
    """The one cookie a finding is about ("_ga@.example.com"), when it is about exactly one."""
    cookies = {e.cookie for e in finding.evidence if e.cookie}
    return cookies.pop() if len(cookies) == 1 else None


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one rule with the same title (the checker emits one per cookie)."""

    rule_id: str
    title: str
    severity: Severity
    findings: tuple[Finding, ...]

    @property
    def subjects(self) -> list[str]:
        """Cookie names the group is about, in order, without their domains."""
        names = [s.split("@")[0] for f in self.findings if (s := finding_subject(f))]
        return list(dict.fromkeys(names))


def group_findings(findings: list[Finding]) -> list[FindingGroup]:
    """One group per (rule, title), most serious first, in the checker's order otherwise."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule_id, f.title), []).append(f)
    result = [
        FindingGroup(
            rule_id=rule,
            title=title,
            severity=max((f.severity for f in items), key=lambda s: s.rank),
            findings=tuple(items),
        )
        for (rule, title), items in groups.items()
    ]
    return sorted(result, key=lambda g: -g.severity.rank)


def overall_status(scan: Scan) -> str:
    """problems (a high or critical finding), attention (low/medium), ok, or failed."""
    if scan.summary is not None and scan.summary.status == ScanStatus.FAILED:
        return "failed"
    if not scan.phases and scan.summary is None:
        return "failed"
    worst = max((f.severity.rank for f in scan.findings), default=-1)
    if worst >= Severity.HIGH.rank:
        return "problems"
    if worst >= Severity.LOW.rank:
        return "attention"
    return "ok"


def scan_status(scan: Scan) -> ScanStatus:
    if scan.summary is not None:
        return scan.summary.status
    if scan.interrupted or any(p.skipped for p in scan.phases):
        return ScanStatus.PARTIAL
    return ScanStatus.COMPLETE if scan.phases else ScanStatus.FAILED


def categories_by_phase(scan: Scan) -> dict[Phase, dict[Category, int]]:
    """How many distinct cookies of each category exist in each phase."""
    index = classification_index(scan)
    counts: dict[Phase, dict[Category, int]] = {
        p: dict.fromkeys(CATEGORY_ORDER, 0) for p in PHASE_ORDER
    }
    for phase in scan.phases:
        seen: set[CookieKey] = set()
        for cookie in phase.cookies:
            if cookie.key in seen:
                continue
            seen.add(cookie.key)
            classified = index.get(cookie.key)
            category = classified.classification.category if classified else Category.UNKNOWN
            counts[phase.name][category] += 1
    return counts
