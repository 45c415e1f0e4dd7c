"""Late tags (www.late.test): a timer-delayed pixel, a tag waiting for the first interaction,
a scroll-depth tag. One scan in three phases with the default dwell.

The delayed pixel fires 2.5 s after `load` on every page; the crawler closes /about long before
that, so the cookie is there only because the start page dwells (its setter says `page=/`).
"""

from __future__ import annotations

import pytest

from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import BannerStatus, Party, Phase, SetByKind
from tests.scanner.conftest import crawl, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOME = "https://www.late.test/"
EXPECTED = {
    Phase.NONE: {"dly", "sd"},
    Phase.REJECT: {"late_consent", "dly", "sd"},
    Phase.ACCEPT: {"late_consent", "dly", "sd", "_lz"},
}


@pytest.fixture(scope="module")
def late(local_web: LocalWeb) -> CrawlResult:
    return crawl(settings_for(local_web, HOME))


def test_exact_cookies_per_phase(late: CrawlResult) -> None:
    for phase in late.scan.phases:
        assert [p.url for p in phase.pages] == [HOME, "https://www.late.test/about"]
        assert {c.name for c in phase.cookies} == EXPECTED[phase.name], phase.name
    # After a click the other pages wait for the start page's interaction; in phase none they
    # are crawled while the banner is searched for, so /about may scroll first there.
    assert all(c.first_seen_page == HOME for p in late.scan.phases[1:] for c in p.cookies)
    assert late.scan.options["dwell"] == 3.0
    reject, accept = late.scan.phases[1:]
    assert reject.banner.status is BannerStatus.SUCCEEDED
    assert accept.banner.status is BannerStatus.SUCCEEDED


def test_who_set_the_late_cookies(late: CrawlResult) -> None:
    accept = {c.name: c for c in late.scan.phases[2].cookies}
    dly = accept["dly"]
    assert (dly.domain, dly.party, dly.set_by_kind) == ("px.delayed-ads.test", Party.THIRD,
                                                        SetByKind.HTTP)  # fmt: skip
    assert dly.set_by == "https://px.delayed-ads.test/px?page=%2F"  # the dwelling start page
    assert dly.first_seen_page == HOME
    assert accept["sd"].set_by == "https://px.scrolldepth.test/hit?d=90"
    lz = accept["_lz"]
    assert (lz.domain, lz.party, lz.set_by_kind) == ("www.late.test", Party.FIRST,
                                                     SetByKind.SCRIPT)  # fmt: skip
    assert lz.set_by == "https://cdn.lazy-analytics.test/tag.js"
    assert lz.requested_lifetime_days == 365.0
