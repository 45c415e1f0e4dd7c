"""Evidence beyond the knowledge base: the scan's hosts, the setter script, the OCD layer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.classify import Classifier, KnowledgeBase, classify_scan
from scanner.classify.scan import scan_hosts
from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Category,
    Cookie,
    Party,
    Phase,
    PhaseResult,
    Scan,
    SetByKind,
    ThirdPartyHost,
    ToolInfo,
)
from scanner.values import describe_value

SITE = "shop.test"
CRM_ONLY = frozenset({"js.hs-scripts.com", "js.hs-analytics.net"})
CRM_WITH_ADS = CRM_ONLY | {"js.hsadspixel.net"}


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(KnowledgeBase.load())


def test_a_crm_visitor_id_is_analytics_unless_the_site_loads_its_ad_retargeting(
    classifier: Classifier,
) -> None:
    def verdict(context: frozenset[str] | None) -> tuple[Category, str]:
        got = classifier.classify("__hstc", ".shop.test", site=SITE, context=context)
        assert got.vendor == "HubSpot"
        return got.category, got.reason

    category, reason = verdict(CRM_ONLY)
    assert category is Category.ANALYTICS
    assert "loads no ad-retargeting host of HubSpot" in reason
    category, reason = verdict(CRM_WITH_ADS)
    assert category is Category.TRACKING
    assert "js.hsadspixel.net" in reason
    category, reason = verdict(None)
    assert category is Category.ANALYTICS
    assert "without a scan" in reason
    confidences = [
        classifier.classify("__hstc", ".shop.test", site=SITE, context=c).confidence
        for c in (CRM_WITH_ADS, CRM_ONLY, None)
    ]
    assert confidences == sorted(confidences, reverse=True) and confidences[2] <= 0.6
    # the vendor's technical cookies keep their category whatever the role
    opt_out = classifier.classify("__hs_opt_out", ".shop.test", site=SITE, context=CRM_WITH_ADS)
    assert opt_out.category is Category.TECHNICAL


def test_a_two_character_prefix_needs_the_vendor_on_the_site(classifier: Classifier) -> None:
    # Adobe documents s_cc, s_vi...; "s_" alone is what many sites' own cookies start with
    own = classifier.classify("s_o", "jobs.example", site="jobs.example", context=frozenset())
    assert (own.category, own.vendor) == (Category.TECHNICAL, None)
    adobe = frozenset({"example.sc.omtrdc.net"})
    with_adobe = classifier.classify("s_o", "jobs.example", site="jobs.example", context=adobe)
    assert (with_adobe.category, with_adobe.vendor) == (Category.ANALYTICS, "Adobe Analytics")
    assert "the site loads that vendor" in with_adobe.reason
    by_script = classifier.classify(
        "s_o", "jobs.example", site="jobs.example", set_by="https://x.omtrdc.net/b/ss"
    )
    assert by_script.vendor == "Adobe Analytics"
    assert classifier.classify("s_cc", "jobs.example", site="jobs.example").vendor == (
        "Adobe Analytics"
    )


def test_a_session_id_written_by_an_analytics_script_is_its_visit_id(
    classifier: Classifier,
) -> None:
    got = classifier.classify(
        "xq_sessionid", "www.shop.test", site=SITE, set_by="https://static.hotjar.com/c/h.js"
    )
    assert (got.category, got.vendor) == (Category.ANALYTICS, "Hotjar")
    assert "visit id" in got.reason
    # ... while a consent or CSRF cookie stays technical, and the site's own script decides
    # nothing about its session cookie
    consent = classifier.classify(
        "xq_consent", "www.shop.test", site=SITE, set_by="https://static.hotjar.com/c/h.js"
    )
    assert consent.category is Category.TECHNICAL
    own = classifier.classify(
        "xq_sessionid", "www.shop.test", site=SITE, set_by="https://www.shop.test/app.js"
    )
    assert own.category is Category.SESSION


def test_a_cookie_written_by_an_unknown_third_party_script(classifier: Classifier) -> None:
    got = classifier.classify(
        "zz9", "www.shop.test", site=SITE, set_by="https://cdn.unknown-tags.example/t.js"
    )
    assert got.category is Category.ANALYTICS
    assert "cdn.unknown-tags.example" in got.reason and got.confidence < 0.5
    own = classifier.classify("zz9", "www.shop.test", site=SITE, set_by="https://www.shop.test/")
    assert "another party's tag" not in own.reason


def test_open_cookie_database_layer_comes_after_ours(classifier: Classifier) -> None:
    listed = classifier.classify("_li_id", "", context=None)
    assert (listed.category, listed.vendor) == (Category.TRACKING, "Leadinfo")
    assert listed.reason.startswith("Open Cookie Database (consulted when no entry of ours")
    assert listed.source and listed.source.startswith("Open Cookie Database (")
    assert 0.6 <= listed.confidence < 0.9
    ours = classifier.classify("_ga", "")
    assert ours.reason.startswith("knowledge base") and ours.category is (Category.GOOGLE_ANALYTICS)
    bare = Classifier(KnowledgeBase.load([], fallback=False))
    assert bare.classify("_li_id", "").category is Category.UNKNOWN
    assert bare.version != classifier.version


def _cookie(name: str, domain: str, set_by: str) -> Cookie:
    return Cookie(
        name=name,
        domain=domain,
        host_only=False,
        expires=None,
        lifetime_days=180.0,
        party=Party.FIRST,
        set_by=set_by,
        set_by_kind=SetByKind.SCRIPT,
        first_seen_page="https://www.shop.test/",
        value=describe_value("1.1700000000000.1700000000000.1700000000000.1"),
    )


def test_classify_scan_weighs_each_cookie_against_the_whole_scan() -> None:
    def scan(hosts: list[str]) -> Scan:
        phase = PhaseResult(
            name=Phase.ACCEPT,
            banner=Banner(action=Phase.ACCEPT, status=BannerStatus.NO_BANNER),
            cookies=[_cookie("__hstc", ".shop.test", "https://js.hs-analytics.net/a.js")],
            third_party_hosts=[
                ThirdPartyHost(host=h, registrable_domain=h.split(".", 1)[1], requests=1)
                for h in hosts
            ],
        )
        return Scan(
            target="https://www.shop.test/",
            site=SITE,
            tool=ToolInfo(version="test"),
            browser=BrowserInfo(),
            started_at=datetime(2026, 12, 1, tzinfo=UTC),
            phases=[phase],
        )

    plain = scan(["js.hs-scripts.com"])
    assert scan_hosts(plain) == {"js.hs-scripts.com", "js.hs-analytics.net"}
    assert classify_scan(plain).cookies[0].classification.category is Category.ANALYTICS
    retargeting = classify_scan(scan(["js.hs-scripts.com", "js.hsadspixel.net"]))
    verdict = retargeting.cookies[0].classification
    assert verdict.category is Category.TRACKING
    assert "js.hsadspixel.net" in verdict.reason


def test_the_token_prefilter_never_hides_a_rule(classifier: Classifier) -> None:
    """Every name a token rule matches passes the one-pass keyword prefilter (the speed trick
    must not change a verdict): all listed names, OCD's included, and the labelled sets'."""
    from benchmarks.classify_sets import CMP_SET, SITE_SET, load_set
    from scanner.classify.classifier import _ANY_TOKEN, _TOKEN_RULES, _normalise_name

    kb = classifier.kb
    assert kb.fallback is not None
    names = [e.pattern for table in (kb, kb.fallback) for b in table.exact.values() for e in b]
    names += [r.name for r in load_set(SITE_SET) + load_set(CMP_SET)]
    names += ["zz_session", "myCartId", "x-ad-id", "LB_route", "userId", "AUTHtoken"]
    hidden = [
        name
        for name in map(_normalise_name, names)
        if any(rule.search(name) for rule, _, _ in _TOKEN_RULES) and not _ANY_TOKEN.search(name)
    ]
    assert len(names) > 3000 and hidden == []


def test_kb_stats_shows_every_layer() -> None:
    from click.testing import CliRunner

    from scanner.classify.cli import kb

    result = CliRunner().invoke(kb, ["stats", "--kb-dir", "/nonexistent-kb-dir"])
    assert result.exit_code == 0, result.output
    assert "fallback layer (Open Cookie Database): 2255 cookie entries" in result.output
    assert "depends on the site: Adobe Marketo, HubSpot" in result.output


def test_classify_command_tells_an_unknown_lifetime_from_a_session_cookie(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scanner.classify.cli import classify

    source = tmp_path / "cookies.csv"
    source.write_text(
        "name,domain,party,lifetime_days\n"
        "zz_pref,www.shop.test,first,session\n"
        "zz_pref,www.shop.test,first,\n"
        "zz_pref,www.shop.test,first,30\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(classify, [str(source), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["category"], "browser session" in r["reason"]) for r in rows] == [
        ("technical", True),  # a declared browser-session cookie
        ("unknown", False),  # a list that does not say how long it lives
        ("unknown", False),
    ]


def test_a_documented_name_written_without_its_leading_underscore(classifier: Classifier) -> None:
    got = classifier.classify("hjClosedSurveyInvites", ".shop.test", site=SITE)
    assert (got.category, got.vendor) == (Category.ANALYTICS, "Hotjar")
    assert "without or with its leading underscore" in got.reason and got.confidence == 0.8
    # short cores never borrow an entry ("ga" is not `_ga`)
    assert classifier.classify("ga", ".shop.test", site=SITE).vendor is None


def test_trk_names_a_visitor_id_and_utm_a_campaign_measurement(classifier: Classifier) -> None:
    for name in ("xyztrk", "qq_utm"):
        got = classifier.classify(name, ".shop.test", site=SITE)
        assert got.category is Category.ANALYTICS, name


def test_a_name_documented_on_its_vendors_domain_decides_only_without_a_domain(
    classifier: Classifier,
) -> None:
    """Xandr documents `uuid2` on adnxs.com: a declaration that gives no domain (a consent
    platform's list, a policy's table) gets Xandr; a first-party `uuid2` does not."""
    listed = classifier.classify("uuid2", "")
    assert (listed.category, listed.vendor) == (Category.TRACKING, "Xandr (AppNexus)")
    assert "gives no domain" in listed.reason and listed.confidence <= 0.6
    assert classifier.classify("uuid2", "www.shop.test", party=Party.FIRST).vendor is None
    # a name the token rules explain keeps that reading ("sess" is Xandr's on adnxs.com)
    assert classifier.classify("sess", "").category is Category.SESSION


def test_name_tokens_for_state_and_for_a_banners_category_choice(
    classifier: Classifier,
) -> None:
    cases = {
        # a banner's choice for one category is a consent cookie, whatever the category
        "cookies-analytics": Category.TECHNICAL,
        "cookie_marketing": Category.TECHNICAL,
        # "stat" is statistics, not state or status
        "zz_stats": Category.ANALYTICS,
        "KC_STATE_CHECKER": Category.TECHNICAL,
        "lists-state": Category.TECHNICAL,
        "zz_static_assets": Category.UNKNOWN,
        # CookieYes writes one per category ("cookieyes-advertisement"); "MSPAuth" is an acronym,
        # then "Auth"
        "cookiezz-advertisement": Category.TECHNICAL,
        "ZZPAuth": Category.SESSION,
        "zz_sso_user": Category.SESSION,
        "color_mode": Category.TECHNICAL,
    }
    got = {name: classifier.classify(name, "www.shop.test").category for name in cases}
    assert got == cases
    # a state token is weak: the analytics vendor whose script wrote the cookie decides
    by_script = classifier.classify(
        "zz_permission_status", "www.shop.test", set_by="https://static.hotjar.com/c/h.js"
    )
    assert (by_script.category, by_script.vendor) == (Category.ANALYTICS, "Hotjar")


def test_a_documented_name_written_percent_encoded(classifier: Classifier) -> None:
    """Crisp's script writes `crisp-client/session/<id>` percent-encoded; the documented
    prefix still decides, and the reason says how the name was written."""
    got = classifier.classify(
        "crisp-client%2Fsession%2F0a1b2c3d-4e5f", ".shop.test", party=Party.FIRST
    )
    assert (got.category, got.vendor) == (Category.TECHNICAL, "Crisp")
    assert "percent-encoded" in got.reason
    # a name that decodes to nothing documented is left to the other evidence
    other = classifier.classify("my%2Fsetting", ".shop.test", party=Party.FIRST)
    assert other.vendor is None and "percent-encoded" not in other.reason


def test_a_documented_name_behind_the_browsers_secure_prefix(classifier: Classifier) -> None:
    got = classifier.classify("__Host-cf_clearance", "www.shop.test", party=Party.FIRST)
    assert (got.category, got.vendor) == (Category.TECHNICAL, "Cloudflare")
    assert "__Host- prefix" in got.reason
    session = classifier.classify("__Secure-PHPSESSID", "www.shop.test", party=Party.FIRST)
    assert session.category is Category.SESSION and "prefix" in session.reason
    # the prefix alone names nothing, and a name documented with the prefix keeps its entry
    assert classifier.classify("__Host-", "www.shop.test", party=Party.FIRST).vendor is None
    google = classifier.classify("__Secure-3PSID", ".google.com", party=Party.THIRD)
    assert google.category is Category.TRACKING and "__Secure-" not in google.reason


def test_an_unknown_id_written_by_a_technical_tools_script_serves_that_tool(
    classifier: Classifier,
) -> None:
    """A chat widget's script writing an unlisted id: the tool's own id, not a tag's visitor id;
    the same id written by an unknown script of another host stays a tag's guess."""
    uuid = describe_value("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")

    def verdict(setter: str) -> tuple[Category, str]:
        got = classifier.classify(
            "widget_visitor_ref",
            ".shop.test",
            party=Party.FIRST,
            value=uuid,
            lifetime_days=270,
            set_by=setter,
            site=SITE,
        )
        return got.category, got.reason

    category, reason = verdict("https://widget.intercom.io/widget/abc")
    assert category is Category.TECHNICAL and "Intercom" in reason and "serves that tool" in reason
    category, reason = verdict("https://cdn.unknown-tags.example/t.js")
    assert category is Category.ANALYTICS and "another party's tag" in reason


def test_a_library_from_a_public_cdn_is_not_another_partys_tag(classifier: Classifier) -> None:
    def verdict(setter: str) -> Category:
        return classifier.classify(
            "banner_choice_store",
            ".shop.test",
            party=Party.FIRST,
            value=describe_value("!gtag=true!facebook=false"),
            lifetime_days=365,
            set_by=setter,
            site=SITE,
        ).category

    assert verdict("https://cdn.jsdelivr.net/npm/some-banner@1/banner.js") is Category.TECHNICAL
    assert verdict("https://cdn.unknown-tags.example/t.js") is Category.ANALYTICS


def test_name_tokens_for_click_ids_opt_outs_and_category_preferences(
    classifier: Classifier,
) -> None:
    def category(name: str) -> Category:
        return classifier.classify(name, ".shop.test", party=Party.FIRST).category

    assert category("_gcl_xx") is Category.TRACKING  # Google click ids, any suffix
    assert category("__ab_opt_out") is Category.TECHNICAL
    assert category("__ab_do_not_track") is Category.TECHNICAL
    assert category("__ab_cookie_cat_pref") is Category.TECHNICAL
    assert category("__ab_visitor") is Category.ANALYTICS


def test_a_language_cookie_on_an_ad_vendors_domain_and_a_cms_session_named_by_a_hash(
    classifier: Classifier,
) -> None:
    lang = classifier.classify("lang_pref", ".ads.linkedin.com", party=Party.THIRD)
    assert lang.category is Category.TECHNICAL and "LinkedIn" in lang.reason
    other = classifier.classify("ab_pref", ".ads.linkedin.com", party=Party.THIRD)
    assert other.category is Category.TRACKING
    name = "Shopname-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"
    cms = classifier.classify(name, "www.shop.test", party=Party.FIRST, lifetime_days=20)
    assert cms.category is Category.SESSION and "hash" in cms.reason
    third = classifier.classify(name, "cdn.other.example", party=Party.THIRD, lifetime_days=20)
    assert third.category is Category.TRACKING
