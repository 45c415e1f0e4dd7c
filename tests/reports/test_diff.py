"""`compare`: exactly what changed between two scans, and nothing else."""

from __future__ import annotations

import reports
from reports import FieldChange
from scanner.model import Category, Classification, Phase
from tests.reports.sample_scans import before_after, shop_scan


def test_same_scan_has_no_changes() -> None:
    diff = reports.compare(shop_scan(), shop_scan())
    assert diff.empty
    assert b"Nothing changed" in reports.render_diff(diff, "html")


def test_before_after_lists_exactly_what_changed() -> None:
    old, new = before_after()
    diff = reports.compare(old, new)
    assert [(c.name, c.category, c.vendor) for c in diff.cookies_added] == [
        ("_hjSessionUser_42", "analytics", "Hotjar"),
        ("_hjSession_42", "analytics", "Hotjar"),
    ]
    assert [(c.name, c.domain) for c in diff.cookies_removed] == [
        ("_fbp", ".boutique-exemple.fr"),
        ("fr", ".facebook.com"),
    ]
    assert diff.cookies_changed == []  # the other cookies are the same a month later
    assert diff.hosts_added == ["static.hotjar.com"]
    assert diff.hosts_removed == ["connect.facebook.net", "www.facebook.com"]
    assert [f.rule_id for f in diff.findings_new] == ["policy.undeclared"]
    assert [f.rule_id for f in diff.findings_resolved] == [
        "consent.third_party_before_choice",
        "lifetime.long_tracking",
    ]
    assert diff.old.started_at < diff.new.started_at


def test_changed_lifetime_category_party_and_phases() -> None:
    old = shop_scan()
    cookies = []
    for c in old.cookies:
        if c.name == "_ga":
            c = c.model_copy(
                update={
                    "requested_lifetime_days": 395.0,
                    "lifetime_days": 395.0,
                    "phases": [Phase.ACCEPT],
                }
            )
        if c.name == "klaro":
            c = c.model_copy(
                update={
                    "classification": Classification(
                        category=Category.UNKNOWN, exempt=False, confidence=0.2, reason="no rule"
                    )
                }
            )
        cookies.append(c)
    new = old.model_copy(update={"cookies": cookies})
    diff = reports.compare(old, new)
    changes = {c.cookie.name: c.changes for c in diff.cookies_changed}
    assert changes == {
        "_ga": [
            FieldChange(field="lifetime", old="730", new="395"),
            FieldChange(field="phases", old="none reject accept", new="accept"),
        ],
        "klaro": [
            FieldChange(field="category", old="technical", new="unknown"),
            FieldChange(field="vendor", old="Klaro", new=None),
        ],
    }
    csv_text = reports.render_diff(diff, "csv").decode("utf-8-sig")
    assert "changed,cookie,_ga,.boutique-exemple.fr,lifetime,730,395," in csv_text
    html = reports.render_diff(diff, "html", lang="fr").decode()
    assert "durée de vie" in html and "2 ans" in html and "13 mois" in html


def test_lifetime_drift_of_a_few_seconds_is_not_a_change() -> None:
    old = shop_scan()
    drifted = [
        c.model_copy(update={"lifetime_days": (c.lifetime_days or 0) + 0.0001})
        if c.lifetime_days is not None
        else c
        for c in old.cookies
    ]
    assert reports.compare(old, old.model_copy(update={"cookies": drifted})).empty


def test_findings_with_the_same_title_are_told_apart_by_cookie() -> None:
    from tests.reports.sample_scans import before_consent_finding

    old = shop_scan().model_copy(
        update={"findings": [before_consent_finding("_ga@.x"), before_consent_finding("_fbp@.x")]}
    )
    new = shop_scan().model_copy(
        update={"findings": [before_consent_finding("_ga@.x"), before_consent_finding("YSC@.y")]}
    )
    diff = reports.compare(old, new)
    assert [f.evidence[0].cookie for f in diff.findings_new] == ["YSC@.y"]
    assert [f.evidence[0].cookie for f in diff.findings_resolved] == ["_fbp@.x"]
