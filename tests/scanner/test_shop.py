"""The shop scanned in real Chromium: exact cookie sets, who set them, lifetimes, storage, hosts."""

from __future__ import annotations

import pytest

from scanner.crawl import CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import BannerStatus, Party, Phase, SetByKind, StorageKind
from tests.scanner.conftest import crawl, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOP = "https://www.shop.test/"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-SHOP123"
FBEVENTS = "https://connect.facebook.net/en_US/fbevents.js"
FBTR = "https://www.facebook.com/tr?id="
YT = "https://www.youtube.com/embed/dQw4w9WgXcQ"

#: (name, domain as stored, party, set_by_kind, set_by (prefix), requested days, stored days)
EXPECTED = {
    ("PHPSESSID", "www.shop.test", Party.FIRST, SetByKind.HTTP, SHOP, None, None),
    ("lang", "www.shop.test", Party.FIRST, SetByKind.HTTP, SHOP, 365.0, 365.0),
    ("XSRF-TOKEN", "www.shop.test", Party.FIRST, SetByKind.SCRIPT, SHOP, None, None),
    ("_ga", ".shop.test", Party.FIRST, SetByKind.SCRIPT, GTAG, 730.0, 400.0),
    ("_ga_SHOP123", ".shop.test", Party.FIRST, SetByKind.SCRIPT, GTAG, 730.0, 400.0),
    ("_fbp", ".shop.test", Party.FIRST, SetByKind.SCRIPT, FBEVENTS, 90.0, 90.0),
    ("fr", ".facebook.com", Party.THIRD, SetByKind.HTTP, FBTR, 90.0, 90.0),
    ("YSC", ".youtube.com", Party.THIRD, SetByKind.HTTP, YT, None, None),
    ("VISITOR_INFO1_LIVE", ".youtube.com", Party.THIRD, SetByKind.HTTP, YT, 180.0, 180.0),
}  # fmt: skip

PAGES = [
    "https://www.shop.test/",
    "https://www.shop.test/privacy",  # policy link first
    "https://www.shop.test/products",
    "https://www.shop.test/about",
    "https://www.shop.test/storage",
    "https://www.shop.test/contact",  # from sitemap.xml only
    "https://www.shop.test/products/1",
    "https://www.shop.test/products/2",
    "https://www.shop.test/products/1/reviews",
]


def _days(value: float | None) -> float | None:
    return None if value is None else round(value)


def test_exact_cookies_in_every_phase(shop_scan: CrawlResult) -> None:
    scan = shop_scan.scan
    assert [p.name for p in scan.phases] == [Phase.NONE, Phase.REJECT, Phase.ACCEPT]
    for phase in scan.phases:
        got = set()
        for c in phase.cookies:
            prefix = next(e[4] for e in EXPECTED if e[0] == c.name)
            assert c.set_by is not None and c.set_by.startswith(prefix), (c.name, c.set_by)
            got.add(
                (c.name, c.domain, c.party, c.set_by_kind, prefix,
                 _days(c.requested_lifetime_days), _days(c.lifetime_days))
            )  # fmt: skip
        assert got == EXPECTED, phase.name


def test_cookie_attributes(shop_scan: CrawlResult) -> None:
    cookies = {c.name: c for c in shop_scan.scan.phases[0].cookies}
    assert cookies["PHPSESSID"].http_only and cookies["PHPSESSID"].host_only
    assert cookies["PHPSESSID"].expires is None
    assert cookies["PHPSESSID"].value.value is None  # values not kept by default
    assert cookies["PHPSESSID"].value.length == 32
    assert cookies["fr"].same_site == "None" and cookies["fr"].secure
    assert not cookies["_ga"].host_only
    assert cookies["_ga"].value.shape.value == "ga"
    assert cookies["_fbp"].value.shape.value == "fb"
    assert cookies["fr"].first_seen_page == "https://www.shop.test/products"
    assert cookies["YSC"].first_seen_page == "https://www.shop.test/products/1"
    assert cookies["lang"].first_seen_page == SHOP


def test_pages_storage_hosts_and_banner(shop_scan: CrawlResult) -> None:
    scan = shop_scan.scan
    for phase in scan.phases:
        assert [p.url for p in phase.pages] == PAGES
        assert all(p.status == 200 for p in phase.pages)
        assert phase.skipped == []
        assert {(s.origin, s.kind, s.key) for s in phase.storage} == {
            ("https://www.shop.test", StorageKind.LOCAL, "cart"),
            ("https://www.shop.test", StorageKind.SESSION, "recently_viewed"),
        }
        hosts = {(h.host, h.registrable_domain, h.requests) for h in phase.third_party_hosts}
        assert hosts == {
            ("www.googletagmanager.com", "googletagmanager.com", 1),
            ("www.google-analytics.com", "google-analytics.com", 1),
            ("connect.facebook.net", "facebook.net", 1),
            ("www.facebook.com", "facebook.com", 1),
            ("www.youtube.com", "youtube.com", 1),
        }
    assert scan.phases[0].banner.status is BannerStatus.NOT_ATTEMPTED
    assert not scan.phases[0].banner.detected
    for phase in scan.phases[1:]:
        assert phase.banner.status is BannerStatus.NO_BANNER
    assert scan.policy_pages == ["https://www.shop.test/privacy"]
    assert "We use a session cookie" in shop_scan.policy_html["https://www.shop.test/privacy"]
    assert scan.site == "shop.test" and not scan.interrupted


def test_deterministic_order_whatever_the_concurrency(local_web: LocalWeb) -> None:
    one = crawl(settings_for(local_web, SHOP, phases=(Phase.NONE,), concurrency=1))
    four = crawl(settings_for(local_web, SHOP, phases=(Phase.NONE,), concurrency=4))
    assert [p.url for p in one.scan.phases[0].pages] == PAGES
    assert [p.url for p in four.scan.phases[0].pages] == PAGES
    other = crawl(settings_for(local_web, SHOP, phases=(Phase.NONE,), seed=7, max_depth=1))
    depth1 = [p.url for p in other.scan.phases[0].pages]
    assert sorted(depth1) == sorted(PAGES[:6])
    assert depth1[1] == "https://www.shop.test/privacy"  # policy links stay first
    assert depth1 != PAGES[:6]  # another seed, another (still deterministic) order


def test_budget_depth_include_exclude(local_web: LocalWeb) -> None:
    budget = crawl(settings_for(local_web, SHOP, phases=(Phase.NONE,), max_pages=3))
    assert [p.url for p in budget.scan.phases[0].pages] == PAGES[:3]
    shallow = crawl(settings_for(local_web, SHOP, phases=(Phase.NONE,), max_depth=0, sitemap=False))
    assert [p.url for p in shallow.scan.phases[0].pages] == [SHOP]
    only = crawl(
        settings_for(
            local_web, SHOP, phases=(Phase.NONE,), include=("/products",), exclude=("reviews",)
        )
    )
    assert [p.url for p in only.scan.phases[0].pages] == [
        SHOP,
        "https://www.shop.test/products",
        "https://www.shop.test/products/1",
        "https://www.shop.test/products/2",
    ]
