"""Partitioned (CHIPS) cookies and cookies set on a redirect (www.chips.test), in real Chromium.

The site has no banner: every phase stores the same four cookies, each with its partition and
the hop of the redirect chain that set it.
"""

from __future__ import annotations

import pytest

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
