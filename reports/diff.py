"""What changed between two scans of the same site: the monthly audit e-mail.

Cookies are matched on `Cookie.key` (name, domain without leading dot, path, partition), hosts
on host name, findings on (rule_id, title, the one cookie it is about if any): the checker emits
one finding per cookie with the same title, and "_ga before consent" resolved while "_fbp before
consent" appears is a change. Lifetimes are compared in whole days on what the site asked for when
both scans know it (Chrome caps stored lifetimes at 400 days and the stored value drifts by
the seconds between scans), so a cookie is only "changed" when a reader would care.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from reports.facts import distinct_cookies, finding_subject, third_party_hosts
from scanner.model import ClassifiedCookie, Finding, Phase, Scan


class DiffRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScanRef(DiffRecord):
    target: str
    site: str
    started_at: datetime


class CookieRef(DiffRecord):
    name: str
    domain: str
    path: str = "/"
    partition_site: str | None = Field(
        default=None, description="the partition's top-level site (CHIPS); None: not partitioned"
    )
    partition_cross_site: bool | None = None
    party: str
    category: str
    vendor: str | None = None
    lifetime_days: float | None = None
    phases: list[Phase] = Field(default_factory=list)


class FieldChange(DiffRecord):
    field: str = Field(description="lifetime | category | party | phases | vendor")
    old: str | None
    new: str | None


class CookieChange(DiffRecord):
    cookie: CookieRef = Field(description="the cookie as in the new scan")
    changes: list[FieldChange]


class ScanDiff(DiffRecord):
    old: ScanRef
    new: ScanRef
    cookies_added: list[CookieRef] = Field(default_factory=list)
    cookies_removed: list[CookieRef] = Field(default_factory=list)
    cookies_changed: list[CookieChange] = Field(default_factory=list)
    hosts_added: list[str] = Field(default_factory=list)
    hosts_removed: list[str] = Field(default_factory=list)
    findings_new: list[Finding] = Field(default_factory=list)
    findings_resolved: list[Finding] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.cookies_added
            or self.cookies_removed
            or self.cookies_changed
            or self.hosts_added
            or self.hosts_removed
            or self.findings_new
            or self.findings_resolved
        )


def _ref(scan: Scan) -> ScanRef:
    return ScanRef(target=scan.target, site=scan.site, started_at=scan.started_at)


def _cookie_ref(c: ClassifiedCookie) -> CookieRef:
    return CookieRef(
        name=c.name,
        domain=c.domain,
        path=c.path,
        partition_site=c.partition_site,
        partition_cross_site=c.partition_cross_site,
        party=c.party.value,
        category=c.classification.category.value,
        vendor=c.classification.vendor,
        lifetime_days=c.lifetime_days,
        phases=list(c.phases),
    )


def _days(c: ClassifiedCookie) -> str | None:
    """Whole days the cookie lives, preferring what the site asked for; None = session."""
    days = c.requested_lifetime_days if c.requested_lifetime_days is not None else c.lifetime_days
    return None if days is None else str(round(days))


def _changes(old: ClassifiedCookie, new: ClassifiedCookie) -> list[FieldChange]:
    changes: list[FieldChange] = []
    old_days, new_days = _days(old), _days(new)
    if (old.requested_lifetime_days is None) != (new.requested_lifetime_days is None):
        # one scan knows the requested lifetime, the other only the stored one
        old_days = None if old.lifetime_days is None else str(round(old.lifetime_days))
        new_days = None if new.lifetime_days is None else str(round(new.lifetime_days))
    if old_days != new_days:
        changes.append(FieldChange(field="lifetime", old=old_days, new=new_days))
    pairs = [
        ("category", old.classification.category.value, new.classification.category.value),
        ("party", old.party.value, new.party.value),
        ("phases", " ".join(old.phases), " ".join(new.phases)),
        ("vendor", old.classification.vendor, new.classification.vendor),
    ]
    changes.extend(FieldChange(field=f, old=a, new=b) for f, a, b in pairs if a != b)
    return changes


def _finding_key(f: Finding) -> tuple[str, str, str]:
    """A finding about one cookie is told apart from the same rule's finding about another."""
    return (f.rule_id, f.title, finding_subject(f) or "")


def compare(old: Scan, new: Scan) -> ScanDiff:
    """Everything a reader of two scans would want to know changed, in a stable order."""
    old_cookies = {c.key: c for c in distinct_cookies(old)}
    new_cookies = {c.key: c for c in distinct_cookies(new)}
    changed = []
    for key in sorted(old_cookies.keys() & new_cookies.keys()):
        changes = _changes(old_cookies[key], new_cookies[key])
        if changes:
            changed.append(CookieChange(cookie=_cookie_ref(new_cookies[key]), changes=changes))
    old_hosts = {h.host for h in third_party_hosts(old)}
    new_hosts = {h.host for h in third_party_hosts(new)}
    old_findings = {_finding_key(f): f for f in old.findings}
    new_findings = {_finding_key(f): f for f in new.findings}
    return ScanDiff(
        old=_ref(old),
        new=_ref(new),
        cookies_added=[
            _cookie_ref(new_cookies[k]) for k in sorted(new_cookies.keys() - old_cookies.keys())
        ],
        cookies_removed=[
            _cookie_ref(old_cookies[k]) for k in sorted(old_cookies.keys() - new_cookies.keys())
        ],
        cookies_changed=changed,
        hosts_added=sorted(new_hosts - old_hosts),
        hosts_removed=sorted(old_hosts - new_hosts),
        findings_new=[f for k, f in new_findings.items() if k not in old_findings],
        findings_resolved=[f for k, f in old_findings.items() if k not in new_findings],
    )
