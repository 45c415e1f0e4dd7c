"""The rules: a scan plus what the site declares give findings, each with its evidence.

Rules read the classified cookies (`scan.cookies`) and the phase records (`scan.phases`: the
cookies, third-party hosts and banner of each consent state). Every rule has a stable id (used
by reports, `--fail-on`, diffs between scans); findings are deterministic and deduplicated: one
finding per rule and cookie (or per rule and vendor / category), listing every phase and page
where it was seen.

Conventions every rule follows (docs/policy.md explains each rule's reasoning):
- a finding's words come from `scanner.findings_text` (message id + parameters, English stored,
  reports render any language);
- a finding carries the confidence of the weakest judgement it rests on (the cookie's
  classification, or the reading of the policy text; 1.0 for what the browser recorded) and,
  below `LOW_CONFIDENCE`, becomes a "check this" point with a lower severity, never a
  violation;
- category rules only look at cookies that need consent, and a cookie the policy names (by
  name, or by its vendor) is declared whatever words the policy uses for its category.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.findings_text import (
    FINDINGS,
    LEGAL,
    LOW_CONFIDENCE,
    evidence_text,
    message,
    render_finding_text,
)
from scanner.model import (
    BannerStatus,
    Category,
    ClassifiedCookie,
    ConsentApiUse,
    ConsentPost,
    Cookie,
    Evidence,
    Finding,
    FindingBasis,
    Message,
    MessageParam,
    Phase,
    Scan,
    Severity,
    ThirdPartyHost,
)
from scanner.policy.consent_records import CONTRADICTS, EXPECTED_ACTION, Problem, problems
from scanner.policy.declared import DeclaredCookie, DeclaredPolicy, Flag
from scanner.policy.text import normalise
from scanner.policy.vendors import EEA, Vendor, vendor_for_host, vendors_in_text

#: CNIL recommends 13 months at most for consent-based cookies (2020-092, art. 5 of the
#: guidelines); 13 x 30.44 days
THIRTEEN_MONTHS_DAYS = 395.72
MAX_EVIDENCE = 25
#: how sure "the policy does not say X" is when X was looked for in policy text (absence is
#: weaker evidence than presence); a YAML declaration by the owner is taken at its word
ABSENCE_IN_TEXT = 0.7
ABSENCE_UNKNOWN_LANGUAGE = 0.3


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity

    @property
    def title(self) -> str:
        """The English title (with its placeholders, e.g. "{company}")."""
        return FINDINGS[self.id]["en"].title

    @property
    def legal_reference(self) -> str:
        return LEGAL[self.id]["en"]


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("cookie-before-consent", Severity.HIGH),
        Rule("tracker-request-before-consent", Severity.HIGH),
        Rule("cookie-after-reject", Severity.CRITICAL),
        Rule("tracker-request-after-reject", Severity.CRITICAL),
        Rule("banner-no-reject-first-layer", Severity.MEDIUM),
        Rule("consent-record-missing", Severity.HIGH),
        Rule("consent-record-failed", Severity.HIGH),
        Rule("consent-record-contradicts-click", Severity.HIGH),
        Rule("category-not-declared", Severity.MEDIUM),
        Rule("ga-not-declared", Severity.MEDIUM),
        Rule("ga-contradicts-policy", Severity.HIGH),
        Rule("transfer-outside-eu-undeclared", Severity.HIGH),
        Rule("lifetime-over-13-months", Severity.MEDIUM),
        Rule("lifetime-exceeds-declared", Severity.MEDIUM),
        Rule("declared-session-but-persistent", Severity.MEDIUM),
        Rule("cookie-not-declared", Severity.LOW),
        Rule("declared-cookie-not-seen", Severity.INFO),
        Rule("policy-page-missing", Severity.MEDIUM),
        Rule("policy-no-cookie-section", Severity.MEDIUM),
    )
}
_ORDER = list(RULES)
_PHASE_ORDER = list(Phase)
_LOWER = {
    Severity.CRITICAL: Severity.MEDIUM,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.INFO,
    Severity.INFO: Severity.INFO,
}


def _one_per_name(cookies: Iterable[ClassifiedCookie]) -> list[ClassifiedCookie]:
    """One cookie per (name, domain, path): its partitions merged, their phases together."""
    merged: dict[tuple[str, str, str], ClassifiedCookie] = {}
    for c in sorted(cookies, key=lambda c: c.key):
        first = merged.setdefault(c.key[:3], c)
        if first is not c and set(c.phases) - set(first.phases):
            phases = sorted(set(first.phases) | set(c.phases), key=_PHASE_ORDER.index)
            merged[c.key[:3]] = first.model_copy(update={"phases": phases})
    return list(merged.values())


def _label(c: ClassifiedCookie) -> str:
    return f"{c.name}@{c.domain}"


def make_finding(
    rule_id: str,
    msg: Message,
    evidence: list[Evidence],
    *,
    subject: str | None = None,
    severity: Severity | None = None,
    confidence: float = 1.0,
    basis: FindingBasis = FindingBasis.OBSERVATION,
) -> Finding:
    """A finding in the house style: English words from its message, and below
    LOW_CONFIDENCE a "check this" point whose severity is lowered (never above medium)."""
    rule = RULES[rule_id]
    confidence = round(max(0.0, min(1.0, confidence)), 2)
    verify = confidence < LOW_CONFIDENCE
    level = severity or rule.severity
    if verify:
        level = _LOWER[level]
    text = render_finding_text(msg, "en", check=verify, confidence=confidence, basis=basis.value)
    if len(evidence) > MAX_EVIDENCE:
        dropped = len(evidence) - MAX_EVIDENCE
        note = message("more-items", n=dropped)
        evidence = [
            *evidence[:MAX_EVIDENCE],
            Evidence(
                kind="note",
                detail=evidence_text(note.id, note.params),
                detail_message=note,
            ),
        ]
    return Finding(
        rule_id=rule_id,
        severity=level,
        title=text.title,
        explanation=text.explanation,
        legal_reference=rule.legal_reference,
        evidence=evidence,
        subject=subject,
        confidence=confidence,
        verify=verify,
        basis=basis,
        message=msg,
    )


def _evidence(kind: str, message_id: str, **fields: object) -> Evidence:
    """An evidence line whose detail is a message (English in `detail`)."""
    params = fields.pop("params", {})
    assert isinstance(params, dict)
    msg = message(message_id, **params)
    return Evidence.model_validate(
        {"kind": kind, "detail": evidence_text(msg.id, msg.params), "detail_message": msg, **fields}
    )


def _days(c: ClassifiedCookie) -> float | None:
    return c.requested_lifetime_days if c.requested_lifetime_days is not None else c.lifetime_days


class _Context:
    """Indexes of a scan that several rules need."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        # a cookie stored in several partitions (CHIPS) is one finding about name@domain: the
        # rules see it once, in every consent state any of its partitions was seen in
        self.by_phase: dict[Phase, dict[tuple[str, str, str], Cookie]] = {}
        for phase in scan.phases:
            records = self.by_phase.setdefault(phase.name, {})
            for cookie in phase.cookies:
                records.setdefault(cookie.key[:3], cookie)
        self.cookies = _one_per_name(scan.cookies)

    def cookie_evidence(
        self,
        c: ClassifiedCookie,
        phases: Iterable[Phase] | None = None,
        detail: str | None = None,
        detail_message: Message | None = None,
    ) -> list[Evidence]:
        key = c.key[:3]
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
                    detail_message=detail_message,
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
                    detail_message=detail_message,
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
        _evidence(
            "request",
            "requests",
            phase=phase,
            url=f"https://{h.host}/",
            page=h.first_seen_page,
            params={"n": h.requests, "host": h.host, "vendor": v.name},
        )
        for h, v in items
    ]


def _vendor_param(c: ClassifiedCookie) -> str:
    return f" ({c.classification.vendor})" if c.classification.vendor else ""


def _consent_rules(ctx: _Context, out: list[Finding]) -> None:
    phases = [(Phase.NONE, "cookie-before-consent", "tracker-request-before-consent")]
    if ctx.reject_succeeded():
        phases.append((Phase.REJECT, "cookie-after-reject", "tracker-request-after-reject"))
    for phase, cookie_rule, request_rule in phases:
        for c in ctx.cookies:
            if c.classification.exempt or phase not in c.phases:
                continue
            cat = c.classification.category
            unknown = cat is Category.UNKNOWN
            msg = message(
                cookie_rule + (".unknown" if unknown else ""),
                cookie=_label(c),
                vendor=_vendor_param(c),
                category=cat.value,
            )
            out.append(
                make_finding(
                    cookie_rule,
                    msg,
                    ctx.cookie_evidence(c, [phase], detail=c.classification.reason),
                    subject=_label(c),
                    confidence=c.classification.confidence,
                    basis=FindingBasis.CLASSIFICATION,
                )
            )
        for company, items in sorted(ctx.tracker_hosts(phase).items()):
            hosts = [h.host for h, _ in items]
            out.append(
                make_finding(
                    request_rule,
                    message(request_rule, company=company, hosts=hosts),
                    _request_evidence(phase, items),
                    subject=company,
                )
            )


def _banner_rule(ctx: _Context, out: list[Finding]) -> None:
    evidence = []
    for phase in sorted(ctx.scan.phases, key=lambda p: _PHASE_ORDER.index(p.name)):
        b = phase.banner
        if not (b.detected and b.first_layer_reject is False):
            continue
        page = phase.pages[0].url if phase.pages else None
        if b.action is Phase.REJECT and b.status is BannerStatus.SUCCEEDED and b.layer:
            # the reject phase still refused, further in: say where and by what
            params = {"cmp": b.cmp or "banner", "layer": b.layer.value, "method": b.method}
            message_id = "no-reject-first-layer.refused"
        else:
            params = {"cmp": b.cmp or "banner", "detail": b.detail}
            message_id = "no-reject-first-layer"
        evidence.append(_evidence("banner", message_id, phase=phase.name, page=page, params=params))
    if evidence:
        out.append(
            make_finding(
                "banner-no-reject-first-layer",
                message("banner-no-reject-first-layer"),
                evidence,
                subject=ctx.scan.site,
            )
        )


def _answer(post: ConsentPost) -> str:
    """The API's answer to a consent post, in codes (the same in every language)."""
    if post.status is None:
        answer = f"no answer ({post.error})" if post.error else "no answer"
    elif post.error:
        answer = f"HTTP {post.status} {post.error}"
    else:
        answer = f"HTTP {post.status}, seq {post.seq}, hash {(post.hash or '-')[:16]}"
    if post.read_back is not None:
        answer += f"; read back: {post.read_back.value}"
        if post.read_error:
            answer += f" ({post.read_error})"
    return answer


def _consent_evidence(phase: Phase, use: ConsentApiUse, post: ConsentPost | None) -> Evidence:
    if post is None:
        return _evidence("consent", "consent-no-post", phase=phase, params={"api": use.api})
    choices = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in post.choices.items())
    return _evidence(
        "consent",
        "consent-post",
        phase=phase,
        page=post.page,
        url=f"{use.api}/v1/sites/{use.site_key}/consents",
        params={
            "action": post.action or "?",
            "choices": f"({choices})",
            "api": use.api,
            "answer": _answer(post),
        },
    )


def _consent_record_rules(ctx: _Context, out: list[Finding]) -> None:
    """The banner's click against what the consent API recorded (scanner.policy.consent_records)."""
    for phase in ctx.scan.phases:
        use = phase.consent_api
        for problem in problems(phase):
            assert use is not None
            out.append(
                make_finding(
                    problem.rule_id,
                    _consent_message(problem),
                    [_consent_evidence(phase.name, use, problem.post)],
                    subject=f"{use.site_key}@{use.api.split('://', 1)[-1]}",
                )
            )


def _consent_message(problem: Problem) -> Message:
    if problem.rule_id == CONTRADICTS and not problem.categories:
        return message(
            f"{CONTRADICTS}.action",
            phase=problem.phase.value,
            action=problem.action or "?",
            expected=EXPECTED_ACTION[problem.phase],
        )
    if problem.rule_id == CONTRADICTS:
        return message(
            CONTRADICTS if problem.phase is Phase.REJECT else f"{CONTRADICTS}.accept",
            phase=problem.phase.value,
            action=problem.action or "?",
            categories=problem.categories,
        )
    if problem.rule_id == "consent-record-failed":
        post = problem.post
        error = (post.error if post else None) or "an error"
        return message(problem.rule_id, phase=problem.phase.value, error=error)
    return message(problem.rule_id, phase=problem.phase.value)


# --- what the policy covers ------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"#+|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\bX{2,}\b|\*+")


def _pattern(declared_name: str) -> str:
    """A declared name as a case-folded shell pattern: "_ga_<container-id>", "_dc_gtm_UA-#",
    "_ga_XXXXXXX" and "_pk_id.*" all end in a wildcard."""
    return _PLACEHOLDER.sub("*", declared_name.strip().casefold())


def _matches_name(d: DeclaredCookie, name: str, domain: str) -> bool:
    if not fnmatch.fnmatchcase(name.casefold(), _pattern(d.name)):
        return False
    if not d.domain:
        return True
    want = d.domain.lstrip(".").lower()
    have = domain.lstrip(".").lower()
    return have == want or have.endswith("." + want) or want.endswith("." + have)


def _matches(d: DeclaredCookie, c: ClassifiedCookie) -> bool:
    return _matches_name(d, c.name, c.domain)


def _products(text: str) -> set[str]:
    """Vendor products named in a text ("Meta (Facebook Pixel)" -> {"Meta Pixel"})."""
    return {v.name for v in vendors_in_text(normalise(text), cookie_context=True)}


class _Coverage:
    """Which observed cookies a policy covers: by name, or by naming the cookie's vendor."""

    def __init__(self, policy: DeclaredPolicy) -> None:
        self.policy = policy
        self.declared_names = [d for d in policy.cookies]
        self.vendor_names = [v.name.casefold() for v in policy.vendors]
        self.products: set[str] = set()
        for v in policy.vendors:
            self.products |= _products(v.name) | {v.name}

    def by_name(self, c: ClassifiedCookie) -> DeclaredCookie | None:
        return next((d for d in self.declared_names if _matches(d, c)), None)

    def by_vendor(self, c: ClassifiedCookie) -> bool:
        products = set()
        owner = vendor_for_host(c.domain.lstrip("."))
        if owner is not None:
            products.add(owner.name)
        vendor = c.classification.vendor or ""
        if vendor:
            products |= _products(vendor)
        if products & self.products:
            return True
        folded = vendor.casefold()
        return bool(folded) and any(
            len(name) >= 4 and (name in folded or folded in name) for name in self.vendor_names
        )

    def covers(self, c: ClassifiedCookie) -> bool:
        return self.by_name(c) is not None or self.by_vendor(c)


def _absence_confidence(policy: DeclaredPolicy) -> float:
    """How sure "the policy does not say it" is."""
    if policy.owner_declaration or policy.origin.value == "declaration":
        return 1.0
    if policy.language is None:
        return ABSENCE_UNKNOWN_LANGUAGE
    return ABSENCE_IN_TEXT


def _categories_rule(ctx: _Context, policy: DeclaredPolicy, out: list[Finding]) -> None:
    declared = policy.category_set()
    if not declared:
        return
    coverage = _Coverage(policy)
    absence = _absence_confidence(policy)
    for cat in (Category.TRACKING, Category.ANALYTICS):
        if cat in declared:
            continue
        cookies = [
            c
            for c in ctx.cookies
            if c.classification.category is cat
            and not c.classification.exempt
            and not coverage.covers(c)
        ]
        if not cookies:
            continue
        said = sorted(c.value for c in declared)
        first = policy.categories[0]
        evidence = [e for c in cookies for e in ctx.cookie_evidence(c)]
        evidence.append(
            _policy_evidence(first.quote, first.source, "declared-categories", categories=said)
        )
        classified = max(c.classification.confidence for c in cookies)
        out.append(
            make_finding(
                "category-not-declared",
                message(
                    "category-not-declared",
                    category=cat.value,
                    names=[_label(c) for c in cookies[:10]],
                    declared=said,
                ),
                evidence,
                subject=cat.value,
                confidence=min(classified, absence),
                basis=(
                    FindingBasis.CLASSIFICATION if classified < absence else FindingBasis.EXTRACTION
                ),
            )
        )


def _ga_rules(ctx: _Context, policy: DeclaredPolicy, out: list[Finding]) -> None:
    declared = policy.category_set()
    coverage = _Coverage(policy)
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
    ga_declared = (
        Category.GOOGLE_ANALYTICS in declared
        or policy.names_vendor("google analytics")
        or any(coverage.by_name(c) is not None for c in ga_cookies)
    )
    if (ga_cookies or ga_hosts) and not ga_declared:
        evidence = [e for c in ga_cookies for e in ctx.cookie_evidence(c)]
        evidence += [Evidence(kind="request", phase=p, url=f"https://{h}/") for p, h in ga_hosts]
        out.append(
            make_finding(
                "ga-not-declared",
                message("ga-not-declared"),
                evidence,
                subject="Google Analytics",
                confidence=_absence_confidence(policy),
                basis=FindingBasis.EXTRACTION,
            )
        )
    claims: list[tuple[Flag, str]] = [
        (f, claim)
        for f, claim, value in (
            (policy.collects_personal_data, "no_personal_data", False),
            (policy.audience_anonymised, "anonymised", True),
            (policy.consent_exemption, "exempt", True),
        )
        if f is not None and f.value is value
    ]
    if ga_cookies and claims:
        evidence = [
            _policy_evidence(f.quote, f.source, "claim", claims=[claim]) for f, claim in claims
        ]
        evidence += [e for c in ga_cookies for e in ctx.cookie_evidence(c)]
        confidence = min(
            max(f.confidence for f, _ in claims),
            max(c.classification.confidence for c in ga_cookies),
        )
        out.append(
            make_finding(
                "ga-contradicts-policy",
                message(
                    "ga-contradicts-policy",
                    claims=[claim for _, claim in claims],
                    names=[_label(c) for c in ga_cookies],
                ),
                evidence,
                subject="Google Analytics",
                confidence=confidence,
                basis=FindingBasis.EXTRACTION,
            )
        )


def _transfer_rule(ctx: _Context, policy: DeclaredPolicy, out: list[Finding]) -> None:
    promise = policy.promises_no_transfer
    if promise is None:
        return
    groups: dict[str, list[tuple[Phase, ThirdPartyHost, Vendor]]] = {}
    for ph in sorted(ctx.scan.phases, key=lambda p: _PHASE_ORDER.index(p.name)):
        for h in sorted(ph.third_party_hosts, key=lambda h: h.host):
            v = vendor_for_host(h.host)
            if v is not None and v.country not in EEA:
                groups.setdefault(v.company, []).append((ph.name, h, v))
    for company, items in sorted(groups.items()):
        country = items[0][2].country
        evidence = [_policy_evidence(promise.quote, promise.source, "promise-no-transfer")]
        evidence += [
            _evidence(
                "request",
                "requests",
                phase=p,
                url=f"https://{h.host}/",
                page=h.first_seen_page,
                params={"n": h.requests, "host": h.host, "vendor": v.name},
            )
            for p, h, v in items
        ]
        out.append(
            make_finding(
                "transfer-outside-eu-undeclared",
                message("transfer-outside-eu-undeclared", company=company, country=country),
                evidence,
                subject=company,
                confidence=promise.confidence,
                basis=FindingBasis.EXTRACTION,
            )
        )


def _cookie_list_rules(ctx: _Context, policy: DeclaredPolicy, out: list[Finding]) -> None:
    if not policy.cookies:
        return
    coverage = _Coverage(policy)
    listed = [d for d in policy.cookies if d.listed]
    list_confidence = max((d.confidence for d in listed), default=0.0)
    matched: set[int] = set()
    for c in ctx.cookies:
        hits = [i for i, d in enumerate(policy.cookies) if _matches(d, c)]
        matched.update(hits)
        if not hits and not listed:
            continue
        if not hits:
            exempt = c.classification.exempt
            out.append(
                make_finding(
                    "cookie-not-declared",
                    message(
                        "cookie-not-declared",
                        cookie=_label(c),
                        category=c.classification.category.value,
                    ),
                    ctx.cookie_evidence(c),
                    subject=_label(c),
                    severity=None if exempt or coverage.by_vendor(c) else Severity.MEDIUM,
                    confidence=list_confidence,
                    basis=FindingBasis.EXTRACTION,
                )
            )
            continue
        d = policy.cookies[hits[0]]
        actual = _days(c)
        if d.session and actual is not None and actual >= 1 / 24:
            out.append(
                make_finding(
                    "declared-session-but-persistent",
                    message("declared-session-but-persistent", cookie=_label(c), actual=actual),
                    [
                        _policy_evidence(d.quote, d.source, "declared-session"),
                        *ctx.cookie_evidence(c),
                    ],
                    subject=_label(c),
                    confidence=d.confidence,
                    basis=FindingBasis.EXTRACTION,
                )
            )
        elif (
            d.lifetime_days is not None
            and actual is not None
            and actual > 1.5 * d.lifetime_days
            and actual - d.lifetime_days >= 1
        ):
            out.append(
                make_finding(
                    "lifetime-exceeds-declared",
                    message(
                        "lifetime-exceeds-declared",
                        cookie=_label(c),
                        declared_days=d.lifetime_days,
                        actual=actual,
                    ),
                    [
                        _policy_evidence(
                            d.quote, d.source, "declared-lifetime", days=d.lifetime_days
                        ),
                        *ctx.cookie_evidence(c),
                    ],
                    subject=_label(c),
                    confidence=d.confidence,
                    basis=FindingBasis.EXTRACTION,
                )
            )
    # cookies the classifier has not (yet) judged were still seen
    for phase in ctx.scan.phases:
        for raw in phase.cookies:
            matched.update(
                i for i, d in enumerate(policy.cookies) if _matches_name(d, raw.name, raw.domain)
            )
    for i, d in enumerate(policy.cookies):
        if i not in matched and d.listed:
            label = f"{d.name}{'@' + d.domain if d.domain else ''}"
            out.append(
                make_finding(
                    "declared-cookie-not-seen",
                    message("declared-cookie-not-seen", cookie=label),
                    [_policy_evidence(d.quote, d.source, "declared-cookie", cookie=d.name)],
                    subject=label,
                    confidence=d.confidence,
                    basis=FindingBasis.EXTRACTION,
                )
            )


def _lifetime_rule(ctx: _Context, out: list[Finding]) -> None:
    for c in ctx.cookies:
        days = _days(c)
        if c.classification.exempt or days is None or days <= THIRTEEN_MONTHS_DAYS:
            continue
        note = _evidence("cookie", "requested-lifetime", params={"days": days})
        out.append(
            make_finding(
                "lifetime-over-13-months",
                message("lifetime-over-13-months", cookie=_label(c), days=days),
                ctx.cookie_evidence(c, detail=note.detail, detail_message=note.detail_message),
                subject=_label(c),
                confidence=c.classification.confidence,
                basis=FindingBasis.CLASSIFICATION,
            )
        )


def _policy_page_rules(
    ctx: _Context, policy: DeclaredPolicy | None, found: bool, out: list[Finding]
) -> None:
    if not found:
        out.append(
            make_finding(
                "policy-page-missing",
                message("policy-page-missing"),
                [_evidence("page", "no-policy-link", page=ctx.scan.target)],
                subject=ctx.scan.site,
            )
        )
        return
    needing = [c for c in ctx.scan.cookies if not c.classification.exempt]
    if needing and (policy is None or not policy.mentions_cookies):
        # strictly necessary cookies are exempt from information as well as from consent
        # (ePrivacy art. 5(3), second sentence), so only cookies that need consent count
        pages = ctx.scan.policy_pages or [ctx.scan.target]
        absence = ABSENCE_IN_TEXT if policy is None else _absence_confidence(policy)
        classified = max(c.classification.confidence for c in needing)
        out.append(
            make_finding(
                "policy-no-cookie-section",
                message("policy-no-cookie-section"),
                [_evidence("page", "no-cookie-section", page=p) for p in pages],
                subject=ctx.scan.site,
                confidence=min(absence, classified),
                basis=(
                    FindingBasis.CLASSIFICATION if classified < absence else FindingBasis.EXTRACTION
                ),
            )
        )


def _policy_evidence(
    quote: str | None, source: str | None, message_id: str, **params: MessageParam | list[str]
) -> Evidence:
    return _evidence("policy", message_id, quote=quote, page=source, params=params)


def _is_ga(c: ClassifiedCookie) -> bool:
    vendor = (c.classification.vendor or "").lower()
    return c.classification.category is Category.GOOGLE_ANALYTICS or "google analytics" in vendor


def _sort_key(f: Finding) -> tuple[int, str, str]:
    first = f.evidence[0] if f.evidence else None
    key = (first.cookie or first.url or first.page or "") if first else ""
    return (_ORDER.index(f.rule_id), f.title, f.subject or key)


def check(scan: Scan, policy: DeclaredPolicy | None, *, policy_pages_found: bool) -> list[Finding]:
    """Every finding for a scan against what its site declares (policy None: nothing declared)."""
    ctx = _Context(scan)
    out: list[Finding] = []
    _consent_rules(ctx, out)
    _banner_rule(ctx, out)
    _consent_record_rules(ctx, out)
    if policy is not None:
        _categories_rule(ctx, policy, out)
        _ga_rules(ctx, policy, out)
        _transfer_rule(ctx, policy, out)
        _cookie_list_rules(ctx, policy, out)
    _lifetime_rule(ctx, out)
    _policy_page_rules(ctx, policy, policy_pages_found, out)
    unique: dict[tuple[int, str, str], Finding] = {}
    for f in out:
        unique.setdefault(_sort_key(f), f)
    return sorted(unique.values(), key=_sort_key)
