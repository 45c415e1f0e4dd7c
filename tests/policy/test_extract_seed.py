"""Extraction on the five seed policies finds at least what their README lists.

Texts: tests/policy/data/ (copied from ../shared/seed-policies/, file names kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Category
from scanner.policy import DeclaredPolicy, TransferKind, extract_policy

DATA = Path(__file__).parent / "data"


def seed(name: str) -> DeclaredPolicy:
    return extract_policy((DATA / name).read_text(encoding="utf-8"), name, "text/plain")


def retention(policy: DeclaredPolicy) -> dict[tuple[str, float], str]:
    return {(r.kind, r.days): r.quote or "" for r in policy.retention}


def test_cloud_temple_000() -> None:
    p = seed("000_a97ace09c4fba608.txt")
    assert p.language == "en"
    assert p.mentions_cookies
    assert p.collects_personal_data is not None and p.collects_personal_data.value is False
    assert p.collects_personal_data.quote == "This site does not collect any personal data."
    assert p.audience_anonymised is not None and p.audience_anonymised.value is True
    assert "anonymized" in (p.audience_anonymised.quote or "")
    assert p.consent_exemption is not None and p.consent_exemption.value is True
    assert "exempt from prior authorization" in (p.consent_exemption.quote or "")
    assert [(c.email, c.role) for c in p.contacts] == [("contact@cloud-temple.com", "dpo")]
    assert Category.ANALYTICS in p.category_set()
    assert not p.vendors  # it never names its tool
    assert all(d.source == "000_a97ace09c4fba608.txt" for d in p.categories)


def test_in2cloud_001() -> None:
    p = seed("001_164db397119dfc90.txt")
    assert p.language == "fr"
    assert {
        Category.TECHNICAL,
        Category.SESSION,
        Category.TRACKING,
        Category.GOOGLE_ANALYTICS,
    } <= p.category_set()
    quotes = {c.category: c.quote for c in p.categories}
    tracking, session = quotes[Category.TRACKING], quotes[Category.SESSION]
    assert tracking is not None and "cookie de traçage" in tracking
    assert session is not None and "cookie de session" in session
    assert [v.name for v in p.vendors] == ["Google Analytics"]
    us = [t for t in p.transfers if "US" in t.countries]
    assert len(us) == 1 and us[0].kind is TransferKind.COUNTRIES
    assert "États-Unis" in (us[0].quote or "")
    none = [t for t in p.transfers if t.kind is TransferKind.NONE]
    assert none and "hors de l'UE" in (none[0].quote or "")
    assert p.promises_no_transfer is None  # the GA transfer to the US is declared
    kept = retention(p)
    assert ("personal_data", 5 * 365) in kept
    assert ("billing", 7 * 365) in kept
    assert ("litigation", 10 * 365) in kept
    assert "info@in2cloud.be" in {c.email for c in p.contacts}
    assert {"access", "rectification", "erasure"} <= {r.right for r in p.rights}


def test_atimeus_002() -> None:
    p = seed("002_cd330d53f7cb3675.txt")
    assert p.language == "fr"
    kept = retention(p)
    assert kept[("technical", 90)] == "Elles sont conservées sur une période de 90 jours."
    assert ("marketing", 5 * 365) in kept
    assert ("customer", 3 * 365) in kept
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True
    assert "exclusivement dans l'Union Européenne" in (p.storage_in_eu.quote or "")
    scc = [t for t in p.transfers if "scc" in t.safeguards]
    assert scc and all(t.kind is TransferKind.SAFEGUARDS for t in scc)
    assert "clauses contractuelles types" in " ".join(t.quote or "" for t in scc)
    assert not p.mentions_cookies
    assert {"contact@atimeus.com", "support@atimeus.com"} <= {c.email for c in p.contacts}


def test_cis_valley_003() -> None:
    p = seed("003_4165a4b66db42d25.txt")
    assert p.transfers and all(t.kind is TransferKind.NONE for t in p.transfers)
    assert p.promises_no_transfer is not None
    assert "Pas de transfert" in (p.promises_no_transfer.quote or "")
    kept = retention(p)
    assert ("technical", 365) in kept  # logs 1 year
    assert ("access_control", 30.44) in kept  # badge access 1 month
    assert ("cctv", 30.44) in kept  # video 1 month
    assert ("support", 15 * 365) in kept  # tickets 15 years
    assert ("recruitment", 5 * 365) in kept and ("recruitment", 2 * 365) in kept
    assert [(c.email, c.role) for c in p.contacts] == [("dpd@cis-valley.fr", "dpo")]
    assert {"access", "rectification", "objection", "complaint", "post_mortem"} <= {
        r.right for r in p.rights
    }


def test_enter_solutions_004() -> None:
    p = seed("004_3f0cf2d993c37e48.txt")
    assert p.promises_no_transfer is not None
    assert "ne pas transférer vos données hors UE" in (p.promises_no_transfer.quote or "")
    kept = retention(p)
    assert "vingt-huit (28) jours" in kept[("backups", 28)]
    assert (next(r for r in p.retention if r.days == 28).data) == "sauvegardes"
    assert any(r.days == 14 for r in p.retention)
    assert p.storage_in_eu is not None and "en Europe" in (p.storage_in_eu.quote or "")


@pytest.mark.parametrize("name", sorted(f.name for f in DATA.glob("*.txt")))
def test_every_declaration_carries_its_quote_and_source(name: str) -> None:
    p = seed(name)
    items = [*p.categories, *p.vendors, *p.transfers, *p.retention, *p.contacts, *p.rights]
    flags = [p.collects_personal_data, p.audience_anonymised, p.consent_exemption, p.storage_in_eu]
    items += [f for f in flags if f is not None]
    assert items
    for item in items:
        assert item.quote and item.source == name
        assert len(item.quote) < 1500
