"""The rules: a scan plus what the site declares give findings, each with its evidence.

Rules read the classified cookies (`scan.cookies`) and the phase records (`scan.phases`: the
cookies, third-party hosts and banner of each consent state). Every rule has a stable id (used
by reports, `--fail-on`, diffs between scans); findings are deterministic and deduplicated: one
finding per rule and cookie (or per rule and vendor / category), listing every phase and page
where it was seen.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.model import (
    BannerStatus,
    Category,
    ClassifiedCookie,
    Cookie,
    Evidence,
    Finding,
    Phase,
    Scan,
    Severity,
    ThirdPartyHost,
)
from scanner.policy.declared import DeclaredCookie, DeclaredPolicy
from scanner.policy.vendors import EEA, Vendor, vendor_for_host

#: CNIL recommends 13 months at most for consent-based cookies (2020-092, art. 5 of the
#: guidelines); 13 x 30.44 days
THIRTEEN_MONTHS_DAYS = 395.72
EPRIVACY_5_3 = "ePrivacy Directive 2002/58/EC, art. 5(3); GDPR art. 4(11) and 7 (consent)"
CNIL_GUIDELINES = (
    "CNIL guidelines and recommendation on cookies, deliberations 2020-091 and 2020-092 "
    "(17 Sept. 2020)"
)
TRANSPARENCY = "GDPR art. 12 and 13 (information); ePrivacy Directive art. 5(3) (clear and "
TRANSPARENCY += "comprehensive information)"
MAX_EVIDENCE = 25


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    legal_reference: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "cookie-before-consent",
            Severity.HIGH,
            "Cookie that needs consent is set before any choice",
            EPRIVACY_5_3,
        ),
        Rule(
            "tracker-request-before-consent",
            Severity.HIGH,
            "Requests to a tracker before any choice",
            EPRIVACY_5_3,
        ),
        Rule(
            "cookie-after-reject",
            Severity.CRITICAL,
            "Cookie that needs consent is set although the visitor rejected all",
            EPRIVACY_5_3 + "; " + CNIL_GUIDELINES,
        ),
        Rule(
            "tracker-request-after-reject",
            Severity.CRITICAL,
            "Requests to a tracker although the visitor rejected all",
            EPRIVACY_5_3 + "; " + CNIL_GUIDELINES,
        ),
        Rule(
            "banner-no-reject-first-layer",
            Severity.MEDIUM,
            "The banner's first layer offers to accept but not to reject",
            CNIL_GUIDELINES + "; EDPB Cookie Banner Taskforce report (Jan. 2023)",
        ),
        Rule(
            "category-not-declared",
            Severity.MEDIUM,
            "Cookies of a category the policy does not declare",
            TRANSPARENCY,
        ),
        Rule(
            "ga-not-declared",
            Severity.MEDIUM,
            "Google Analytics is used but the policy does not say so",
            TRANSPARENCY + "; GDPR art. 13(1)(e)-(f) (recipients, transfers)",
        ),
        Rule(
            "ga-contradicts-policy",
            Severity.HIGH,
            "Google Analytics identifiers contradict the policy's claims",
            "GDPR art. 4(1) (online identifiers are personal data); "
            + EPRIVACY_5_3
            + "; CNIL: Google Analytics is not exempt from consent (decisions of Feb. 2022)",
        ),
        Rule(
            "transfer-outside-eu-undeclared",
            Severity.HIGH,
            "Data goes to a company outside the EU although the policy promises no transfer",
            "GDPR art. 13(1)(f) and chapter V (art. 44-49)",
        ),
        Rule(
            "lifetime-over-13-months",
            Severity.MEDIUM,
            "Consent-based cookie kept longer than 13 months",
            CNIL_GUIDELINES,
        ),
        Rule(
            "lifetime-exceeds-declared",
            Severity.MEDIUM,
            "Cookie kept much longer than the policy declares",
            "GDPR art. 5(1)(a) and 13(2)(a) (storage period)",
        ),
        Rule(
            "declared-session-but-persistent",
            Severity.MEDIUM,
            "Cookie declared as a session cookie outlives the session",
            "GDPR art. 5(1)(a) and 13(2)(a) (storage period)",
        ),
        Rule(
            "cookie-not-declared",
            Severity.LOW,
            "Cookie missing from the declared cookie list",
            TRANSPARENCY,
        ),
        Rule(
            "declared-cookie-not-seen",
            Severity.INFO,
            "Declared cookie was not observed",
            TRANSPARENCY,
        ),
        Rule(
            "policy-page-missing",
            Severity.MEDIUM,
            "No privacy or cookie policy page was found",
            TRANSPARENCY,
        ),
        Rule(
            "policy-no-cookie-section",
            Severity.MEDIUM,
            "The policy says nothing about cookies",
            TRANSPARENCY,
        ),
    )
}
_ORDER = list(RULES)
_PHASE_ORDER = list(Phase)


def _label(c: ClassifiedCookie) -> str:
    return f"{c.name}@{c.domain}"


def _finding(
    rule_id: str,
    explanation: str,
    evidence: list[Evidence],
    severity: Severity | None = None,
    title: str | None = None,
) -> Finding:
    rule = RULES[rule_id]
    if len(evidence) > MAX_EVIDENCE:
        dropped = len(evidence) - MAX_EVIDENCE
        evidence = [
            *evidence[:MAX_EVIDENCE],
            Evidence(kind="note", detail=f"{dropped} more items not listed"),
        ]
    return Finding(
        rule_id=rule_id,
        severity=severity or rule.severity,
        title=title or rule.title,
        explanation=explanation,
        legal_reference=rule.legal_reference,
        evidence=evidence,
    )


def _days(c: ClassifiedCookie) -> float | None:
    return c.requested_lifetime_days if c.requested_lifetime_days is not None else c.lifetime_days


def _fmt_days(days: float | None) -> str:
    if days is None:
        return "a browser session"
    if days >= 60:
        return f"{days:.0f} days (about {days / 30.44:.0f} months)"
    if days >= 1:
        return f"{days:.0f} days"
    return f"{days * 24:.1f} hours"


class _Context:
    """Indexes of a scan that several rules need."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.by_phase: dict[Phase, dict[tuple[str, str, str], Cookie]] = {}
        for phase in scan.phases:
            self.by_phase[phase.name] = {c.key: c for c in phase.cookies}
        self.cookies = sorted(scan.cookies, key=lambda c: (c.name, c.domain.lstrip("."), c.path))

    def cookie_evidence(
        self, c: ClassifiedCookie, phases: Iterable[Phase] | None = None, detail: str | None = None
    ) -> list[Evidence]:
        key = (c.name, c.domain.lstrip(".").lower(), c.path)
        out = []
        wanted = sorted(set(phases if phases is not None else c.phases), key=_PHASE_ORDER.index)
        for phase in wanted:
            record = self.by_phase.get(phase, {}).get(key)
            out.append(
                Evidence(
                    kind="cookie",
                    phase=phase,
                    cookie=_label(c),
                    url=(record.set_by if record else None) or c.set_by,
                    page=(record.first_seen_page if record else None) or c.first_seen_page,
                    detail=detail,
                )
            )
        if not out:
            out.append(
                Evidence(
                    kind="cookie",
                    cookie=_label(c),
                    url=c.set_by,
                    page=c.first_seen_page,
                    detail=detail,
                )
            )
        return out

    def tracker_hosts(self, phase: Phase) -> dict[str, list[tuple[ThirdPartyHost, Vendor]]]:
        """Tracker hosts contacted in a phase, grouped by the company that receives them."""
        result = self.scan.phase(phase)
        groups: dict[str, list[tuple[ThirdPartyHost, Vendor]]] = {}
        if result is None:
            return groups
        for host in sorted(result.third_party_hosts, key=lambda h: h.host):
            vendor = vendor_for_host(host.host)
            if vendor is not None and vendor.tracker:
                groups.setdefault(vendor.company, []).append((host, vendor))
        return groups

    def reject_succeeded(self) -> bool:
        result = self.scan.phase(Phase.REJECT)
        return result is not None and result.banner.status is BannerStatus.SUCCEEDED


def _request_evidence(phase: Phase, items: list[tuple[ThirdPartyHost, Vendor]]) -> list[Evidence]:
    return [
        Evidence(
            kind="request",
            phase=phase,
            url=f"https://{h.host}/",
            page=h.first_seen_page,
            detail=f"{h.requests} request(s) to {h.host} ({v.name})",
        )
        for h, v in items
    ]


def _consent_rules(ctx: _Context, out: list[Finding]) -> None:
    phases = [
        (
            Phase.NONE,
            "cookie-before-consent",
            "tracker-request-before-consent",
            "before the visitor made any choice",
        )
    ]
    if ctx.reject_succeeded():
        phases.append(
            (
                Phase.REJECT,
                "cookie-after-reject",
                "tracker-request-after-reject",
                'after the visitor clicked "reject all"',
            )
        )
    for phase, cookie_rule, request_rule, when in phases:
        for c in ctx.cookies:
            if c.classification.exempt or phase not in c.phases:
                continue
            cat = c.classification.category
            vendor = f" ({c.classification.vendor})" if c.classification.vendor else ""
            unknown = cat is Category.UNKNOWN
            out.append(
                _finding(
                    cookie_rule,
                    f"The cookie {_label(c)}{vendor}, classified as {cat.value}"
                    f"{' (not recognised, so not presumed exempt)' if unknown else ''}, was set "
                    f"{when}. Only cookies strictly necessary for the service the visitor "
                    "asked for may be stored without consent.",
                    ctx.cookie_evidence(c, [phase], detail=c.classification.reason),
                    severity=Severity.MEDIUM if unknown and phase is Phase.NONE else None,
                )
            )
        for company, items in sorted(ctx.tracker_hosts(phase).items()):
            hosts = ", ".join(h.host for h, _ in items)
            out.append(
                _finding(
                    request_rule,
                    f"The browser sent requests to {company} ({hosts}) {when}. These requests "
                    "carry the visitor's IP address and identifiers to a tracker.",
                    _request_evidence(phase, items),
                    title=f"{RULES[request_rule].title}: {company}",
                )
            )


def _banner_rule(ctx: _Context, out: list[Finding]) -> None:
    evidence = []
    for phase in sorted(ctx.scan.phases, key=lambda p: _PHASE_ORDER.index(p.name)):
        b = phase.banner
        if b.detected and b.first_layer_reject is False:
            evidence.append(
                Evidence(
                    kind="banner",
                    phase=phase.name,
                    page=phase.pages[0].url if phase.pages else None,
                    detail=f"{b.cmp or 'banner'}: no reject button on the "
                    f"first layer {b.detail}".strip(),
                )
            )
    if evidence:
        out.append(
            _finding(
                "banner-no-reject-first-layer",
                "The banner lets the visitor accept in one click but refusing takes more steps. "
                "Refusing must be as easy as accepting.",
                evidence,
            )
        )


_EXEMPT_LIKE = {Category.TECHNICAL, Category.SESSION}


def _declared_rules(ctx: _Context, policy: DeclaredPolicy, out: list[Finding]) -> None:
    declared = policy.category_set()
    if declared:
        for cat in Category:
            if cat in (Category.UNKNOWN, Category.GOOGLE_ANALYTICS) or cat in declared:
                continue
            if cat in _EXEMPT_LIKE and declared & _EXEMPT_LIKE:
                continue
            cookies = [c for c in ctx.cookies if c.classification.category is cat]
            if not cookies:
                continue
            names = ", ".join(_label(c) for c in cookies[:10])
            said = ", ".join(sorted(c.value for c in declared))
            evidence = [e for c in cookies for e in ctx.cookie_evidence(c)]
            evidence.append(
                _policy_evidence(
                    policy.categories[0].quote,
                    policy.categories[0].source,
                    f"declared categories: {said}",
                )
            )
            out.append(
                _finding(
                    "category-not-declared",
                    f"The site sets {cat.value} cookies ({names}) but its policy only declares: "
                    f"{said}.",
                    evidence,
                    severity=Severity.LOW if cat in _EXEMPT_LIKE else None,
                    title=f"{RULES['category-not-declared'].title}: {cat.value}",
                )
            )

    ga_cookies = [c for c in ctx.cookies if _is_ga(c)]
    ga_hosts = sorted(
        {
            (ph.name, h.host)
            for ph in ctx.scan.phases
            for h in ph.third_party_hosts
            if (v := vendor_for_host(h.host)) and v.name == "Google Analytics"
        },
        key=lambda x: (_PHASE_ORDER.index(x[0]), x[1]),
    )
    ga_declared = Category.GOOGLE_ANALYTICS in declared or policy.names_vendor("google analytics")
    if (ga_cookies or ga_hosts) and not ga_declared:
        evidence = [e for c in ga_cookies for e in ctx.cookie_evidence(c)]
        evidence += [Evidence(kind="request", phase=p, url=f"https://{h}/") for p, h in ga_hosts]
        out.append(
            _finding(
                "ga-not-declared",
                "Google Analytics runs on the site (its cookies or requests were seen) but the "
                "policy names neither Google Analytics nor the transfer of visitors' data to "
                "Google.",
                evidence,
            )
        )
    claims = [
        (f, what)
        for f, what in (
            (policy.collects_personal_data, "collects no personal data"),
            (policy.audience_anonymised, "anonymises audience measurement"),
            (policy.consent_exemption, "claims its audience measurement is exempt from consent"),
        )
        if f is not None and f.value is (what != "collects no personal data")
    ]
    if ga_cookies and claims:
        said = "; ".join(what for _, what in claims)
        evidence = [_policy_evidence(f.quote, f.source, what) for f, what in claims]
        evidence += [e for c in ga_cookies for e in ctx.cookie_evidence(c)]
        out.append(
            _finding(
                "ga-contradicts-policy",
                f"The policy says the site {said}, but Google Analytics identifiers "
                f"({', '.join(_label(c) for c in ga_cookies)}) are set: they single out each "
                "browser, are sent to Google (United States), and Google Analytics is not among "
                "the audience-measurement tools that may run without consent.",
                evidence,
            )
        )

    promise = policy.promises_no_transfer
    if promise is not None:
        groups: dict[str, list[tuple[Phase, ThirdPartyHost, Vendor]]] = {}
        for ph in sorted(ctx.scan.phases, key=lambda p: _PHASE_ORDER.index(p.name)):
            for h in sorted(ph.third_party_hosts, key=lambda h: h.host):
                v = vendor_for_host(h.host)
                if v is not None and v.country not in EEA:
                    groups.setdefault(v.company, []).append((ph.name, h, v))
        for company, items in sorted(groups.items()):
            country = items[0][2].country
            evidence = [_policy_evidence(promise.quote, promise.source, "promise")]
            evidence += [
                Evidence(
                    kind="request",
                    phase=p,
                    url=f"https://{h.host}/",
                    page=h.first_seen_page,
                    detail=f"{h.requests} request(s) to {h.host} ({v.name})",
                )
                for p, h, v in items
            ]
            out.append(
                _finding(
                    "transfer-outside-eu-undeclared",
                    f"The policy promises that data does not leave the EU, but the browser sends "
                    f"visitors' data (at least their IP address) to {company}, established in "
                    f"{country}.",
                    evidence,
                    title=f"{RULES['transfer-outside-eu-undeclared'].title}: {company}",
                )
            )

    if policy.cookies:
        matched: set[int] = set()
        for c in ctx.cookies:
            hits = [i for i, d in enumerate(policy.cookies) if _matches(d, c)]
            matched.update(hits)
            if not hits:
                out.append(
                    _finding(
                        "cookie-not-declared",
                        f"The cookie {_label(c)} ({c.classification.category.value}) is not in the "
                        "site's declared cookie list.",
                        ctx.cookie_evidence(c),
                        severity=None if c.classification.exempt else Severity.MEDIUM,
                    )
                )
                continue
            d = policy.cookies[hits[0]]
            actual = _days(c)
            if d.session and actual is not None and actual >= 1 / 24:
                out.append(
                    _finding(
                        "declared-session-but-persistent",
                        f"The policy declares {_label(c)} as a session cookie, but it is kept for "
                        f"{_fmt_days(actual)}.",
                        [
                            _policy_evidence(d.quote, d.source, "declared: session"),
                            *ctx.cookie_evidence(c),
                        ],
                    )
                )
            elif (
                d.lifetime_days is not None
                and actual is not None
                and actual > 1.5 * d.lifetime_days
                and actual - d.lifetime_days >= 1
            ):
                out.append(
                    _finding(
                        "lifetime-exceeds-declared",
                        f"The policy declares {_fmt_days(d.lifetime_days)} for {_label(c)}, but it "
                        f"is kept for {_fmt_days(actual)}.",
                        [
                            _policy_evidence(
                                d.quote, d.source, f"declared: {_fmt_days(d.lifetime_days)}"
                            ),
                            *ctx.cookie_evidence(c),
                        ],
                    )
                )
        # cookies the classifier has not (yet) judged were still seen
        for phase in ctx.scan.phases:
            for raw in phase.cookies:
                matched.update(
                    i
                    for i, d in enumerate(policy.cookies)
                    if _matches_name(d, raw.name, raw.domain)
                )
        for i, d in enumerate(policy.cookies):
            if i not in matched:
                out.append(
                    _finding(
                        "declared-cookie-not-seen",
                        f"The policy lists the cookie {d.name}"
                        f"{'@' + d.domain if d.domain else ''}, but the scan did not observe it "
                        "(it may be set on pages or after actions the scan did not reach).",
                        [_policy_evidence(d.quote, d.source, d.name)],
                    )
                )


def _lifetime_rule(ctx: _Context, out: list[Finding]) -> None:
    for c in ctx.cookies:
        days = _days(c)
        if c.classification.exempt or days is None or days <= THIRTEEN_MONTHS_DAYS:
            continue
        out.append(
            _finding(
                "lifetime-over-13-months",
                f"{_label(c)} needs consent and asks to be kept for {_fmt_days(days)}; consent and "
                "the cookies that rely on it should not last more than 13 months.",
                ctx.cookie_evidence(c, detail=f"requested lifetime {_fmt_days(days)}"),
            )
        )


def _policy_page_rules(
    ctx: _Context, policy: DeclaredPolicy | None, found: bool, out: list[Finding]
) -> None:
    if not found:
        out.append(
            _finding(
                "policy-page-missing",
                "No link to a privacy, cookie or legal page was found on the pages visited, so "
                "visitors cannot learn what the cookies do before they choose.",
                [
                    Evidence(
                        kind="page",
                        page=ctx.scan.target,
                        detail="no privacy / cookie / legal link found",
                    )
                ],
            )
        )
    elif any(not c.classification.exempt for c in ctx.scan.cookies) and (
        policy is None or not policy.mentions_cookies
    ):
        # strictly necessary cookies are exempt from information as well as from consent
        # (ePrivacy art. 5(3), second sentence), so only cookies that need consent count
        pages = ctx.scan.policy_pages or [ctx.scan.target]
        out.append(
            _finding(
                "policy-no-cookie-section",
                "The site sets cookies that need consent, but its policy pages never mention "
                "cookies or trackers.",
                [
                    Evidence(kind="page", page=p, detail="policy page without a cookie section")
                    for p in pages
                ],
            )
        )


def _policy_evidence(quote: str | None, source: str | None, detail: str) -> Evidence:
    return Evidence(kind="policy", quote=quote, page=source, detail=detail)


def _is_ga(c: ClassifiedCookie) -> bool:
    vendor = (c.classification.vendor or "").lower()
    return c.classification.category is Category.GOOGLE_ANALYTICS or "google analytics" in vendor


def _matches(d: DeclaredCookie, c: ClassifiedCookie) -> bool:
    return _matches_name(d, c.name, c.domain)


def _matches_name(d: DeclaredCookie, name: str, domain: str) -> bool:
    if not fnmatch.fnmatchcase(name, d.name):
        return False
    if not d.domain:
        return True
    want = d.domain.lstrip(".").lower()
    have = domain.lstrip(".").lower()
    return have == want or have.endswith("." + want) or want.endswith("." + have)


def _sort_key(f: Finding) -> tuple[int, str, str]:
    first = f.evidence[0] if f.evidence else None
    key = (first.cookie or first.url or first.page or "") if first else ""
    return (_ORDER.index(f.rule_id), f.title, key)


def check(scan: Scan, policy: DeclaredPolicy | None, *, policy_pages_found: bool) -> list[Finding]:
    """Every finding for a scan against what its site declares (policy None: nothing declared)."""
    ctx = _Context(scan)
    out: list[Finding] = []
    _consent_rules(ctx, out)
    _banner_rule(ctx, out)
    if policy is not None:
        _declared_rules(ctx, policy, out)
    _lifetime_rule(ctx, out)
    _policy_page_rules(ctx, policy, policy_pages_found, out)
    unique: dict[tuple[int, str, str], Finding] = {}
    for f in out:
        unique.setdefault(_sort_key(f), f)
    return sorted(unique.values(), key=_sort_key)
