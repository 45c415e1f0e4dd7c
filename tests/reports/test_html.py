"""The HTML report's structure, parsed with BeautifulSoup: order, headings, escaping, i18n."""

from __future__ import annotations

import itertools
import re

import pytest
from bs4 import BeautifulSoup, Tag

import reports
from reports.i18n import EN, FR
from tests.reports.sample_scans import (
    HOSTILE,
    HOSTILE_ATTR,
    HOSTILE_SCRIPT,
    before_after,
    hostile_scan,
    shop_scan,
)


def text_of(tag: Tag | None, separator: str = "", strip: bool = False) -> str:
    """The text of a tag that must be there: a missing one fails the test here."""
    assert tag is not None
    return tag.get_text(separator, strip=strip)


def soup_of(data: bytes) -> BeautifulSoup:
    return BeautifulSoup(data.decode("utf-8"), "html.parser")


@pytest.fixture(scope="module")
def shop_en() -> BeautifulSoup:
    return soup_of(reports.render(shop_scan(), "html"))


def test_verdict_comes_first_with_status_and_serious_findings(shop_en: BeautifulSoup) -> None:
    assert shop_en.html is not None and shop_en.html["lang"] == "en"
    sections = [s["id"] for s in shop_en.find_all("section")]
    assert sections == ["verdict", "phases", "cookies", "hosts", "storage", "findings", "metadata"]
    verdict = shop_en.find(id="verdict")
    assert verdict is not None
    assert verdict.h2 is not None and verdict.h2.get_text() == "Verdict: Problems found"
    top = [text_of(li.strong) for li in verdict.select("ol.top-findings li")]
    assert top[0] == "Google Analytics cookies are set before the visitor chooses"  # high first
    assert len(top) == 3
    lead = verdict.select_one("p.lead")
    assert lead is not None
    assert " ".join(lead.get_text().split()) == (
        "4 cookies that need consent are set before the visitor chooses: VISITOR_INFO1_LIVE, "
        "YSC, _ga, _ga_ABC123. After \u201creject all\u201d, 4 cookies that need consent are "
        "still set: VISITOR_INFO1_LIVE, YSC, _ga, _ga_ABC123."
    )
    assert "Google Analytics and YouTube set cookies" in verdict.get_text()  # summary.verdict


def test_headings_and_table_headers(shop_en: BeautifulSoup) -> None:
    assert len(shop_en.find_all("h1")) == 1
    levels = [int(h.name[1]) for h in shop_en.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    for th in shop_en.find_all("th"):
        assert th.get("scope") in {"col", "row"}, th
    for table in shop_en.find_all("table"):
        assert table.find("thead") or table.find_parent(id="summary"), table


def test_self_contained_no_external_resources(shop_en: BeautifulSoup) -> None:
    for tag in shop_en.find_all(["script", "img", "link", "iframe"]):
        assert not tag.get("src") and not tag.get("href"), tag
    for a in shop_en.find_all("a"):
        href = a["href"]
        assert isinstance(href, str) and href.startswith("#"), a
    assert len(shop_en.find_all("style")) == 1 and len(shop_en.find_all("script")) == 1
    assert shop_en.find("svg") is not None


def test_phase_chart_and_matrix(shop_en: BeautifulSoup) -> None:
    counts = shop_en.select_one("table.counts")
    assert counts is not None
    rows = {
        text_of(tr.th): [td.get_text() for td in tr.find_all("td")]
        for tr in counts.select("tbody tr")
    }
    # technical, session, audience, GA, tracking, unknown, banner
    assert rows["Before any choice"] == ["0", "1", "0", "2", "2", "0", "left untouched (Klaro)"]
    assert rows["After accept"] == ["1", "1", "0", "2", "4", "0", "clicked (Klaro)"]
    bars = shop_en.select("svg rect title")
    assert "Google Analytics: 2" in [b.get_text() for b in bars]
    matrix = shop_en.select_one("table.matrix")
    assert matrix is not None
    klaro = next(tr for tr in matrix.select("tbody tr") if text_of(tr.th) == "klaro")
    assert [td.get_text() for td in klaro.select("td")[1:]] == ["–absent", "●present", "●present"]


def test_cookie_table_columns_and_rows(shop_en: BeautifulSoup) -> None:
    table = shop_en.find(id="cookie-table")
    assert table is not None
    headers = [th.get_text() for th in table.select("thead th")]
    assert headers == [
        "Name",
        "Vendor",
        "Category",
        "Party",
        "Lifetime",
        "Consent states",
        "Set by",
        "First page",
    ]
    rows = table.select("tbody tr")
    assert len(rows) == 8
    ga = next(r for r in rows if r.code and r.code.get_text() == "_ga")
    cells = [td.get_text(" ", strip=True) for td in ga.find_all("td")]
    assert cells[1] == "Google distinguishes users"
    assert cells[2] == "Google Analytics needs consent"
    assert cells[4] == "13 months (asked for 2 years)"
    assert cells[5] == "Before any choice After reject After accept"
    assert ga["data-category"] == "google_analytics"
    controls = shop_en.find(id="cookie-controls")
    assert controls is not None and controls.has_attr("hidden")  # shown by JS only


def test_findings_show_evidence_and_quoted_policy(shop_en: BeautifulSoup) -> None:
    quotes = [q.get_text() for q in shop_en.select("#findings blockquote")]
    assert quotes == [
        "Les cookies de mesure d'audience ne sont déposés qu'après votre consentement."
    ]
    assert "CNIL, délibération 2020-091" in text_of(shop_en.find(id="findings"))


def test_metadata(shop_en: BeautifulSoup) -> None:
    meta = shop_en.find(id="metadata")
    assert meta is not None
    text = meta.get_text(" ", strip=True)
    for expected in (
        "chromium 131.0.6778.85",
        "2026-11-02 09:30 UTC",
        "partial",
        "a download, not a page",
        "host name not found",
        "net::ERR_NAME_NOT_RESOLVED",
        "max_pages",
        "catalogue.pdf is a download",
    ):
        assert expected in text


def test_hostile_strings_are_text_everywhere() -> None:
    html = reports.render(hostile_scan(), "html").decode()
    soup = soup_of(html.encode())
    assert soup.find("img") is None
    assert len(soup.find_all("script")) == 1
    assert "alert" not in text_of(soup.find("script"))
    assert HOSTILE not in html and HOSTILE_SCRIPT not in html and HOSTILE_ATTR not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    names = [c.get_text() for c in soup.select("#cookie-table code.cookie-name")]
    assert sorted(names) == sorted(
        [HOSTILE, HOSTILE_SCRIPT, HOSTILE_ATTR, '=HYPERLINK("https://evil.example")']
    )
    for tag in soup.find_all(True):
        assert not any(attr.startswith("on") for attr in tag.attrs), tag


def test_a_right_to_left_override_in_a_name_stays_inside_the_name() -> None:
    """A cookie name carrying U+202E reversed the rest of the verdict's sentence; in a sentence
    such a name is isolated (U+2068 ... U+2069), and every <code> is a bidi isolate."""
    scan = hostile_scan()
    evil = "tracker\u202egpj.exe"
    cookies = [scan.cookies[0].model_copy(update={"name": evil}), *scan.cookies[1:]]
    html = reports.render(scan.model_copy(update={"cookies": cookies}), "html").decode()
    lead = soup_of(html.encode()).select_one("p.lead")
    assert lead is not None and "\u2068" + evil + "\u2069" in lead.get_text()
    assert "\u2068" + "_ga" not in reports.render(shop_scan(), "html").decode()  # only when needed
    assert re.search(r"code\s*\{[^}]*unicode-bidi:\s*isolate", html)


def test_french_report_translates_every_ui_string() -> None:
    assert set(FR) == set(EN)
    soup = soup_of(reports.render(shop_scan(), "html", lang="fr"))
    assert soup.html is not None and soup.html["lang"] == "fr"
    text = soup.get_text(" ", strip=True)
    for word in (
        "Verdict\u00a0: Problèmes détectés",
        "Avant tout choix",
        "Après refus",
        "Après acceptation",
        "technique",
        "traçage",
        "mesure d’audience",
        "inconnu",
        "13 mois (demandé : 2 ans)",
        "tiers",
        "La politique indique",
    ):
        assert word in text, word
    for data in soup.select("#findings article, ol.top-findings, p.lead"):
        data.decompose()  # finding texts come from the checker, not from the catalogue
    text = soup.get_text(" ", strip=True)
    english_only = {v for k, v in EN.items() if FR[k] != v and len(v) > 12 and "{" not in v}
    leftovers = [v for v in english_only if v in text]
    assert leftovers == []


def test_diff_html_sections() -> None:
    old, new = before_after()
    soup = soup_of(reports.render_diff(reports.compare(old, new), "html", lang="en"))
    summary = {text_of(tr.th): text_of(tr.td) for tr in soup.select("table.diff-summary tr")}
    assert summary == {
        "New findings": "1",
        "Resolved findings": "2",
        "Cookies added": "2",
        "Cookies removed": "2",
        "Cookies changed": "0",
        "Third-party hosts added": "1",
        "Third-party hosts removed": "2",
    }
    added = [c.get_text() for c in soup.select("#cookies-added tbody th code")]
    assert added == ["_hjSessionUser_42", "_hjSession_42"]
    assert "Hotjar cookies are not declared" in text_of(soup.find(id="findings-new"))
    assert "Nous utilisons Google Analytics" in text_of(soup.find(id="findings-new"))


def test_failed_scan_says_so_and_shows_why() -> None:
    from datetime import UTC, datetime

    from scanner.model import BrowserInfo, Scan, ToolInfo

    scan = Scan(
        target="https://down.example/",
        site="down.example",
        tool=ToolInfo(version="0.1.0"),
        browser=BrowserInfo(),
        started_at=datetime(2026, 11, 22, tzinfo=UTC),
        notes=["start URL could not be visited: host name not found"],
    )
    for lang, status, empty in (
        ("en", "Scan failed", "No cookie was set."),
        ("fr", "Analyse impossible", "Aucun cookie n’a été déposé."),
    ):
        soup = soup_of(reports.render(scan, "html", lang=lang))
        verdict = soup.find(id="verdict")
        assert verdict is not None and status in text_of(verdict.h2)
        assert "host name not found" in verdict.get_text()
        assert soup.find("svg") is None and soup.find(id="cookie-table") is None
        assert empty in text_of(soup.find(id="cookies"))
    assert reports.render(scan, "csv").count(b"\r\n") == 1  # header only


def test_unclassified_partial_scan_renders_phases_it_has() -> None:
    scan = shop_scan()
    scan = scan.model_copy(
        update={"cookies": [], "phases": scan.phases[:1], "summary": None, "findings": []}
    )
    soup = soup_of(reports.render(scan, "html"))
    states = [text_of(tr.th) for tr in soup.select("table.counts tbody tr")]
    assert states == ["Before any choice"]
    assert len(soup.select("#cookie-table tbody tr")) == 5
    assert {tr["data-category"] for tr in soup.select("#cookie-table tbody tr")} == {"unknown"}


def test_findings_of_one_rule_are_grouped() -> None:
    from tests.reports.sample_scans import before_consent_finding

    ids = ["_ga@.boutique-exemple.fr", "_ga_ABC123@.boutique-exemple.fr", "YSC@.youtube.com"]
    scan = shop_scan()
    scan = scan.model_copy(
        update={"findings": [*scan.findings, *(before_consent_finding(i) for i in ids)]}
    )
    soup = soup_of(reports.render(scan, "html"))
    top = [" ".join(li.get_text().split()) for li in soup.select("ol.top-findings > li")]
    assert top[1] == (
        "high Cookie that needs consent is set before any choice (_ga, _ga_ABC123, YSC)"
    )
    articles = soup.select("#findings article")
    assert len(articles) == 4
    grouped = articles[1]
    assert text_of(grouped.h3, " ", strip=True).endswith("set before any choice (3)")
    assert len(grouped.select("ol.finding-items > li")) == 3
    assert grouped.get_text().count("ePrivacy Directive") == 1


def test_unclassified_scan_does_not_claim_cookies_need_consent() -> None:
    scan = shop_scan().model_copy(update={"cookies": []})
    soup = soup_of(reports.render(scan, "html"))
    lead = soup.select_one("#verdict p.lead")
    assert lead is not None and "were not classified" in lead.get_text()
    kpis = [" ".join(li.get_text().split()) for li in soup.select("ul.kpis li")]
    assert kpis[0] == "5 cookies set before any choice"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "clicked (Klaro), in the settings layer"),
        ("fr", "cliqué (Klaro), dans le niveau des paramètres"),
    ],
)
def test_phase_table_says_where_reject_was_reached(lang: str, words: str) -> None:
    from scanner.model import Banner, BannerLayer, BannerStatus, Phase

    scan = shop_scan()
    phases = [
        p.model_copy(
            update={
                "banner": Banner(
                    detected=True,
                    cmp="Klaro",
                    action=p.name,
                    status=BannerStatus.SUCCEEDED,
                    first_layer_reject=False,
                    layer=BannerLayer.SECOND if p.name is Phase.REJECT else BannerLayer.FIRST,
                )
            }
        )
        for p in scan.phases
    ]
    soup = soup_of(reports.render(scan.model_copy(update={"phases": phases}), "html", lang=lang))
    section = soup.find(id="phases")
    assert section is not None
    cells = [td.get_text() for td in section.find_all("td")]
    assert words in cells
    assert sum("settings layer" in c or "niveau des paramètres" in c for c in cells) == 1
