"""End to end: the crawler (scanner.crawl) on the sites guarded by real npm banners.

Each site is crawled once in all three phases (two pages: home and /about); the tests assert
the exact cookie set of every phase and what the scan says about the banner.
"""

from __future__ import annotations

import pytest

from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import BannerStatus, Phase
from tests.fixtureweb.npm_assets import ensure_npm_banners
from tests.scanner.conftest import crawl_sites, phase

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("banners-e2e")]

NAMES = (
    "tarteaucitron-honest",
    "tarteaucitron-dishonest",
    "klaro-honest",
    "klaro-dishonest",
    "vanilla-honest",
    "vanilla-dishonest",
    "osano-honest",
    "osano-dishonest",
    "osano-acceptonly",
    "nobanner",
)


@pytest.fixture(scope="module")
def scans(local_web: LocalWeb) -> dict[str, CrawlResult]:
    ensure_npm_banners()
    return crawl_sites(local_web, NAMES)


def cookie_set(result: CrawlResult, name: Phase) -> set[str]:
    return {c.name for c in phase(result, name).cookies}


GA = {"_ga"}
FB = {"_fbp", "fr"}


def trackers(ga_id: str) -> set[str]:
    return GA | {f"_ga_{ga_id}"} | FB


# The exact cookie names of each phase: what the pages really set (see banner_sites.py).
EXPECTED: dict[str, dict[Phase, set[str]]] = {
    "tarteaucitron-honest": {
        Phase.NONE: {"tarteaucitron"},  # tarteaucitron stores its "not decided yet" state
        Phase.REJECT: {"tarteaucitron"},
        Phase.ACCEPT: {"tarteaucitron"} | trackers("TARTEOK"),
    },
    "tarteaucitron-dishonest": {
        Phase.NONE: {"tarteaucitron"} | trackers("TARTEBAD"),
        # tarteaucitron deletes refused services' first-party cookies; the third-party `fr` stays.
        Phase.REJECT: {"tarteaucitron", "fr"},
        Phase.ACCEPT: {"tarteaucitron"} | trackers("TARTEBAD"),
    },
    "klaro-honest": {
        Phase.NONE: set(),
        Phase.REJECT: {"klaro"},
        Phase.ACCEPT: {"klaro"} | trackers("KLAROOK"),
    },
    "klaro-dishonest": {
        Phase.NONE: trackers("KLAROBAD"),
        Phase.REJECT: {"klaro"} | trackers("KLAROBAD"),
        Phase.ACCEPT: {"klaro"} | trackers("KLAROBAD"),
    },
    "vanilla-honest": {
        Phase.NONE: set(),
        Phase.REJECT: {"cc_cookie"},
        Phase.ACCEPT: {"cc_cookie"} | trackers("VANILLAOK"),
    },
    "vanilla-dishonest": {
        Phase.NONE: trackers("VANILLABAD"),
        Phase.REJECT: {"cc_cookie"} | trackers("VANILLABAD"),
        Phase.ACCEPT: {"cc_cookie"} | trackers("VANILLABAD"),
    },
    "osano-honest": {
        Phase.NONE: set(),
        Phase.REJECT: {"cookieconsent_status"},
        Phase.ACCEPT: {"cookieconsent_status"} | trackers("OSANOOKOPTIN"),
    },
    "osano-dishonest": {
        Phase.NONE: trackers("OSANOBADOPTIN"),
        Phase.REJECT: {"cookieconsent_status"} | trackers("OSANOBADOPTIN"),
        Phase.ACCEPT: {"cookieconsent_status"} | trackers("OSANOBADOPTIN"),
    },
    "osano-acceptonly": {
        Phase.NONE: set(),
        Phase.REJECT: set(),  # no reject button: nothing chosen, nothing stored
        Phase.ACCEPT: {"cookieconsent_status"} | trackers("OSANOOKINFO"),
    },
    "nobanner": {Phase.NONE: set(), Phase.REJECT: set(), Phase.ACCEPT: set()},
}

CMPS = {
    "tarteaucitron": "tarteaucitron",
    "klaro": "Klaro",
    "vanilla": "vanilla-cookieconsent",
    "osano": "Osano cookieconsent",
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", [Phase.NONE, Phase.REJECT, Phase.ACCEPT])
def test_exact_cookies_per_phase(scans: dict[str, CrawlResult], name: str, which: Phase) -> None:
    result = scans[name]
    assert [v.url.rsplit("/", 1)[-1] for v in phase(result, which).pages] == ["", "about"]
    assert cookie_set(result, which) == EXPECTED[name][which]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "nobanner"])
def test_banner_recorded_in_every_phase(scans: dict[str, CrawlResult], name: str) -> None:
    result = scans[name]
    expected_cmp = CMPS[name.split("-", 1)[0]]
    for which in (Phase.NONE, Phase.REJECT, Phase.ACCEPT):
        banner = phase(result, which).banner
        assert banner.detected and banner.cmp == expected_cmp, banner
        assert banner.action is which
    assert phase(result, Phase.NONE).banner.status is BannerStatus.NOT_ATTEMPTED
    assert phase(result, Phase.ACCEPT).banner.status is BannerStatus.SUCCEEDED
    reject = phase(result, Phase.REJECT).banner
    if name == "osano-acceptonly":
        assert reject.status is BannerStatus.FAILED and reject.first_layer_reject is False
        assert phase(result, Phase.NONE).banner.first_layer_reject is False
    else:
        assert reject.status is BannerStatus.SUCCEEDED, reject.detail
        assert reject.first_layer_reject is True


def test_no_banner_site_says_so(scans: dict[str, CrawlResult]) -> None:
    result = scans["nobanner"]
    assert phase(result, Phase.NONE).banner.status is BannerStatus.NOT_ATTEMPTED
    for which in (Phase.REJECT, Phase.ACCEPT):
        banner = phase(result, which).banner
        assert not banner.detected and banner.cmp is None
        assert banner.status is BannerStatus.NO_BANNER
        assert "no banner" in banner.detail


def test_dishonest_sites_track_after_reject(scans: dict[str, CrawlResult]) -> None:
    """The point of the audit: after "reject all", dishonest sites still carry trackers."""
    for name in NAMES:
        rejected = cookie_set(scans[name], Phase.REJECT)
        if name.endswith("-dishonest"):
            assert "fr" in rejected, name
        else:
            assert not rejected & (GA | FB), name
