"""Partitioned (CHIPS) cookies and cookies set on a redirect (www.chips.test), in real Chromium.

The site has no banner: every phase stores the same four cookies, each with its partition and
the hop of the redirect chain that set it.
"""

from __future__ import annotations

import pytest

import reports
from scanner.classify import classify_scan
from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import Party, Phase, SetByKind
from tests.scanner.conftest import crawl, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOME = "https://www.chips.test/"
FRAME = "https://embed.chips-widget.test/frame"
#: name, domain, partition's top-level site, set_by, kind, requested lifetime (days)
EXPECTED = {
    ("cw", "embed.chips-widget.test", "https://chips.test", FRAME, SetByKind.HTTP, 1.0),
    ("cwjs", "embed.chips-widget.test", "https://chips.test", FRAME, SetByKind.SCRIPT, 1.0),
    ("ra_uid", "px.redirect-a.test", None, "https://px.redirect-a.test/px?id=7", SetByKind.HTTP,
     30.0),  # on the 302 response
    ("rb_uid", "sync.redirect-b.test", None, "https://sync.redirect-b.test/sync?partner=a",
     SetByKind.HTTP, 60.0),  # on the redirect's target
}  # fmt: skip


@pytest.fixture(scope="module")
def chips(local_web: LocalWeb) -> CrawlResult:
    return crawl(settings_for(local_web, HOME, max_pages=1))


def test_exact_cookies_per_phase_with_partition_and_setter(chips: CrawlResult) -> None:
    assert [p.name for p in chips.scan.phases] == [Phase.NONE, Phase.REJECT, Phase.ACCEPT]
    for phase in chips.scan.phases:
        got = {(c.name, c.domain, c.partition_site, c.set_by, c.set_by_kind,
                c.requested_lifetime_days) for c in phase.cookies}  # fmt: skip
        assert got == EXPECTED, phase.name
        for c in phase.cookies:
            assert c.partitioned is (c.partition_site is not None)
            assert c.party is Party.THIRD and c.first_seen_page == HOME
        assert phase.blocked_cookies == []


@pytest.fixture(scope="module")
def aba(local_web: LocalWeb) -> CrawlResult:
    return crawl(settings_for(local_web, "https://www.aba.test/", max_pages=1))


def test_one_name_in_two_partitions_is_two_cookies(aba: CrawlResult) -> None:
    """www.aba.test writes `aba` on its page and in its own frame nested in a third party's:
    Chromium stores two cookies, and every stage keeps two (one verdict each, one CSV row each
    per phase)."""
    partitions = {("https://aba.test", False), ("https://aba.test", True)}
    for phase in aba.scan.phases:
        got = [c for c in phase.cookies if c.name == "aba"]
        assert {(c.partition_site, c.partition_cross_site) for c in got} == partitions
        assert len({c.key for c in got}) == 2, phase.name
    scan = classify_scan(aba.scan)
    classified = [c for c in scan.cookies if c.name == "aba"]
    assert {(c.partition_site, c.partition_cross_site) for c in classified} == partitions
    assert all(c.phases == [Phase.NONE, Phase.REJECT, Phase.ACCEPT] for c in classified)
    rows = reports.render(scan, "csv").decode("utf-8-sig").splitlines()
    assert sorted(r.rsplit(",", 2)[1:] for r in rows if ",aba,www.aba.test," in r) == (
        [["https://aba.test", "false"]] * 3 + [["https://aba.test", "true"]] * 3
    )  # each cookie in each phase, with its own verdict
    assert reports.compare(scan, scan).empty
