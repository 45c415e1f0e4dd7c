"""Realistic scans built from the model records, for report tests (no browser needed).

`shop_scan()` is a French shop with a Klaro banner, GA4, the Meta pixel, a YouTube embed and
a PHP session; `hostile_scan()` is a site that puts markup and script in every string it
controls; `before_after()` is the same shop a month apart, after the marketing team swapped
Hotjar in and the pixel out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Category,
    Classification,
    ClassifiedCookie,
    Cookie,
    CookieKey,
    Evidence,
    Finding,
    PageVisit,
    Party,
    Phase,
    PhaseResult,
    Scan,
    ScanStatus,
    SetByKind,
    Severity,
    SkippedPage,
    SkipReason,
    StorageEntry,
    StorageKind,
    Summary,
    ThirdPartyHost,
    ToolInfo,
    ValueInfo,
    ValueShape,
)

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SITE = "boutique-exemple.fr"
HOME = "https://www.boutique-exemple.fr/"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-ABC123"
FBEVENTS = "https://connect.facebook.net/en_US/fbevents.js"


def value(shape: ValueShape, length: int, entropy: float = 3.5) -> ValueInfo:
    return ValueInfo(length=length, entropy=entropy, shape=shape)


def cookie(
    name: str,
    domain: str,
    *,
    days: float | None,
    party: Party = Party.FIRST,
    set_by: str | None = HOME,
    kind: SetByKind = SetByKind.HTTP,
    shape: ValueShape = ValueShape.TEXT,
    requested: float | None = None,
    page: str = HOME,
    start: datetime = T0,
) -> Cookie:
    return Cookie(
        name=name,
        domain=domain,
        host_only=not domain.startswith("."),
        expires=None if days is None else start + timedelta(days=days),
        lifetime_days=days,
        requested_lifetime_days=requested if requested is not None else days,
        http_only=kind == SetByKind.HTTP,
        secure=True,
        same_site="Lax" if party == Party.FIRST else "None",
        party=party,
        set_by=set_by,
        set_by_kind=kind,
        first_seen_page=page,
        value=value(shape, 26),
    )


def classification(
    category: Category, vendor: str | None, exempt: bool, reason: str, purpose: str | None = None
) -> Classification:
    return Classification(
        category=category,
        vendor=vendor,
        purpose=purpose,
        exempt=exempt,
        confidence=0.95,
        reason=reason,
    )


KB: dict[str, Classification] = {
    "PHPSESSID": classification(
        Category.SESSION, "PHP", True, "knowledge base: PHPSESSID", "keeps the basket"
    ),
    "klaro": classification(
        Category.TECHNICAL, "Klaro", True, "knowledge base: klaro", "remembers the consent choice"
    ),
    "_ga": classification(
        Category.GOOGLE_ANALYTICS, "Google", False, "knowledge base: _ga", "distinguishes users"
    ),
    "_ga_ABC123": classification(
        Category.GOOGLE_ANALYTICS, "Google", False, "knowledge base: _ga_<container>"
    ),
    "_fbp": classification(
        Category.TRACKING, "Meta", False, "knowledge base: _fbp", "ad delivery and measurement"
    ),
    "fr": classification(Category.TRACKING, "Meta", False, "knowledge base: fr on facebook.com"),
    "YSC": classification(Category.TRACKING, "YouTube", False, "knowledge base: YSC"),
    "VISITOR_INFO1_LIVE": classification(
        Category.TRACKING, "YouTube", False, "knowledge base: VISITOR_INFO1_LIVE"
    ),
    "_hjSessionUser_42": classification(
        Category.ANALYTICS, "Hotjar", False, "knowledge base: _hjSessionUser_<site>"
    ),
    "_hjSession_42": classification(
        Category.ANALYTICS, "Hotjar", False, "knowledge base: _hjSession_<site>"
    ),
    "mystery": classification(Category.UNKNOWN, None, False, "no rule matched"),
}


def classify(phases: list[PhaseResult]) -> list[ClassifiedCookie]:
    """What scanner.classify.classify_scan would produce for these records."""
    first: dict[CookieKey, Cookie] = {}
    seen: dict[CookieKey, list[Phase]] = {}
    for phase in phases:
        for c in phase.cookies:
            first.setdefault(c.key, c)
            seen.setdefault(c.key, [])
            if phase.name not in seen[c.key]:
                seen[c.key].append(phase.name)
    return [
        ClassifiedCookie(
            name=c.name,
            domain=c.domain,
            path=c.path,
            partition_site=c.partition_site,
            partition_cross_site=c.partition_cross_site,
            party=c.party,
            phases=seen[key],
            lifetime_days=c.lifetime_days,
            requested_lifetime_days=c.requested_lifetime_days,
            set_by=c.set_by,
            first_seen_page=c.first_seen_page,
            classification=KB.get(c.name, KB["mystery"]),
        )
        for key, c in sorted(first.items())
    ]


def host(name: str, reg: str, n: int, types: list[str]) -> ThirdPartyHost:
    return ThirdPartyHost(
        host=name, registrable_domain=reg, requests=n, first_seen_page=HOME, resource_types=types
    )


def shop_phases(*, month: int = 0, hotjar: bool = False, pixel: bool = True) -> list[PhaseResult]:
    start = T0 + timedelta(days=30 * month)
    php = cookie("PHPSESSID", "www.boutique-exemple.fr", days=None, start=start)
    consent = cookie(
        "klaro",
        "www.boutique-exemple.fr",
        days=365,
        kind=SetByKind.SCRIPT,
        set_by=HOME + "static/klaro.js",
        shape=ValueShape.JSON,
        start=start,
    )
    ga = cookie(
        "_ga",
        ".boutique-exemple.fr",
        days=400,
        requested=730,
        set_by=GTAG,
        kind=SetByKind.SCRIPT,
        shape=ValueShape.GA,
        start=start,
    )
    ga4 = cookie(
        "_ga_ABC123",
        ".boutique-exemple.fr",
        days=400,
        requested=730,
        set_by=GTAG,
        kind=SetByKind.SCRIPT,
        shape=ValueShape.GA,
        start=start,
    )
    fbp = cookie(
        "_fbp",
        ".boutique-exemple.fr",
        days=90,
        set_by=FBEVENTS,
        kind=SetByKind.SCRIPT,
        shape=ValueShape.FB,
        start=start,
    )
    fr = cookie(
        "fr",
        ".facebook.com",
        days=90,
        party=Party.THIRD,
        set_by="https://www.facebook.com/tr?id=1234&ev=PageView",
        shape=ValueShape.BASE64,
        start=start,
    )
    ysc = cookie(
        "YSC",
        ".youtube.com",
        days=None,
        party=Party.THIRD,
        set_by="https://www.youtube.com/embed/dQw4w9WgXcQ",
        page=HOME + "video",
        start=start,
    )
    visitor = cookie(
        "VISITOR_INFO1_LIVE",
        ".youtube.com",
        days=180,
        party=Party.THIRD,
        set_by="https://www.youtube.com/embed/dQw4w9WgXcQ",
        page=HOME + "video",
        start=start,
    )
    hj = [
        cookie(
            "_hjSessionUser_42",
            ".boutique-exemple.fr",
            days=365,
            set_by="https://static.hotjar.com/c/hotjar-42.js",
            kind=SetByKind.SCRIPT,
            shape=ValueShape.BASE64,
            start=start,
        ),
        cookie(
            "_hjSession_42",
            ".boutique-exemple.fr",
            days=30 / 1440,
            set_by="https://static.hotjar.com/c/hotjar-42.js",
            kind=SetByKind.SCRIPT,
            shape=ValueShape.BASE64,
            start=start,
        ),
    ]
    pages = [
        PageVisit(
            url=HOME, final_url=HOME, status=200, title="Boutique Exemple – accueil", load_ms=812.0
        ),
        PageVisit(url=HOME + "video", status=200, title="Nos vidéos", depth=1, load_ms=1290.5),
        PageVisit(url=HOME + "politique-cookies", status=200, title="Politique cookies", depth=1),
    ]
    skipped = [
        SkippedPage(url=HOME + "catalogue.pdf", reason=SkipReason.DOWNLOAD),
        SkippedPage(
            url="https://shop.invalid/", reason=SkipReason.DNS, detail="net::ERR_NAME_NOT_RESOLVED"
        ),
    ]
    hosts_base = [
        host("www.googletagmanager.com", "googletagmanager.com", 2, ["script"]),
        host("www.google-analytics.com", "google-analytics.com", 3, ["fetch"]),
    ]
    fb_hosts = [
        host("connect.facebook.net", "facebook.net", 1, ["script"]),
        host("www.facebook.com", "facebook.com", 2, ["image"]),
    ]
    yt_hosts = [host("www.youtube.com", "youtube.com", 4, ["document", "script"])]
    hj_hosts = [host("static.hotjar.com", "hotjar.com", 1, ["script"])]
    storage = [
        StorageEntry(
            origin="https://www.boutique-exemple.fr",
            kind=StorageKind.LOCAL,
            key="klaro-consent",
            value=value(ValueShape.JSON, 58),
            first_seen_page=HOME,
        )
    ]
    tracked = [ga, ga4, *([fbp, fr] if pixel else []), *(hj if hotjar else [])]
    tracked_hosts = [*hosts_base, *(fb_hosts if pixel else []), *(hj_hosts if hotjar else [])]
    none_phase = PhaseResult(
        name=Phase.NONE,
        banner=Banner(
            detected=True,
            cmp="Klaro",
            action=Phase.NONE,
            status=BannerStatus.NOT_ATTEMPTED,
            first_layer_reject=True,
        ),
        pages=pages,
        skipped=skipped,
        # GA fires before any choice: the scan's headline problem
        cookies=[php, ga, ga4, ysc, visitor],
        storage=[],
        third_party_hosts=[*hosts_base, *yt_hosts],
        started_at=start,
        finished_at=start + timedelta(seconds=14),
    )
    reject = PhaseResult(
        name=Phase.REJECT,
        banner=Banner(
            detected=True,
            cmp="Klaro",
            action=Phase.REJECT,
            status=BannerStatus.SUCCEEDED,
            first_layer_reject=True,
        ),
        pages=pages,
        cookies=[php, consent, ga, ga4, ysc, visitor],
        storage=storage,
        third_party_hosts=[*hosts_base, *yt_hosts],
        started_at=start + timedelta(seconds=15),
        finished_at=start + timedelta(seconds=30),
    )
    accept = PhaseResult(
        name=Phase.ACCEPT,
        banner=Banner(
            detected=True,
            cmp="Klaro",
            action=Phase.ACCEPT,
            status=BannerStatus.SUCCEEDED,
            first_layer_reject=True,
        ),
        pages=pages,
        cookies=[php, consent, *tracked, ysc, visitor],
        storage=storage,
        third_party_hosts=[*tracked_hosts, *yt_hosts],
        started_at=start + timedelta(seconds=31),
        finished_at=start + timedelta(seconds=49),
    )
    return [none_phase, reject, accept]


GA_FINDING = Finding(
    rule_id="consent.before_choice",
    severity=Severity.HIGH,
    title="Google Analytics cookies are set before the visitor chooses",
    explanation="_ga and _ga_ABC123 are written on the first page, before the banner is "
    "answered; the policy says audience measurement waits for consent.",
    legal_reference="CNIL, délibération 2020-091, art. 82 loi Informatique et Libertés",
    evidence=[
        Evidence(
            kind="cookie", phase=Phase.NONE, cookie="_ga@.boutique-exemple.fr", url=GTAG, page=HOME
        ),
        Evidence(
            kind="policy",
            page=HOME + "politique-cookies",
            quote="Les cookies de mesure d'audience ne sont déposés qu'après votre consentement.",
        ),
    ],
)
YT_FINDING = Finding(
    rule_id="consent.third_party_before_choice",
    severity=Severity.MEDIUM,
    title="YouTube sets tracking cookies before any choice",
    explanation="The embedded video loads youtube.com, which sets YSC and VISITOR_INFO1_LIVE; "
    "use youtube-nocookie.com or a click-to-load placeholder.",
    evidence=[
        Evidence(
            kind="cookie",
            phase=Phase.NONE,
            cookie="VISITOR_INFO1_LIVE@.youtube.com",
            url="https://www.youtube.com/embed/dQw4w9WgXcQ",
            page=HOME + "video",
        )
    ],
)
LIFETIME_FINDING = Finding(
    rule_id="lifetime.over_13_months",
    severity=Severity.LOW,
    title="_ga asks for a lifetime over 13 months",
    explanation="The site asks for 2 years; the CNIL recommends 13 months at most.",
    evidence=[
        Evidence(
            kind="cookie",
            phase=Phase.ACCEPT,
            cookie="_ga@.boutique-exemple.fr",
            detail="requested 730 days",
        )
    ],
)
HOTJAR_FINDING = Finding(
    rule_id="policy.undeclared",
    severity=Severity.MEDIUM,
    title="Hotjar cookies are not declared in the cookie policy",
    explanation="_hjSessionUser_42 and _hjSession_42 appear after accepting but the policy "
    "does not list Hotjar.",
    evidence=[
        Evidence(
            kind="policy",
            page=HOME + "politique-cookies",
            quote="Nous utilisons Google Analytics et le pixel Meta.",
        )
    ],
)
PIXEL_FINDING = Finding(
    rule_id="lifetime.long_tracking",
    severity=Severity.LOW,
    title="The Meta pixel keeps _fbp for 90 days",
    explanation="Consider a shorter lifetime for advertising cookies.",
    evidence=[Evidence(kind="cookie", phase=Phase.ACCEPT, cookie="_fbp@.boutique-exemple.fr")],
)


def _summary(phases: list[PhaseResult], findings: list[Finding], verdict: str) -> Summary:
    return Summary(
        status=ScanStatus.PARTIAL,
        pages_visited=3,
        pages_skipped=2,
        cookies_by_phase={p.name.value: len(p.cookies) for p in phases},
        third_party_hosts=len({h.host for p in phases for h in p.third_party_hosts}),
        findings_by_severity={s.value: sum(f.severity == s for f in findings) for s in Severity},
        verdict=verdict,
    )


def make_scan(
    *,
    month: int = 0,
    hotjar: bool = False,
    pixel: bool = True,
    findings: list[Finding] | None = None,
) -> Scan:
    phases = shop_phases(month=month, hotjar=hotjar, pixel=pixel)
    if findings is None:
        findings = [LIFETIME_FINDING, GA_FINDING, YT_FINDING]
    start = T0 + timedelta(days=30 * month)
    return Scan(
        target=HOME,
        site=SITE,
        options={"max_pages": 10, "timeout_s": 120, "lang": "fr"},
        tool=ToolInfo(version="0.1.0", knowledge_base_version="2026.11"),
        browser=BrowserInfo(version="131.0.6778.85", executable="/usr/bin/chromium"),
        started_at=start,
        finished_at=start + timedelta(seconds=49),
        duration_s=49.2,
        phases=phases,
        cookies=classify(phases),
        policy_pages=[HOME + "politique-cookies"],
        findings=findings,
        notes=["catalogue.pdf is a download: skipped"],
        summary=_summary(
            phases,
            findings,
            "Google Analytics and YouTube set cookies before the visitor chooses.",
        ),
    )


def shop_scan() -> Scan:
    return make_scan()


def before_after() -> tuple[Scan, Scan]:
    """A month apart: Hotjar added, the Meta pixel removed, a finding resolved, one new."""
    old = make_scan(findings=[LIFETIME_FINDING, GA_FINDING, YT_FINDING, PIXEL_FINDING])
    new = make_scan(
        month=1, hotjar=True, pixel=False, findings=[LIFETIME_FINDING, GA_FINDING, HOTJAR_FINDING]
    )
    return old, new


HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(2)</script>"
HOSTILE_ATTR = '" onmouseover="alert(3)" x="'


def hostile_scan() -> Scan:
    """Every string the site controls carries markup or script."""
    page = f"https://evil.example/?q={HOSTILE}"
    bad = [
        cookie(HOSTILE, "evil.example", days=30, set_by=page, page=page),
        cookie(
            HOSTILE_SCRIPT,
            "evil.example",
            days=1,
            set_by=f"https://evil.example/{HOSTILE_SCRIPT}",
            page=page,
        ),
        cookie(HOSTILE_ATTR, "evil.example", days=None, page=page),
        cookie('=HYPERLINK("https://evil.example")', "evil.example", days=2, page=page),
    ]
    phases = [
        PhaseResult(
            name=p,
            banner=Banner(
                detected=True,
                cmp=HOSTILE,
                action=p,
                status=BannerStatus.NOT_ATTEMPTED if p == Phase.NONE else BannerStatus.FAILED,
                detail=HOSTILE,
            ),
            pages=[PageVisit(url=page, status=200, title=f"{HOSTILE}{HOSTILE_SCRIPT}")],
            skipped=[
                SkippedPage(
                    url=f"https://evil.example/{HOSTILE}",
                    reason=SkipReason.OTHER,
                    detail=HOSTILE_SCRIPT,
                )
            ],
            cookies=bad,
            storage=[
                StorageEntry(
                    origin="https://evil.example",
                    kind=StorageKind.SESSION,
                    key=HOSTILE,
                    value=ValueInfo(
                        length=10, entropy=2.0, shape=ValueShape.TEXT, value=HOSTILE_SCRIPT
                    ),
                )
            ],
            third_party_hosts=[
                ThirdPartyHost(
                    host=f"{HOSTILE}.evil.example", registrable_domain="evil.example", requests=1
                )
            ],
        )
        for p in (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
    ]
    classified = [
        c.model_copy(
            update={
                "classification": classification(
                    Category.UNKNOWN, HOSTILE, False, HOSTILE_SCRIPT, purpose=HOSTILE_ATTR
                )
            }
        )
        for c in classify(phases)
    ]
    return Scan(
        target=page,
        site="evil.example",
        options={HOSTILE: HOSTILE_SCRIPT},
        tool=ToolInfo(version="0.1.0"),
        browser=BrowserInfo(version=HOSTILE),
        started_at=T0,
        phases=phases,
        cookies=classified,
        policy_pages=[f"https://evil.example/{HOSTILE}"],
        findings=[
            Finding(
                rule_id="consent.before_choice",
                severity=Severity.CRITICAL,
                title=HOSTILE,
                explanation=HOSTILE_SCRIPT,
                legal_reference=HOSTILE_ATTR,
                evidence=[
                    Evidence(
                        kind="policy",
                        cookie=HOSTILE,
                        url=page,
                        page=page,
                        quote=HOSTILE_SCRIPT,
                        detail=HOSTILE,
                    )
                ],
            )
        ],
        notes=[HOSTILE],
        summary=Summary(status=ScanStatus.COMPLETE, verdict=HOSTILE_SCRIPT),
    )


def before_consent_finding(cookie_id: str) -> Finding:
    """As scanner.policy.check words it: one finding per cookie, all with the same title."""
    return Finding(
        rule_id="cookie-before-consent",
        severity=Severity.HIGH,
        title="Cookie that needs consent is set before any choice",
        explanation=f"The cookie {cookie_id} was set before the visitor made any choice.",
        legal_reference="ePrivacy Directive 2002/58/EC, art. 5(3)",
        evidence=[Evidence(kind="cookie", phase=Phase.NONE, cookie=cookie_id, page=HOME)],
    )
