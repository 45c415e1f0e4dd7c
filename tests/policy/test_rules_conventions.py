"""The conventions every rule follows (docs/policy.md): what a declaration covers, exempt
cookies, confidence and "check this" findings."""

from __future__ import annotations

from scanner.findings_text import LOW_CONFIDENCE, finding_explanation, finding_title
from scanner.model import Category, FindingBasis, Party, Phase, Severity
from scanner.policy import (
    DeclaredCategory,
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredVendor,
    Flag,
    check,
)
from tests.policy.builders import build_scan, cookie

ALL = (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
SESSION = cookie("PHPSESSID", "www.s.test", category=Category.SESSION, days=None)
LANG = cookie("lang", "www.s.test", category=Category.TECHNICAL, days=180)
FBP = cookie("_fbp", ".s.test", category=Category.TRACKING, days=90, vendor="Meta (Facebook Pixel)")
HOTJAR = cookie(
    "_hjSessionUser_4242", ".s.test", category=Category.ANALYTICS, days=365, vendor="Hotjar"
)
GA = cookie("_ga", ".s.test", category=Category.GOOGLE_ANALYTICS, days=400, requested=730)


def after_accept(*cookies: dict[str, object]):  # type: ignore[no-untyped-def]
    """A site with a banner whose trackers wait for "accept all"."""
    exempt = [SESSION, LANG]
    return build_scan(
        "https://www.s.test/",
        "s.test",
        {
            Phase.NONE: (exempt, []),
            Phase.REJECT: (exempt, []),
            Phase.ACCEPT: ([*exempt, *cookies], []),
        },
        banner_detected=True,
        first_layer_reject=True,
        policy_pages=["https://www.s.test/cookies"],
    )


def technical_only(**extra: object) -> DeclaredPolicy:
    return DeclaredPolicy(
        mentions_cookies=True,
        language="fr",
        categories=[DeclaredCategory(category=Category.TECHNICAL, quote="cookies techniques")],
        **extra,
    )


def rules(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule_id for f in findings]


def test_a_cookie_declared_by_name_declares_its_category() -> None:
    # the table calls them "Réseaux sociaux" and "Statistiques", words that map to nothing:
    # naming the cookies is declaring them
    policy = technical_only(
        cookies=[
            DeclaredCookie(name="PHPSESSID", session=True),
            DeclaredCookie(name="lang", lifetime_days=182.64),
            DeclaredCookie(name="_fbp", lifetime_days=91.32),
            DeclaredCookie(name="_hjSessionUser_*", lifetime_days=365),
        ]
    )
    assert check(after_accept(FBP, HOTJAR), policy, policy_pages_found=True) == []


def test_a_vendor_named_by_the_policy_covers_its_cookies() -> None:
    policy = technical_only(
        vendors=[DeclaredVendor(name="Meta Pixel"), DeclaredVendor(name="Hotjar")]
    )
    assert check(after_accept(FBP, HOTJAR), policy, policy_pages_found=True) == []
    # a vendor of the same company is not the same product: Google Analytics does not cover ads
    ads = cookie("IDE", ".doubleclick.net", category=Category.TRACKING, days=390, party=Party.THIRD)
    google = technical_only(vendors=[DeclaredVendor(name="Google Analytics")])
    findings = check(after_accept(ads), google, policy_pages_found=True)
    assert [(f.rule_id, f.subject) for f in findings] == [("category-not-declared", "tracking")]


def test_undeclared_category_is_reported_with_the_policy_s_words() -> None:
    findings = check(after_accept(FBP, HOTJAR), technical_only(), policy_pages_found=True)
    assert [(f.rule_id, f.subject, f.severity) for f in findings] == [
        ("category-not-declared", "analytics", Severity.MEDIUM),
        ("category-not-declared", "tracking", Severity.MEDIUM),
    ]
    tracking = findings[1]
    assert tracking.basis is FindingBasis.EXTRACTION
    assert tracking.confidence == 0.7  # "the policy does not say it", read in policy text
    assert tracking.evidence[-1].quote == "cookies techniques"
    assert finding_title(tracking, "fr") == (
        "Cookies d'une catégorie que la politique ne déclare pas : de traçage"
    )


def test_category_rules_never_fire_on_exempt_cookies() -> None:
    only_analytics = DeclaredPolicy(
        mentions_cookies=True,
        language="en",
        categories=[DeclaredCategory(category=Category.ANALYTICS)],
    )
    # technical and session cookies set, neither declared: exempt from consent and information
    assert check(after_accept(), only_analytics, policy_pages_found=True) == []


def test_low_confidence_classification_is_a_point_to_check() -> None:
    guessed = cookie(
        "x_visitor", "tracker.example", category=Category.TRACKING, days=90, confidence=0.4
    )
    scan = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([guessed], [])})
    [finding] = [
        f
        for f in check(scan, DeclaredPolicy(mentions_cookies=True), policy_pages_found=True)
        if f.rule_id == "cookie-before-consent"
    ]
    assert finding.confidence == 0.4 < LOW_CONFIDENCE
    assert finding.verify and finding.basis is FindingBasis.CLASSIFICATION
    assert finding.severity is Severity.MEDIUM  # high, lowered
    assert finding.title.startswith("To check: ")
    assert "low confidence (0.4)" in finding.explanation
    assert finding_title(finding, "fr").startswith("À vérifier : ")
    assert "confiance 0,4" in finding_explanation(finding, "fr")
    # the same cookie recognised for sure is a violation, worded as one
    sure = cookie("x_visitor", "tracker.example", category=Category.TRACKING, days=90)
    scan = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([sure], [])})
    [violation] = [
        f
        for f in check(scan, DeclaredPolicy(mentions_cookies=True), policy_pages_found=True)
        if f.rule_id == "cookie-before-consent"
    ]
    assert not violation.verify and violation.severity is Severity.HIGH
    assert violation.title == "Cookie that needs consent is set before any choice"


def test_low_confidence_reading_of_the_policy_is_a_point_to_check() -> None:
    scan = build_scan("https://www.s.test/", "s.test", {Phase.ACCEPT: ([GA], [])})
    weak = DeclaredPolicy(
        mentions_cookies=True,
        language="fr",
        categories=[DeclaredCategory(category=Category.GOOGLE_ANALYTICS)],
        collects_personal_data=Flag(value=False, quote="aucune donnée exploitée", confidence=0.5),
    )
    [finding] = [
        f
        for f in check(scan, weak, policy_pages_found=True)
        if f.rule_id == "ga-contradicts-policy"
    ]
    assert finding.verify and finding.basis is FindingBasis.EXTRACTION
    assert finding.severity is Severity.MEDIUM
    assert "a reading of the policy text" in finding.explanation


def test_a_policy_in_an_unknown_language_gives_checks_not_violations() -> None:
    unread = DeclaredPolicy(
        mentions_cookies=True, categories=[DeclaredCategory(category=Category.TECHNICAL)]
    )
    findings = check(after_accept(FBP), unread, policy_pages_found=True)
    assert [(f.rule_id, f.verify, f.severity) for f in findings] == [
        ("category-not-declared", True, Severity.LOW)
    ]


def test_declared_names_with_placeholders_match() -> None:
    ga_id = cookie("_ga_ABC123", ".s.test", category=Category.GOOGLE_ANALYTICS, days=390)
    gtm = cookie("_dc_gtm_UA-12345", ".s.test", category=Category.GOOGLE_ANALYTICS, days=0.01)
    pk = cookie("_pk_id.1.a2b3", ".s.test", category=Category.ANALYTICS, days=390)
    policy = technical_only(
        cookies=[
            DeclaredCookie(name="PHPSESSID", session=True),
            DeclaredCookie(name="LANG"),  # case differs
            DeclaredCookie(name="_ga_<container-id>"),
            DeclaredCookie(name="_dc_gtm_UA-#"),
            DeclaredCookie(name="_pk_id.*"),
        ]
    )
    findings = check(after_accept(ga_id, gtm, pk), policy, policy_pages_found=True)
    assert rules(findings) == []


def test_ga_named_in_the_cookie_list_is_declared() -> None:
    scan = build_scan("https://www.s.test/", "s.test", {Phase.ACCEPT: ([GA], [])})
    policy = technical_only(cookies=[DeclaredCookie(name="_ga", lifetime_days=730)])
    assert "ga-not-declared" not in rules(check(scan, policy, policy_pages_found=True))


def test_every_finding_has_a_message_subject_and_confidence() -> None:
    scan = after_accept(FBP, HOTJAR, GA)
    for f in check(scan, technical_only(), policy_pages_found=True) + check(
        scan, None, policy_pages_found=False
    ):
        assert f.message is not None and f.subject and 0 <= f.confidence <= 1
        assert f.basis is not None
        assert f.title == finding_title(f, "en") and f.explanation == finding_explanation(f, "en")
