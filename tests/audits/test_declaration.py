"""The cookie declaration from a stored scan: JSON and HTML, EN and FR, escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from audits.declaration import (
    build_declaration,
    declaration_documents,
    lifetime_words,
    not_covered,
    render_fragment,
)
from reports import Lang
from scanner.model import Category
from tests.reports.sample_scans import HOSTILE, make_scan

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_grouped_by_category_with_vendor_lifetime_and_party() -> None:
    scan = make_scan()
    doc = build_declaration(scan, audit="shop", run=3, now=NOW)
    assert [c.id for c in doc.categories] == [
        c.value
        for c in (
            Category.TECHNICAL,
            Category.SESSION,
            Category.ANALYTICS,
            Category.GOOGLE_ANALYTICS,
            Category.TRACKING,
            Category.UNKNOWN,
        )
        if any(k.classification.category is c for k in scan.cookies)
    ]
    entries = {e.name: e for cat in doc.categories for e in cat.cookies}
    assert set(entries) == {c.name for c in scan.cookies}
    ga = entries["_ga"]
    assert ga.vendor == "Google" and ga.party == "first" and ga.consent_required
    assert ga.lifetime == "2 years" or ga.lifetime.endswith("months")
    assert doc.not_in_banner is None  # the banner's categories are not known


def test_cookies_needing_consent_outside_the_banner_are_named() -> None:
    scan = make_scan()
    names = not_covered(scan.cookies, ["necessary", "analytics"])
    tracking = {
        f"{c.name}@{c.domain.lstrip('.')}"
        for c in scan.cookies
        if c.classification.category is Category.TRACKING and not c.classification.exempt
    }
    assert tracking and tracking <= set(names)
    assert not any(n.startswith("_ga@") for n in names)  # analytics covers Google Analytics
    doc = build_declaration(scan, audit="shop", run=1, banner_categories=["analytics"], now=NOW)
    assert doc.not_in_banner == names


def test_french_and_english_and_html_is_escaped() -> None:
    scan = make_scan()
    hostile = scan.cookies[0].model_copy(update={"name": HOSTILE})
    scan = scan.model_copy(update={"cookies": [hostile, *scan.cookies[1:]]})
    fr = build_declaration(scan, audit="shop", run=1, lang="fr", now=NOW)
    html = render_fragment(fr)
    assert html.startswith('<section class="cookie-declaration" lang="fr">')
    assert "Cookies utilisés sur" in html and "Durée de vie" in html
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    both = declaration_documents(scan, audit="shop", run=1)
    assert set(both) == {"en", "fr"} and json.dumps(both)
    assert lifetime_words(None, Lang.FR) == "jusqu\u2019à la fermeture du navigateur"
    assert lifetime_words(395, Lang.EN) == "13 months"
