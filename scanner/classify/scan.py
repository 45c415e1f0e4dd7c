"""Classify every cookie of a saved or fresh scan: one verdict per distinct cookie, each
weighed against what else the same scan shows (the hosts the site loads)."""

from __future__ import annotations

from urllib.parse import urlsplit

from scanner.classify.classifier import Classifier
from scanner.model import ClassifiedCookie, Cookie, CookieKey, Phase, Scan, ToolInfo


def scan_hosts(scan: Scan) -> frozenset[str]:
    """Every host the scan saw the site load or be written to by: the role evidence (a CRM's
    ad-retargeting host, the vendor a short cookie-name prefix stands for)."""
    hosts: set[str] = set()
    for phase in scan.phases:
        hosts.update(h.host.lower() for h in phase.third_party_hosts)
        for cookie in phase.cookies:
            if cookie.set_by:
                try:
                    host = urlsplit(cookie.set_by).hostname
                except ValueError:
                    host = None
                if host:
                    hosts.add(host.lower())
    return frozenset(hosts)


def classify_scan(scan: Scan, classifier: Classifier | None = None) -> Scan:
    """Return `scan` with `cookies` (re)filled; re-running it re-classifies with a newer KB.

    A cookie is identified by `Cookie.key` (name, domain without the leading dot, path,
    partition); its phases are listed in phase order and the other facts come from where it
    was first seen.
    """
    classifier = classifier or Classifier.default()
    context = scan_hosts(scan)
    first: dict[CookieKey, Cookie] = {}
    phases: dict[CookieKey, list[Phase]] = {}
    for phase in scan.phases:
        for cookie in phase.cookies:
            key = cookie.key
            first.setdefault(key, cookie)
            seen = phases.setdefault(key, [])
            if phase.name not in seen:
                seen.append(phase.name)
    classified = []
    for key, cookie in first.items():
        verdict = classifier.classify(
            cookie.name,
            cookie.domain,
            party=cookie.party,
            value=cookie.value,
            lifetime_days=cookie.requested_lifetime_days or cookie.lifetime_days,
            set_by=cookie.set_by,
            site=scan.site,
            context=context,
        )
        classified.append(
            ClassifiedCookie(
                name=cookie.name,
                domain=key[1],
                path=cookie.path,
                partition_site=cookie.partition_site,
                partition_cross_site=cookie.partition_cross_site,
                party=cookie.party,
                phases=phases[key],
                lifetime_days=cookie.lifetime_days,
                requested_lifetime_days=cookie.requested_lifetime_days,
                set_by=cookie.set_by,
                first_seen_page=cookie.first_seen_page,
                classification=verdict,
            )
        )
    tool: ToolInfo = scan.tool.model_copy(update={"knowledge_base_version": classifier.version})
    return scan.model_copy(update={"cookies": classified, "tool": tool})
