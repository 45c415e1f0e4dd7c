"""The classifier on the fixture web's cookies and on documented vendor cookies (whole outputs)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.classify import Classifier, KnowledgeBase, KnowledgeError, classify_scan
from scanner.classify.cli import classify, kb
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
    ToolInfo,
    ValueShape,
)
from scanner.values import describe_value

FIXTURE_WEB = [
    # name, domain, party -> category, vendor
    ("_ga", ".shop.test", Party.FIRST, Category.GOOGLE_ANALYTICS, "Google Analytics"),
    ("_ga_TEST123", ".shop.test", Party.FIRST, Category.GOOGLE_ANALYTICS, "Google Analytics"),
    ("_gid", ".shop.test", Party.FIRST, Category.GOOGLE_ANALYTICS, "Google Analytics"),
    ("_fbp", ".shop.test", Party.FIRST, Category.TRACKING, "Meta (Facebook Pixel)"),
    ("fr", ".facebook.com", Party.THIRD, Category.TRACKING, "Meta (Facebook)"),
    ("PHPSESSID", "www.shop.test", Party.FIRST, Category.SESSION, "PHP"),
    ("cc_cookie", "www.shop.test", Party.FIRST, Category.TECHNICAL, "CookieConsent (orestbida)"),
    (
        "cookieconsent_status",
        "www.shop.test",
        Party.FIRST,
        Category.TECHNICAL,
        "Osano Cookie Consent",
    ),
    ("tarteaucitron", "www.shop.test", Party.FIRST, Category.TECHNICAL, "tarteaucitron.js"),
    ("klaro", "www.shop.test", Party.FIRST, Category.TECHNICAL, "Klaro"),
    ("OptanonConsent", "www.shop.test", Party.FIRST, Category.TECHNICAL, "OneTrust"),
    ("CookieConsent", "www.shop.test", Party.FIRST, Category.TECHNICAL, "Cookiebot"),
    ("YSC", ".youtube.com", Party.THIRD, Category.TRACKING, "YouTube (Google)"),
    ("VISITOR_INFO1_LIVE", ".youtube.com", Party.THIRD, Category.TRACKING, "YouTube (Google)"),
    ("_hjSessionUser_42", ".shop.test", Party.FIRST, Category.ANALYTICS, "Hotjar"),
    ("_hjSession_42", ".shop.test", Party.FIRST, Category.ANALYTICS, "Hotjar"),
    ("ca_consent", "www.shop.test", Party.FIRST, Category.TECHNICAL, "cookie-audit banner"),
]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(KnowledgeBase.load())


@pytest.mark.parametrize(("name", "domain", "party", "category", "vendor"), FIXTURE_WEB)
def test_fixture_web_cookies(
    classifier: Classifier, name: str, domain: str, party: Party, category: Category, vendor: str
) -> None:
    verdict = classifier.classify(name, domain, party=party)
    assert (verdict.category, verdict.vendor) == (category, vendor)
    assert verdict.exempt is (category in {Category.TECHNICAL, Category.SESSION})
    assert verdict.confidence >= 0.9
    assert verdict.reason.startswith("knowledge base")
    assert verdict.source and verdict.source.startswith("https://")


def test_domain_specific_entry_beats_the_generic_one(classifier: Classifier) -> None:
    assert classifier.classify("JSESSIONID", "www.shop.test").category is Category.SESSION
    assert classifier.classify("JSESSIONID", ".www.linkedin.com").category is Category.TECHNICAL


def test_unknown_cookies_get_a_guess_that_says_so(classifier: Classifier) -> None:
    identifier = describe_value("3f2b8c9d4e5f6a7b8c9d0e1f2a3b4c5d")
    assert identifier.shape in {ValueShape.HEX, ValueShape.UUID}
    cases = {
        ("xyz_consent_given", "www.shop.test", Party.FIRST, None, None): Category.TECHNICAL,
        ("myapp_session", "www.shop.test", Party.FIRST, None, None): Category.SESSION,
        ("zz", ".adtech.example", Party.THIRD, identifier, 390.0): Category.TRACKING,
        ("zz", "www.shop.test", Party.FIRST, identifier, 390.0): Category.ANALYTICS,
        ("zz", "www.shop.test", Party.FIRST, describe_value("1"), None): Category.TECHNICAL,
        ("zz", "", None, None, None): Category.UNKNOWN,
    }
    for (name, domain, party, value, days), expected in cases.items():
        verdict = classifier.classify(name, domain, party=party, value=value, lifetime_days=days)
        assert verdict.category is expected, (name, domain, verdict)
        assert verdict.confidence <= 0.5
        assert "guess" in verdict.reason or expected is Category.UNKNOWN


def test_heuristics_weigh_party_lifetime_and_name_shape(classifier: Classifier) -> None:
    """The guesses that need more than a name: whole verdict categories compared at once."""
    hex_id = describe_value("3f2b8c9d4e5f6a7b8c9d0e1f2a3b4c5d")
    cases = {
        # a "session" id kept for a year identifies the visitor: analytics, not a login
        ("zz_session_user", "www.shop.test", Party.FIRST, hex_id, 365.0): Category.ANALYTICS,
        ("zz_session_user", "www.shop.test", Party.FIRST, hex_id, None): Category.SESSION,
        # a login token stays a login token however long it lives
        ("zz_remember_login", "www.shop.test", Party.FIRST, hex_id, 365.0): Category.SESSION,
        # on an unknown third-party domain, a session or visitor id is a cross-site id
        ("zz_sessid", ".adtech.example", Party.THIRD, hex_id, None): Category.TRACKING,
        ("zz_user_id", ".adtech.example", Party.THIRD, hex_id, 30.0): Category.TRACKING,
        # ... but a consent or CSRF cookie stays technical, even on a tracking vendor's domain
        ("zz_csrf", ".adtech.example", Party.THIRD, hex_id, None): Category.TECHNICAL,
        ("zz_consent", ".doubleclick.net", Party.THIRD, None, 30.0): Category.TECHNICAL,
        ("zz_other", ".doubleclick.net", Party.THIRD, None, 30.0): Category.TRACKING,
        # a browser-session cookie named by a hash (Joomla) is the session
        (
            "e3b0c44298fc1c149afbf4c8996fb924",
            "www.shop.test",
            Party.FIRST,
            describe_value("k2h3j4g5f6d7s8a9q0w1e2r3t4"),
            None,
        ): Category.SESSION,
    }
    got = {
        key: classifier.classify(
            key[0], key[1], party=key[2], value=key[3], lifetime_days=key[4]
        ).category
        for key in cases
    }
    assert got == cases


def test_packaged_knowledge_base_cites_a_source_for_every_fact() -> None:
    kb = KnowledgeBase.load()
    entries = [e for bucket in kb.exact.values() for e in bucket]
    entries += [e for bucket in kb.prefixes.values() for e in bucket]
    assert len(entries) == kb.size > 1000
    assert [e.pattern for e in entries if not e.source.startswith("https://")] == []
    assert [d.domain for d in kb.domains.values() if not d.source.startswith("https://")] == []
    vendors = {e.vendor for e in entries} | {d.vendor for d in kb.domains.values()}
    assert len(vendors) > 300
    assert len(kb.domains) > 400


def test_known_vendor_domain_and_setter_script(classifier: Classifier) -> None:
    by_domain = classifier.classify("abc", ".doubleclick.net", party=Party.THIRD)
    assert (by_domain.category, by_domain.vendor) == (Category.TRACKING, "Google (DoubleClick)")
    by_script = classifier.classify(
        "xq", "www.shop.test", party=Party.FIRST, set_by="https://static.hotjar.com/c/h.js"
    )
    assert (by_script.category, by_script.vendor) == (Category.ANALYTICS, "Hotjar")
    assert by_script.exempt is False
    assert "CNIL" in by_script.reason


def _cookie(name: str, domain: str, party: Party, days: float | None) -> Cookie:
    return Cookie(
        name=name,
        domain=domain,
        host_only=not domain.startswith("."),
        expires=None,
        lifetime_days=days,
        party=party,
        set_by="https://www.shop.test/",
        set_by_kind=SetByKind.HTTP,
        first_seen_page="https://www.shop.test/",
        value=describe_value("x"),
    )


def test_classify_scan_merges_phases() -> None:
    def phase(name: Phase, cookies: list[Cookie]) -> PhaseResult:
        banner = Banner(action=name, status=BannerStatus.NO_BANNER)
        return PhaseResult(name=name, banner=banner, cookies=cookies)

    session = _cookie("PHPSESSID", "www.shop.test", Party.FIRST, None)
    ga = _cookie("_ga", ".shop.test", Party.FIRST, 400.0)
    scan = Scan(
        target="https://www.shop.test/",
        site="shop.test",
        tool=ToolInfo(version="test"),
        browser=BrowserInfo(),
        started_at=datetime(2026, 11, 22, tzinfo=UTC),
        phases=[
            phase(Phase.NONE, [session]),
            phase(Phase.REJECT, [session]),
            phase(Phase.ACCEPT, [session, ga]),
        ],
    )
    result = classify_scan(scan)
    assert [(c.name, c.domain, c.phases, c.classification.category) for c in result.cookies] == [
        ("PHPSESSID", "www.shop.test", [Phase.NONE, Phase.REJECT, Phase.ACCEPT], Category.SESSION),
        ("_ga", "shop.test", [Phase.ACCEPT], Category.GOOGLE_ANALYTICS),
    ]
    assert result.tool.knowledge_base_version
    assert classify_scan(result).cookies == result.cookies  # re-classifying is stable


OCD_HEADER = (
    "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,"
    "Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n"
)


def test_kb_import_open_cookie_database(tmp_path: Path) -> None:
    source = tmp_path / "ocd.csv"
    source.write_text(
        OCD_HEADER
        + "a1,Acme Analytics,Analytics,acme_vid,acme.example,Visitor id,1 year,Acme,,0\n"
        + "a2,Acme Ads,Marketing,acme_ad_,,Ad id,1 year,Acme Ads,,1\n"
        + "a3,Google Analytics,Analytics,_ga_custom,,GA,2 years,Google,,0\n"
        + "a4,Acme,Unknown-kind,skipme,,?,?,Acme,,0\n",
        encoding="utf-8",
    )
    kb_dir = tmp_path / "kb"
    result = CliRunner().invoke(kb, ["import", str(source), "--kb-dir", str(kb_dir)])
    assert result.exit_code == 0, result.output
    assert "imported 3 cookies (1 skipped)" in result.output
    layered = Classifier(KnowledgeBase.load([kb_dir]))
    vid = layered.classify("acme_vid", "www.acme.example")
    assert (vid.category, vid.vendor) == (Category.ANALYTICS, "Acme")
    assert "user:" in vid.reason
    assert layered.classify("acme_ad_123", "x.test").category is Category.TRACKING
    assert layered.classify("_ga_custom", "x.test").category is Category.GOOGLE_ANALYTICS


def test_classify_command_csv_never_hands_a_spreadsheet_a_formula(tmp_path: Path) -> None:
    """Cookie names come from the sites that set them: in the CSV written for a spreadsheet a
    cell starting with = + - @ tab or CR gets a leading quote, as in the reports' CSV; the
    JSON output keeps the exact text."""
    source = tmp_path / "cookies.json"
    names = ['=HYPERLINK("https://evil.test","x")', "+1+1", "-2", "@SUM(A1)", "\tx", "_ga"]
    source.write_text(json.dumps([{"name": n, "domain": "evil.test"} for n in names]))
    result = CliRunner().invoke(classify, [str(source), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == ["'" + n for n in names[:-1]] + ["_ga"]
    as_json = CliRunner().invoke(classify, [str(source), "--format", "json"])
    assert [r["name"] for r in json.loads(as_json.output)] == names


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,domain\nx,y\n", "missing columns"),
        (OCD_HEADER.encode() + b"a1,P,Analytics,\xff\xfe,d,,,,,0\n", "not UTF-8"),
        (OCD_HEADER.encode() + b"a1,P,Nope,x,,,,,,0\n", "no usable rows"),
    ],
)
def test_kb_import_rejects_malformed_files(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    with pytest.raises(KnowledgeError, match=message):
        from scanner.classify import import_open_cookie_database

        import_open_cookie_database(source, tmp_path / "kb")


def test_classify_command_csv_and_json(tmp_path: Path) -> None:
    source = tmp_path / "cookies.csv"
    source.write_text("name,domain,party\n_ga,.shop.test,first\nfr,.facebook.com,third\n")
    result = CliRunner().invoke(classify, [str(source)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "name,domain,party,category,vendor,exempt,confidence,reason"
    assert lines[1].startswith("_ga,.shop.test,first,google_analytics,Google Analytics,False,0.95,")
    assert lines[2].startswith("fr,.facebook.com,third,tracking,Meta (Facebook),False,0.95,")
    source_json = tmp_path / "cookies.json"
    source_json.write_text(json.dumps([{"name": "PHPSESSID", "domain": "www.shop.test"}]))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(classify, [str(source_json), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert [(r["name"], r["category"], r["exempt"]) for r in rows] == [
        ("PHPSESSID", "session", True)
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"[{", "malformed JSON"),
        (b"cookie,site\nx,y\n", "needs `name` and `domain`"),
        (b"name,domain\n\xff,x\n", "not UTF-8"),
        (b'{"a": 1}', "expected a JSON list"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_classify_command_rejects_malformed_files(
    tmp_path: Path, content: bytes, message: str
) -> None:
    from scanner.cli import main

    source = tmp_path / "bad"
    source.write_bytes(content)
    assert main(["classify", str(source)]) == 2
