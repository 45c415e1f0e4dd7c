"""Which pages a crawl visits and in which order: plain data, no browser."""

from __future__ import annotations

import pytest

from scanner.domains import normalise_url, registrable_domain, site_of
from scanner.frontier import MAX_SITEMAP_URLS, Target, order_links, sitemap_locs, sitemap_url


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.shop.test", "shop.test"),
        ("shop.test", "shop.test"),
        (".Shop.TEST", "shop.test"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("www.google-analytics.com", "google-analytics.com"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("", ""),
    ],
)
def test_registrable_domain(host: str, site: str) -> None:
    assert registrable_domain(host) == site


def test_site_of_and_normalise_url() -> None:
    assert site_of("https://www.beta.test:8443/x?y#z") == "beta.test"
    assert site_of("mailto:someone") == ""
    assert normalise_url("https://a.test/p?q=1#section") == "https://a.test/p?q=1"


LINKS = [
    ("https://www.beta.test/b2", "B two"),
    ("https://www.beta.test/b1#top", "B one"),
    ("https://www.beta.test/b1", "B one again"),  # same page as above
    ("https://shop.beta.test/cart", "cart"),  # same site, other host
    ("https://www.alpha.test/a1", "A one"),  # another site
    ("mailto:hello@beta.test", "mail"),
    ("javascript:void(0)", "js"),
    ("https://www.beta.test/legal/privacy", "Privacy"),
    ("https://www.beta.test/", "home"),  # seen
]


def test_order_links_keeps_the_crawled_sites_pages_policy_first() -> None:
    targets = order_links(LINKS, site="beta.test", depth=1, seen={"https://www.beta.test/"}, seed=0)
    assert targets[0] == Target("https://www.beta.test/legal/privacy", 1, "privacy")
    assert sorted(t.url for t in targets[1:]) == [
        "https://shop.beta.test/cart",
        "https://www.beta.test/b1",
        "https://www.beta.test/b2",
    ]
    assert all(t.policy_kind is None and t.depth == 1 for t in targets[1:])
    other_site = order_links(LINKS, site="alpha.test", depth=1, seen=set(), seed=0)
    assert [t.url for t in other_site] == ["https://www.alpha.test/a1"]


def test_order_links_is_a_seeded_shuffle_of_the_sorted_links() -> None:
    links = [(f"https://www.beta.test/p{n}", "") for n in range(30)]
    once = order_links(links, site="beta.test", depth=2, seen=set(), seed=3)
    assert once == order_links(list(reversed(links)), site="beta.test", depth=2, seen=set(), seed=3)
    other_seed = order_links(links, site="beta.test", depth=2, seen=set(), seed=4)
    other_depth = order_links(links, site="beta.test", depth=3, seen=set(), seed=3)
    assert [t.url for t in once] != [t.url for t in other_seed]
    assert [t.url for t in once] != [t.url for t in other_depth]
    assert sorted(t.url for t in once) == sorted(t.url for t in other_seed)


def test_order_links_applies_include_exclude() -> None:
    targets = order_links(
        LINKS, site="beta.test", depth=1, seen=set(), seed=0, allowed=lambda u: "/b" in u
    )
    assert sorted(t.url for t in targets) == [
        "https://www.beta.test/b1",
        "https://www.beta.test/b2",
    ]


def test_sitemap() -> None:
    assert sitemap_url("https://www.beta.test:8443/deep/page?x=1") == (
        "https://www.beta.test:8443/sitemap.xml"
    )
    body = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY boom "boom">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc> https://www.beta.test/a?x=1&amp;y=2 </loc></url>
      <url><image:loc>/relative</image:loc></url>
      <url><loc>&boom;</loc></url>
      <url><loc></loc></url>
    </urlset>"""
    locs = sitemap_locs(body, "https://www.beta.test/sitemap.xml")
    assert locs[:2] == ["https://www.beta.test/a?x=1&y=2", "https://www.beta.test/relative"]
    assert len(locs) == 3 and locs[2] != "https://www.beta.test/boom"  # no entity expansion
    many = "".join(f"<loc>/p{n}</loc>" for n in range(MAX_SITEMAP_URLS + 5))
    assert len(sitemap_locs(many, "https://www.beta.test/sitemap.xml")) == MAX_SITEMAP_URLS
