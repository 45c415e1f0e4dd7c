"""The rules on plain Scan records: exact findings, none missing, none spurious."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Category, Finding, Party, Phase, Scan, Severity
from scanner.policy import (
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredTransfer,
    Flag,
    TransferKind,
    check,
    extract_policy,
)
from scanner.policy.declared import DeclaredCategory
from tests.fixtureweb.sites.policy_sites import HONEST_POLICY
from tests.policy.builders import build_scan, cookie

DATA = Path(__file__).parent / "data"
CLOUD_TEMPLE = DATA / "000_a97ace09c4fba608.txt"
IN2CLOUD = DATA / "001_164db397119dfc90.txt"
ALL = (Phase.NONE, Phase.REJECT, Phase.ACCEPT)


def ids(findings: list[Finding]) -> list[tuple[str, str]]:
    """(rule id, what it is about) for every finding, in order."""
    return [(f.rule_id, f.subject or "") for f in findings]


# --- the three fixture-site shapes ----------------------------------------------------------

GA = cookie(
    "_ga",
    ".cloudtemple-docs.test",
    category=Category.GOOGLE_ANALYTICS,
    days=400,
    requested=730,
    vendor="Google Analytics",
    set_by="https://www.googletagmanager.com/gtag/js?id=G-CTDOCS1",
)
GA_ID = cookie(
    "_ga_CTDOCS1",
    ".cloudtemple-docs.test",
    category=Category.GOOGLE_ANALYTICS,
    days=400,
    requested=730,
    vendor="Google Analytics",
)
GOOGLE_HOSTS = ["www.google-analytics.com", "www.googletagmanager.com"]


def cloud_temple_scan() -> Scan:
    return build_scan(
        "https://www.cloudtemple-docs.test/",
        "cloudtemple-docs.test",
        {p: ([GA, GA_ID], GOOGLE_HOSTS) for p in ALL},
        policy_pages=["https://www.cloudtemple-docs.test/privacy"],
    )


def test_cloud_temple_like_site_setting_ga_cookies() -> None:
    policy = extract_policy(CLOUD_TEMPLE.read_text(), "privacy", "text/plain")
    findings = check(cloud_temple_scan(), policy, policy_pages_found=True)
    assert ids(findings) == [
        ("cookie-before-consent", "_ga@.cloudtemple-docs.test"),
        ("cookie-before-consent", "_ga_CTDOCS1@.cloudtemple-docs.test"),
        ("tracker-request-before-consent", "Google"),
        ("ga-not-declared", "Google Analytics"),
        ("ga-contradicts-policy", "Google Analytics"),
        ("lifetime-over-13-months", "_ga@.cloudtemple-docs.test"),
        ("lifetime-over-13-months", "_ga_CTDOCS1@.cloudtemple-docs.test"),
    ]
    contradiction = findings[4]
    quotes = [e.quote for e in contradiction.evidence if e.kind == "policy"]
    assert quotes == [
        "This site does not collect any personal data.",
        "The audience measurement tool we use is configured so that the information "
        "collected is anonymized.",
        "We are thus in compliance with the CNIL regulations and exempt from prior authorization.",
    ]
    assert contradiction.severity is Severity.HIGH
    before = findings[0]
    assert before.legal_reference and "5(3)" in before.legal_reference
    assert [(e.phase, e.cookie, e.url) for e in before.evidence] == [
        (
            Phase.NONE,
            "_ga@.cloudtemple-docs.test",
            "https://www.googletagmanager.com/gtag/js?id=G-CTDOCS1",
        )
    ]
    requests = findings[2]
    assert [e.url for e in requests.evidence] == [
        "https://www.google-analytics.com/",
        "https://www.googletagmanager.com/",
    ]


LANG = cookie("lang", "www.in2cloud.test", category=Category.TECHNICAL, days=365)
CONSENT = cookie("in2_consent", "www.in2cloud.test", category=Category.TECHNICAL, days=180)
FBP = cookie(
    "_fbp",
    ".in2cloud.test",
    category=Category.TRACKING,
    days=90,
    vendor="Meta",
    set_by="https://connect.facebook.net/en_US/fbevents.js",
)
FR = cookie(
    "fr",
    ".facebook.com",
    category=Category.TRACKING,
    days=90,
    vendor="Meta",
    party=Party.THIRD,
    set_by="https://www.facebook.com/tr?id=1",
)
GA2 = cookie(
    "_ga",
    ".in2cloud.test",
    category=Category.GOOGLE_ANALYTICS,
    days=400,
    requested=730,
    vendor="Google Analytics",
)
GA2_ID = cookie(
    "_ga_IN2CLOUD",
    ".in2cloud.test",
    category=Category.GOOGLE_ANALYTICS,
    days=400,
    requested=730,
    vendor="Google Analytics",
)
META_HOSTS = ["connect.facebook.net", "www.facebook.com"]


def in2cloud_scan() -> Scan:
    return build_scan(
        "https://www.in2cloud.test/",
        "in2cloud.test",
        {
            Phase.NONE: ([LANG], []),
            Phase.REJECT: ([LANG, CONSENT, FBP, FR], META_HOSTS),
            Phase.ACCEPT: ([LANG, CONSENT, GA2, GA2_ID, FBP, FR], GOOGLE_HOSTS + META_HOSTS),
        },
        banner_detected=True,
        first_layer_reject=True,
        policy_pages=["https://www.in2cloud.test/politique-de-confidentialite"],
    )


def test_in2cloud_like_site_with_tracking_cookie_after_reject() -> None:
    policy = extract_policy(IN2CLOUD.read_text(), "politique", "text/plain")
    findings = check(in2cloud_scan(), policy, policy_pages_found=True)
    assert ids(findings) == [
        ("cookie-after-reject", "_fbp@.in2cloud.test"),
        ("cookie-after-reject", "fr@.facebook.com"),
        ("tracker-request-after-reject", "Meta"),
        ("lifetime-over-13-months", "_ga@.in2cloud.test"),
        ("lifetime-over-13-months", "_ga_IN2CLOUD@.in2cloud.test"),
    ]
    assert all(f.severity is Severity.CRITICAL for f in findings[:3])
    assert findings[0].evidence[0].phase is Phase.REJECT


SESSION = cookie("sessionid", "www.honest.test", category=Category.SESSION, days=None)
HONEST_LANG = cookie(
    "django_language", "www.honest.test", category=Category.TECHNICAL, days=180, requested=180
)


def honest_scan() -> Scan:
    return build_scan(
        "https://www.honest.test/",
        "honest.test",
        {p: ([SESSION, HONEST_LANG], []) for p in ALL},
        policy_pages=["https://www.honest.test/confidentialite"],
    )


def test_honest_site_has_no_finding() -> None:
    policy = extract_policy(HONEST_POLICY, "https://www.honest.test/confidentialite")
    assert check(honest_scan(), policy, policy_pages_found=True) == []


# --- one rule at a time -------------------------------------------------------------------


def test_banner_without_reject_on_first_layer() -> None:
    scan = build_scan(
        "https://s.test/",
        "s.test",
        {p: ([LANG], []) for p in ALL},
        banner_detected=True,
        first_layer_reject=False,
    )
    policy = DeclaredPolicy(mentions_cookies=True)
    findings = check(scan, policy, policy_pages_found=True)
    assert ids(findings) == [("banner-no-reject-first-layer", "s.test")]
    assert [e.phase for e in findings[0].evidence] == list(ALL)


def test_after_reject_rules_need_a_successful_reject() -> None:
    scan = build_scan(
        "https://s.test/", "s.test", {Phase.NONE: ([], []), Phase.REJECT: ([FBP], META_HOSTS)}
    )
    # no banner: the reject phase is not "after reject all"
    assert check(scan, DeclaredPolicy(mentions_cookies=True), policy_pages_found=True) == []


def test_category_not_declared_and_unknown_cookie_before_consent() -> None:
    odd = cookie("x_uid", "www.s.test", category=Category.UNKNOWN, days=30)
    scan = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([LANG, FBP, odd], [])})
    policy = DeclaredPolicy(
        mentions_cookies=True,
        categories=[DeclaredCategory(category=Category.TECHNICAL, quote="technical only")],
    )
    findings = check(scan, policy, policy_pages_found=True)
    assert ids(findings) == [
        ("cookie-before-consent", "_fbp@.in2cloud.test"),
        ("cookie-before-consent", "x_uid@www.s.test"),
        ("category-not-declared", "tracking"),
    ]
    assert findings[1].severity is Severity.MEDIUM  # unknown: not presumed exempt
    assert findings[2].evidence[-1].quote == "technical only"


def test_transfer_outside_eu_against_a_no_transfer_promise() -> None:
    scan = build_scan(
        "https://www.s.test/",
        "s.test",
        {Phase.ACCEPT: ([], ["www.google-analytics.com", "static.hotjar.com"])},
    )
    promise = DeclaredTransfer(kind=TransferKind.NONE, quote="Aucun transfert hors UE.")
    policy = DeclaredPolicy(mentions_cookies=True, transfers=[promise])
    findings = check(scan, policy, policy_pages_found=True)
    # Hotjar is in Malta (EU): only Google is a transfer; GA requests are also undeclared GA
    assert ids(findings) == [
        ("ga-not-declared", "Google Analytics"),
        ("transfer-outside-eu-undeclared", "Google"),
    ]
    assert findings[1].evidence[0].quote == "Aucun transfert hors UE."
    # a policy that also declares the US transfer makes no promise
    admitted = policy.model_copy(
        update={
            "transfers": [promise, DeclaredTransfer(kind=TransferKind.COUNTRIES, countries=["US"])]
        }
    )
    assert ids(check(scan, admitted, policy_pages_found=True)) == [
        ("ga-not-declared", "Google Analytics")
    ]


def test_declared_cookie_list_rules() -> None:
    long_lang = cookie("lang", "www.s.test", category=Category.TECHNICAL, days=365)
    persistent = cookie("cart", "www.s.test", category=Category.SESSION, days=30)
    extra = cookie("debug", "www.s.test", category=Category.TECHNICAL, days=1)
    scan = build_scan(
        "https://www.s.test/", "s.test", {Phase.NONE: ([long_lang, persistent, extra], [])}
    )
    policy = DeclaredPolicy(
        mentions_cookies=True,
        cookies=[
            DeclaredCookie(name="lang", lifetime_days=30, quote="lang: 30 jours"),
            DeclaredCookie(name="cart", session=True, quote="cart: session"),
            DeclaredCookie(name="_pk_id.*", lifetime_days=390, quote="Matomo"),
        ],
    )
    findings = check(scan, policy, policy_pages_found=True)
    assert ids(findings) == [
        ("lifetime-exceeds-declared", "lang@www.s.test"),
        ("declared-session-but-persistent", "cart@www.s.test"),
        ("cookie-not-declared", "debug@www.s.test"),
        ("declared-cookie-not-seen", "_pk_id.*"),
    ]
    assert findings[0].evidence[1].cookie == "lang@www.s.test"
    assert findings[3].severity is Severity.INFO


def test_lifetime_within_tolerance_is_not_a_finding() -> None:
    # 40 days against 30 declared: under 1.5x; 1.4 days against 0.5: over 1.5x but < 1 day more
    a = cookie("a", "www.s.test", category=Category.TECHNICAL, days=40)
    b = cookie("b", "www.s.test", category=Category.TECHNICAL, days=1.4)
    scan = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([a, b], [])})
    policy = DeclaredPolicy(
        mentions_cookies=True,
        cookies=[
            DeclaredCookie(name="a", lifetime_days=30),
            DeclaredCookie(name="b", lifetime_days=0.5),
        ],
    )
    assert check(scan, policy, policy_pages_found=True) == []


def test_no_policy_page_and_no_cookie_section() -> None:
    scan = build_scan(
        "https://www.s.test/", "s.test", {Phase.NONE: ([LANG], []), Phase.ACCEPT: ([LANG, FBP], [])}
    )
    assert ids(check(scan, None, policy_pages_found=False)) == [("policy-page-missing", "s.test")]
    silent = DeclaredPolicy(collects_personal_data=Flag(value=True))
    no_section = [("policy-no-cookie-section", "s.test")]
    assert ids(check(scan, silent, policy_pages_found=True)) == no_section
    assert ids(check(scan, None, policy_pages_found=True)) == no_section
    # only exempt cookies: nothing to inform about (ePrivacy art. 5(3), second sentence)
    technical_only = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([LANG], [])})
    assert check(technical_only, silent, policy_pages_found=True) == []
    cookieless = build_scan("https://www.s.test/", "s.test", {Phase.NONE: ([], [])})
    assert check(cookieless, silent, policy_pages_found=True) == []


def test_findings_are_deterministic_and_deduplicated() -> None:
    policy = extract_policy(CLOUD_TEMPLE.read_text(), "privacy", "text/plain")
    first = check(cloud_temple_scan(), policy, policy_pages_found=True)
    again = check(cloud_temple_scan(), policy, policy_pages_found=True)
    assert first == again
    over = [f for f in first if f.rule_id == "lifetime-over-13-months"]
    # one finding per cookie, its evidence listing every phase it was seen in
    assert [e.phase for e in over[0].evidence] == list(ALL)


def test_policy_round_trips_through_scan_json() -> None:
    policy = extract_policy(IN2CLOUD.read_text(), "politique", "text/plain")
    scan = in2cloud_scan().model_copy(update={"declared_policy": policy.model_dump(mode="json")})
    reloaded = Scan.model_validate_json(scan.to_json())
    assert reloaded.declared_policy is not None
    assert DeclaredPolicy.model_validate(reloaded.declared_policy) == policy


@pytest.mark.parametrize("rule_id", ["cookie-before-consent", "policy-page-missing"])
def test_rules_have_title_reference_and_explanation(rule_id: str) -> None:
    scan = cloud_temple_scan()
    findings = [f for f in check(scan, None, policy_pages_found=False) if f.rule_id == rule_id]
    assert findings
    for f in findings:
        assert f.title and f.explanation and f.legal_reference
