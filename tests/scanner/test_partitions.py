"""A cookie's partition (CHIPS) is part of its identity: Playwright's cookie dicts as Chromium
returns them -> our records -> verdicts -> what changed. The browser side is in
test_chips_redirects.py; the dicts here are copied from `context.cookies()` of Chromium after
visiting two sites that embed the same widget (each keeps its own `cw`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reports
from reports.facts import classification_index
from scanner.classify import classify_scan
from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Phase,
    PhaseResult,
    Scan,
    ToolInfo,
)
from scanner.recorder import cookie_from_playwright

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WIDGET = "embed.chips-widget.test"


def raw(partition: str | None, cross_site: bool | None = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "cw", "value": "w-1", "domain": WIDGET, "path": "/",
        "expires": T0.timestamp() + 86400, "httpOnly": False, "secure": True, "sameSite": "None",
    }  # fmt: skip
    if partition is not None:
        out["partitionKey"] = partition
        if cross_site is not None:
            out["_crHasCrossSiteAncestor"] = cross_site
    return out


def scan_of(*raws: dict[str, Any], schema_version: str | None = None) -> Scan:
    cookies = [
        cookie_from_playwright(
            r, site="chips.test", setter=None, first_seen_page="https://www.chips.test/",
            first_seen_at=T0.timestamp(), keep_values=False,
        )
        for r in raws
    ]  # fmt: skip
    phases = [
        PhaseResult(
            name=p,
            banner=Banner(action=p, status=BannerStatus.NO_BANNER),
            cookies=cookies,
        )
        for p in (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
    ]
    scan = Scan(
        target="https://www.chips.test/",
        site="chips.test",
        tool=ToolInfo(version="test"),
        browser=BrowserInfo(),
        started_at=T0,
        phases=phases,
    )
    scan = classify_scan(scan)
    if schema_version is not None:
        scan = scan.model_copy(update={"schema_version": schema_version})
    return scan


def test_partition_read_from_playwright_dicts() -> None:
    (plain,) = scan_of(raw(None)).phases[0].cookies
    assert (plain.partitioned, plain.partition_site, plain.partition_cross_site) == (
        False, None, None
    )  # fmt: skip
    (chips,) = scan_of(raw("https://chips.test")).phases[0].cookies
    assert (chips.partitioned, chips.partition_site, chips.partition_cross_site) == (
        True, "https://chips.test", True
    )  # fmt: skip
    (bare,) = scan_of(raw("https://chips.test", cross_site=None)).phases[0].cookies
    assert (bare.partition_site, bare.partition_cross_site) == ("https://chips.test", None)
    assert bare.key == (*chips.key[:4], False)


def test_a_widget_on_two_top_level_sites_is_two_cookies() -> None:
    scan = scan_of(raw("https://chips.test"), raw("https://two.test"), raw(None))
    keys = {c.key for c in scan.phases[0].cookies}
    assert keys == {
        ("cw", WIDGET, "/", "https://chips.test", True),
        ("cw", WIDGET, "/", "https://two.test", True),
        ("cw", WIDGET, "/", "", False),
    }
    assert {c.key for c in scan.cookies} == keys
    added = reports.compare(scan_of(raw(None)), scan).cookies_added
    assert [(c.partition_site, c.partition_cross_site) for c in added] == [
        ("https://chips.test", True), ("https://two.test", True)
    ]  # fmt: skip
    rows = reports.render(scan, "csv").decode("utf-8-sig").splitlines()
    assert [r.rsplit(",", 2)[1:] for r in rows[1:4]] == [
        ["", ""], ["https://chips.test", "true"], ["https://two.test", "true"]
    ]  # fmt: skip
    diff = reports.compare(scan_of(raw("https://chips.test")), scan_of(raw("https://two.test")))
    assert [(c.name, c.partition_site) for c in diff.cookies_added] == [("cw", "https://two.test")]
    assert [(c.name, c.partition_site) for c in diff.cookies_removed] == [
        ("cw", "https://chips.test")
    ]
    assert reports.render_diff(diff, "csv").decode("utf-8-sig").splitlines()[1:] == [
        "added,cookie,cw,embed.chips-widget.test,category,,tracking,none reject accept,"
        "https://two.test",
        "removed,cookie,cw,embed.chips-widget.test,category,tracking,,none reject accept,"
        "https://chips.test",
    ]


def test_a_scan_saved_before_partitions_compares_without_false_changes() -> None:
    """Scans of schema 1.4 classified `cw` once, without its partition: compared with a new
    scan of the same cookies, nothing changed; every partition keeps the one verdict."""
    new = scan_of(raw("https://chips.test"))
    stripped = [
        c.model_copy(update={"partition_site": None, "partition_cross_site": None})
        for c in new.cookies
    ]
    old = new.model_copy(update={"schema_version": "1.4", "cookies": stripped})
    assert reports.compare(old, new).empty and reports.compare(new, old).empty
    two = scan_of(raw("https://chips.test"), raw("https://two.test"))
    legacy = two.model_copy(update={"schema_version": "1.4", "cookies": stripped})
    index = classification_index(legacy)
    assert all(index[c.key] == index[two.phases[0].cookies[0].key] for c in two.phases[0].cookies)


def test_html_report_tells_partitions_apart() -> None:
    scan = scan_of(raw("https://chips.test"), raw("https://chips.test", cross_site=False))
    html = reports.render(scan, "html").decode()
    assert "partitioned, on https://chips.test, in frames under another site" in html
    assert html.count("partitioned, on https://chips.test<") == 1


def test_findings_and_declarations_name_a_partitioned_cookie_once() -> None:
    """Visitors and findings speak of `cw@domain`; its partitions are one line, not three."""
    from audits.declaration import build_declaration
    from scanner.policy import check
    from scanner.policy.declaration import starter_declaration

    scan = scan_of(raw("https://chips.test"), raw("https://two.test"), raw(None))
    subjects = [f.subject for f in check(scan, None, policy_pages_found=False)]
    assert subjects.count(f"cw@{WIDGET}") == 1
    declaration = build_declaration(scan, audit="chips", run=1, now=T0)
    assert [c.name for group in declaration.categories for c in group.cookies] == ["cw"]
    assert starter_declaration(scan).count("name: cw") == 1
