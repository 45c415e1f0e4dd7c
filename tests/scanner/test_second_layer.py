"""Banners that hide "reject all" in their settings layer (tests/fixtureweb/sites/second_layer.py).

Each site is crawled once in all three phases (home and /about). The reject phase must still
refuse, in the second layer, and say how; the first layer without a reject button is a finding.
"""

from __future__ import annotations

import pytest

from scanner.config import ScanSettings
from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import BannerLayer, BannerStatus, Phase
from scanner.pipeline import analyse
from tests.fixtureweb.npm_assets import ensure_npm_banners
from tests.scanner.conftest import crawl_sites, phase

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("banners-e2e")]

GA = {"_ga"}
FB = {"_fbp", "fr"}


def trackers(ga_id: str) -> set[str]:
    return GA | {f"_ga_{ga_id}"} | FB


#: site -> (consent cookie, GA id, how "reject all" is reached, by what)
SITES: dict[str, tuple[str, str, BannerLayer, str]] = {
    "vanilla-second-layer": (
        "cc_cookie",
        "VANILLA2ND",
        BannerLayer.SECOND,
        "autoconsent:cookieconsent3",
    ),
    "klaro-second-layer": ("klaro", "KLARO2ND", BannerLayer.PLATFORM_API, "autoconsent:Klaro"),
    "settings-only": ("prefs", "SETTINGS", BannerLayer.SECOND, "settings-fallback"),
}


@pytest.fixture(scope="module")
def scans(local_web: LocalWeb) -> dict[str, CrawlResult]:
    ensure_npm_banners()
    return crawl_sites(local_web, SITES)


@pytest.mark.parametrize("name", SITES)
def test_exact_cookies_per_phase(scans: dict[str, CrawlResult], name: str) -> None:
    consent, ga_id, _, _ = SITES[name]
    result = scans[name]
    got = {p.name: {c.name for c in p.cookies} for p in result.scan.phases}
    assert got == {
        Phase.NONE: set(),
        Phase.REJECT: {consent},
        Phase.ACCEPT: {consent} | trackers(ga_id),
    }
    for which in Phase:
        assert [v.url.rsplit("/", 1)[-1] for v in phase(result, which).pages] == ["", "about"]


@pytest.mark.parametrize("name", SITES)
def test_reject_reached_in_the_second_layer(scans: dict[str, CrawlResult], name: str) -> None:
    _, _, layer, method = SITES[name]
    result = scans[name]
    for which in Phase:
        banner = phase(result, which).banner
        assert banner.detected and banner.first_layer_reject is False, banner
    reject = phase(result, Phase.REJECT).banner
    assert reject.status is BannerStatus.SUCCEEDED, reject.detail
    assert (reject.layer, reject.method) == (layer, method), reject
    accept = phase(result, Phase.ACCEPT).banner
    assert accept.status is BannerStatus.SUCCEEDED and accept.layer is BannerLayer.FIRST
    assert phase(result, Phase.NONE).banner.layer is None


@pytest.mark.parametrize("name", SITES)
def test_no_reject_on_first_layer_is_a_finding(scans: dict[str, CrawlResult], name: str) -> None:
    result = scans[name]
    scan = analyse(result, ScanSettings(urls=(result.scan.target,)))
    found = [f for f in scan.findings if f.rule_id == "banner-no-reject-first-layer"]
    assert len(found) == 1 and found[0].subject == f"{name}.test"
    # the evidence says how the reject phase still refused
    reject = [e for e in found[0].evidence if e.phase is Phase.REJECT]
    assert reject and reject[0].detail_message is not None
    assert reject[0].detail_message.id == "no-reject-first-layer.refused"
    assert reject[0].detail_message.params["layer"] == SITES[name][2].value
    # the reject phase counts: nothing needing consent after it
    assert not [f for f in scan.findings if f.rule_id.endswith("-after-reject")]
