"""YAML declarations: the documented schema, clear errors, and `policy init` starters."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.model import Category, Phase
from scanner.policy import (
    DeclarationError,
    Origin,
    TransferKind,
    check,
    load_declaration,
    starter_declaration,
)
from tests.policy.builders import build_scan
from tests.policy.test_rules import FBP, GA2, LANG

FULL = """\
version: 1
site: shop.test
categories: [technical, {category: analytics, quote: "Nous mesurons l'audience."}]
vendors: ["Google Analytics", {name: Hotjar}]
cookies:
  - {name: lang, domain: www.shop.test, category: technical, lifetime: "6 months"}
  - {name: sid, category: session, lifetime: session}
  - {name: "_ga_*", category: google_analytics, lifetime: 395}
collects_personal_data: true
audience_measurement: {anonymised: false, consent_exempt: false}
storage_in_eu: true
transfers:
  - {countries: [us], safeguards: [dpf, scc], quote: "Google LLC, under the DPF."}
retention:
  - {data: backups, kind: backups, period: "28 days"}
  - {data: orders, kind: billing, days: 3650}
contacts: [{email: privacy@shop.test}]
dpo_email: dpo@shop.test
rights: [access, erasure, complaint]
"""


def write(tmp_path: Path, text: str, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_declaration(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    p = load_declaration(path)
    src = str(path)
    assert p.origin is Origin.DECLARATION and p.sources == [src] and p.mentions_cookies
    assert [c.category for c in p.categories] == [
        Category.TECHNICAL,
        Category.ANALYTICS,
        Category.SESSION,
        Category.GOOGLE_ANALYTICS,
    ]
    assert p.categories[1].quote == "Nous mesurons l'audience."
    assert p.categories[0].quote == f"declared in {src}"
    assert [(v.name, v.country) for v in p.vendors] == [
        ("Google Analytics", "US"),
        ("Hotjar", "MT"),
    ]
    assert [(c.name, c.domain, c.lifetime_days, c.session) for c in p.cookies] == [
        ("lang", "www.shop.test", 182.64, False),
        ("sid", None, None, True),
        ("_ga_*", None, 395.0, False),
    ]
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True
    assert p.audience_anonymised is not None and p.audience_anonymised.value is False
    assert [(t.kind, t.countries, t.safeguards) for t in p.transfers] == [
        (TransferKind.SAFEGUARDS, ["US"], ["dpf", "scc"])
    ]
    assert [(r.kind, r.days) for r in p.retention] == [("backups", 28.0), ("billing", 3650.0)]
    assert [(c.email, c.role) for c in p.contacts] == [
        ("privacy@shop.test", "contact"),
        ("dpo@shop.test", "dpo"),
    ]
    assert [r.right for r in p.rights] == ["access", "erasure", "complaint"]


def test_transfers_none_shorthand(tmp_path: Path) -> None:
    p = load_declaration(write(tmp_path, "categories: [technical]\ntransfers: none\n"))
    assert p.promises_no_transfer is not None
    assert p.promises_no_transfer.kind is TransferKind.NONE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("categories: [technical\n", "not valid YAML (line 2, column 1)"),
        ("", "the declaration is empty"),
        ("- technical\n", "a declaration is a YAML mapping"),
        ("categories: [cookies_monster]\n", "field 'categories.0"),
        ("cookies: [{name: a, lifetime: forever}]\n", "cookies.0.lifetime: lifetime 'forever'"),
        ("cookies: [{name: a, lifetme: 3}]\n", "field 'cookies.0.lifetme': Extra inputs"),
        ("collects_personal_data: perhaps\n", "field 'collects_personal_data'"),
        ("retention: [{data: x}]\n", "retention.0: give 'days' or 'period'"),
        ("transfers: sometimes\n", "field 'transfers"),
        ("version: 2\n", "field 'version'"),
        ("categories: " + "[" * 10_000 + "\n", "not valid YAML: nested too deeply"),
    ],
)
def test_bad_declarations_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as info:
        load_declaration(path)
    assert isinstance(info.value, DeclarationError)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="no such declaration file"):
        load_declaration(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DeclarationError, match="not UTF-8"):
        load_declaration(binary)


def test_a_file_without_a_size_is_read_no_further_than_the_limit() -> None:
    """``stat`` gives a device or a pipe no size: /dev/zero was read until memory ran out."""
    with pytest.raises(DeclarationError, match="too large for a declaration"):
        load_declaration(Path("/dev/zero"))


def test_starter_from_a_scan_loads_and_matches_what_was_observed(tmp_path: Path) -> None:
    scan = build_scan(
        "https://www.in2cloud.test/",
        "in2cloud.test",
        {Phase.NONE: ([LANG], []), Phase.ACCEPT: ([LANG, GA2, FBP], [])},
        policy_pages=["https://www.in2cloud.test/p"],
    )
    text = starter_declaration(scan)
    assert text.startswith("# Cookie and data declaration for in2cloud.test")
    policy = load_declaration(write(tmp_path, text))
    assert [c.category for c in policy.categories] == [
        Category.TECHNICAL,
        Category.TRACKING,
        Category.GOOGLE_ANALYTICS,
    ]
    assert [(c.name, c.lifetime_days) for c in policy.cookies] == [
        ("_fbp", 90.0),
        ("_ga", 730.0),
        ("lang", 365.0),
    ]
    assert [v.name for v in policy.vendors] == ["Google Analytics", "Meta"]
    # the starter describes the scan, so only consent findings remain (no declaration ones)
    rules = {f.rule_id for f in check(scan, policy, policy_pages_found=True)}
    assert rules == {"lifetime-over-13-months"}
