"""Extraction on odd input (it must never raise) and on the language of other policies."""

from __future__ import annotations

import time

from scanner.model import Category
from scanner.policy import TransferKind, extract_policy
from scanner.policy.text import MAX_TEXT_CHARS


def test_empty_page() -> None:
    p = extract_policy("", "https://s.test/privacy")
    assert p.is_empty() and p.sources == ["https://s.test/privacy"]
    assert p.notes == ["https://s.test/privacy: the policy page is empty"]
    blank = extract_policy("<html><head><script>var a=1</script></head><body> </body></html>")
    assert blank.is_empty() and "no readable text" in blank.notes[0]


def test_pdf_by_content_type_and_by_magic() -> None:
    by_type = extract_policy("whatever", "https://s.test/p.pdf", "application/pdf")
    by_magic = extract_policy("%PDF-1.7\n...binary...", "https://s.test/p", "text/html")
    for p in (by_type, by_magic):
        assert p.is_empty()
        assert len(p.notes) == 1 and "PDF policies are not read" in p.notes[0]


def test_five_megabyte_policy_is_capped() -> None:
    """The speed is measured by `python -m benchmarks policy` (0.96 s on a quiet machine); the
    bound here only catches a hang (the shared test machine runs many browsers at once)."""
    paragraph = (
        "<p>Nous utilisons des cookies de mesure d'audience. Les journaux sont conservés "
        "pendant 13 mois. Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n"
    )
    document = "<html><body>" + paragraph * (5_000_000 // len(paragraph)) + "</body></html>"
    assert len(document) >= 4_900_000
    started = time.monotonic()
    p = extract_policy(document, "https://s.test/huge")
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    assert Category.ANALYTICS in p.category_set()
    assert any("only the first" in n or f"{MAX_TEXT_CHARS:,}" in n for n in p.notes)


def test_unknown_language_gives_a_note_and_no_crash() -> None:
    text = (
        "Tämä sivusto käyttää evästeitä. Henkilötietoja säilytetään viisi vuotta. "
        "Otamme yhteyttä sähköpostitse ja käsittelemme pyynnöt nopeasti. " * 5
    )
    p = extract_policy(text, "https://s.fi/tietosuoja", "text/plain")
    assert p.language is None
    assert any("language was not recognised" in n for n in p.notes)
    assert not p.categories and not p.transfers


def test_binary_garbage_does_not_crash() -> None:
    p = extract_policy("\x00\x01\x02\ufffd" * 1000, None, "text/plain")
    assert p.is_empty()


def test_html_strips_navigation_and_scripts_and_keeps_headings() -> None:
    html = """<html><body>
    <nav><a href="/">Home</a> Google Analytics tracking cookies menu</nav>
    <script>var cookie = "advertising cookies";</script>
    <main><h1>Cookie policy</h1>
    <h2>Analytics</h2><p>We use Matomo, hosted on our own servers in France, with analytics
    cookies kept for 13 months.</p>
    <h2>Your rights</h2><p>You have the right to access and erase your personal data: write
    to our Data Protection Officer at privacy@shop.test.</p></main></body></html>"""
    p = extract_policy(html, "https://shop.test/cookies")
    assert p.language == "en"
    assert p.category_set() == {Category.ANALYTICS}
    assert [v.name for v in p.vendors] == ["Matomo"]
    assert [(c.email, c.role) for c in p.contacts] == [("privacy@shop.test", "dpo")]
    assert [r.right for r in p.rights] == ["access", "erasure"]
    assert [(r.kind, r.days) for r in p.retention] == [("cookies", 395.72)]


def test_html_cookie_table() -> None:
    html = """<html><body><h1>Cookies</h1><table>
    <thead><tr><th>Cookie</th><th>Domain</th><th>Purpose</th><th>Expiry</th></tr></thead>
    <tr><td>_ga, _ga_*</td><td>.shop.test</td><td>Google Analytics statistics</td>
        <td>2 years</td></tr>
    <tr><td>PHPSESSID</td><td>www.shop.test</td><td>Session (strictly necessary)</td>
        <td>Session</td></tr>
    <tr><td>_fbp</td><td>.shop.test</td><td>Advertising (Meta)</td><td>3 months</td></tr>
    </table></body></html>"""
    p = extract_policy(html, "https://shop.test/cookies")
    got = [(c.name, c.domain, c.category, c.lifetime_days, c.session) for c in p.cookies]
    assert got == [
        ("_ga", ".shop.test", Category.GOOGLE_ANALYTICS, 730.0, False),
        ("_ga_*", ".shop.test", Category.GOOGLE_ANALYTICS, 730.0, False),
        ("PHPSESSID", "www.shop.test", Category.SESSION, None, True),
        ("_fbp", ".shop.test", Category.TRACKING, 91.32, False),
    ]
    assert p.cookies[0].quote == "_ga, _ga_* | .shop.test | Google Analytics statistics | 2 years"
    assert {Category.GOOGLE_ANALYTICS, Category.SESSION, Category.TRACKING} <= p.category_set()


def test_markdown_cookie_table() -> None:
    md = (
        "## Cookies\n\n| Nom | Finalité | Durée |\n|---|---|---|\n"
        "| lang | Cookie technique (langue) | 6 mois |\n| sid | Cookie de session | Session |\n"
    )
    p = extract_policy(md, "cookies.md", "text/markdown")
    assert [(c.name, c.category, c.lifetime_days, c.session) for c in p.cookies] == [
        ("lang", Category.TECHNICAL, 182.64, False),
        ("sid", Category.SESSION, None, True),
    ]


def test_negated_categories_are_not_declared() -> None:
    p = extract_policy(
        "Ce site n'utilise que des cookies techniques. Nous n'utilisons aucun cookie "
        "publicitaire ni de mesure d'audience. We do not use advertising cookies.",
        None,
        "text/plain",
    )
    assert p.category_set() == {Category.TECHNICAL}


def test_english_transfers_and_personal_data() -> None:
    p = extract_policy(
        "We collect your name and e-mail address when you order. Your personal data is "
        "never transferred outside the European Union. Our payment provider may transfer "
        "data to the United States under the Standard Contractual Clauses.",
        None,
        "text/plain",
    )
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True
    assert [(t.kind, t.countries, t.safeguards) for t in p.transfers] == [
        (TransferKind.NONE, [], []),
        (TransferKind.SAFEGUARDS, ["US"], ["scc"]),
    ]
    assert p.promises_no_transfer is None


def test_german_spanish_italian_keywords() -> None:
    de = extract_policy(
        "Wir verwenden technisch notwendige Cookies und Marketing-Cookies. Die Daten werden "
        "nicht in Drittländer übermittelt. Die Server-Logs werden nach 7 Tagen gelöscht. "
        "Sie haben das Recht auf Auskunft und Berichtigung Ihrer Daten.",
        None,
        "text/plain",
    )
    assert de.language == "de"
    assert {Category.TECHNICAL, Category.TRACKING} <= de.category_set()
    assert [t.kind for t in de.transfers] == [TransferKind.NONE]
    assert [(r.kind, r.days) for r in de.retention] == [("technical", 7.0)]
    es = extract_policy(
        "Utilizamos cookies técnicas y cookies analíticas de Google Analytics para los datos "
        "de navegación. Los datos se conservan durante 2 años y no se transfieren fuera de la "
        "UE por nuestra parte.",
        None,
        "text/plain",
    )
    assert es.language == "es"
    assert {Category.TECHNICAL, Category.ANALYTICS, Category.GOOGLE_ANALYTICS} <= (
        es.category_set()
    )
    assert [t.kind for t in es.transfers] == [TransferKind.NONE]
    it = extract_policy(
        "Questo sito utilizza cookie tecnici e cookie di profilazione per la pubblicità. I dati "
        "personali sono conservati per 12 mesi e non vengono trasferiti al di fuori dell'UE.",
        None,
        "text/plain",
    )
    assert it.language == "it"
    assert {Category.TECHNICAL, Category.TRACKING} <= it.category_set()
    assert [t.kind for t in it.transfers] == [TransferKind.NONE]
    assert [r.days for r in it.retention] == [365.28]


def test_no_personal_data_with_a_condition_is_not_a_no() -> None:
    p = extract_policy(
        "Nous ne collectons aucune donnée personnelle sans votre consentement.",
        None,
        "text/plain",
    )
    assert p.collects_personal_data is None or p.collects_personal_data.value is True


def test_typical_french_cookie_policy() -> None:
    from pathlib import Path

    path = Path(__file__).parent / "data" / "sample_fr_cookie_policy.html"
    p = extract_policy(path.read_text(encoding="utf-8"), str(path))
    assert p.category_set() == {
        Category.TECHNICAL,
        Category.TRACKING,
        Category.GOOGLE_ANALYTICS,
        Category.ANALYTICS,
    }
    assert [v.name for v in p.vendors] == ["Criteo", "Google Analytics", "Meta Pixel"]
    # "they do not require your consent" is about strictly necessary cookies: not a claim
    assert p.consent_exemption is None
    assert [(t.kind, t.countries, t.safeguards) for t in p.transfers] == [
        (TransferKind.SAFEGUARDS, ["US"], ["scc"])
    ]
    assert (395.72, "cookies") in {(r.days, r.kind) for r in p.retention}
    assert [(c.email, c.role) for c in p.contacts] == [("dpo@exemple.fr", "dpo")]
    assert [r.right for r in p.rights] == [
        "access",
        "rectification",
        "erasure",
        "portability",
        "withdraw_consent",
        "complaint",
    ]


def test_typical_english_privacy_notice() -> None:
    from pathlib import Path

    path = Path(__file__).parent / "data" / "sample_en_privacy_notice.txt"
    p = extract_policy(path.read_text(encoding="utf-8"), str(path), "text/plain")
    assert p.category_set() == {
        Category.TECHNICAL,
        Category.TRACKING,
        Category.GOOGLE_ANALYTICS,
        Category.ANALYTICS,
    }
    assert [v.name for v in p.vendors] == [
        "Google Analytics",
        "Hotjar",
        "LinkedIn Insight Tag",
        "Meta Pixel",
    ]
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True
    assert p.transfers[0].kind is TransferKind.SAFEGUARDS
    assert p.transfers[0].countries == ["US"]
    assert {(r.kind, r.days) for r in p.retention} == {
        ("personal_data", 730.0),
        ("technical", 30.0),
        ("billing", 3650.0),
    }
    assert [r.right for r in p.rights] == [
        "access",
        "rectification",
        "erasure",
        "restriction",
        "portability",
        "objection",
        "complaint",
    ]


def test_a_consent_banner_on_the_policy_page_is_not_the_policy() -> None:
    page = (
        "<html><body><main><h1>Cookies</h1><p>Nous utilisons uniquement des cookies "
        "techniques.</p></main>"
        "<div id='cookie-banner'><p>Nous utilisons des cookies publicitaires.</p></div>"
        "<div role='dialog'><p>We use analytics cookies.</p></div>"
        "<div class='cc-window'><p>Wir verwenden Marketing-Cookies.</p></div></body></html>"
    )
    assert extract_policy(page, "https://s.test/cookies").category_set() == {Category.TECHNICAL}


def test_one_table_row_for_several_cookies_pairs_their_lifetimes() -> None:
    page = (
        "<table><tr><th>Name</th><th>Type</th><th>Expiry</th></tr>"
        "<tr><td>YSC, VISITOR_INFO1_LIVE</td><td>Social media</td><td>Session / 6 months</td>"
        "</tr><tr><td>_ga, _gid</td><td>Analytics</td><td>13 months</td></tr></table>"
    )
    cookies = extract_policy(page, "https://s.test/cookies").cookies
    assert [(c.name, c.session, c.lifetime_days) for c in cookies] == [
        ("YSC", True, None),
        ("VISITOR_INFO1_LIVE", False, 182.64),
        ("_ga", False, 395.72),
        ("_gid", False, 395.72),
    ]
