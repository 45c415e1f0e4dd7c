"""A single-page app (www.spa.test): routes reached by clicks its router takes, route trackers
recorded, the sitemap still seeding. One scan in three phases."""

from __future__ import annotations

import pytest

from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import Navigation, Phase
from tests.scanner.conftest import crawl, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOME = "https://www.spa.test/"
EXPECTED = {
    Phase.NONE: {"spa_sid", "ra"},
    Phase.REJECT: {"spa_sid", "spa_consent", "ra"},
    Phase.ACCEPT: {"spa_sid", "spa_consent", "ra", "rt"},
}


@pytest.fixture(scope="module")
def spa(local_web: LocalWeb) -> CrawlResult:
    return crawl(settings_for(local_web, HOME))


def test_routes_clicked_then_loaded_by_url(spa: CrawlResult) -> None:
    for phase in spa.scan.phases:
        pages = [(p.url, p.navigation) for p in phase.pages]
        clicked = [u for u, how in pages if how is Navigation.CLICK]
        loaded = [u for u, how in pages if how is Navigation.URL]
        assert loaded[0] == HOME
        assert sorted(loaded[1:]) == [HOME + "pricing", HOME + "products", HOME + "team"]
        # the nav links of the start page, in the level's order; /pricing is in the sitemap only
        assert clicked == [u for u in loaded[1:] if u != HOME + "pricing"]
        assert pages[1 : 1 + len(clicked)] == [(u, Navigation.CLICK) for u in clicked]
        route = next(p for p in phase.pages if p.navigation is Navigation.CLICK)
        assert route.final_url == route.url and route.title == "spa /" + route.url.rsplit("/")[-1]


def test_exact_cookies_per_phase_route_trackers_included(spa: CrawlResult) -> None:
    for phase in spa.scan.phases:
        assert {c.name for c in phase.cookies} == EXPECTED[phase.name], phase.name
    accept = {c.name: c for c in spa.scan.phases[2].cookies}
    routes = [p.url for p in spa.scan.phases[2].pages if p.navigation is Navigation.CLICK]
    assert accept["rt"].first_seen_page == routes[0]  # set on the first route clicked
    assert accept["rt"].set_by == "https://px.route-tracker.test/pv?p=" + routes[0].replace(
        HOME, "%2F"
    )
