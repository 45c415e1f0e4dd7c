"""Which pages a crawl visits, in which order: pure functions on URLs and link texts.

A level of the crawl is the links found on the previous level (the start URL's level also gets
`sitemap.xml`). Its targets are the links of the crawled site (by registrable domain) that are
http(s), allowed by --include/--exclude and not seen before; policy links come first, then a
shuffle of the sorted rest seeded by (seed, depth): two crawls with the same seed visit the
same pages in the same order, whatever the concurrency.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scanner.domains import normalise_url, site_of
from scanner.policy import policy_link_kind

_LOC = re.compile(r"<(?:\w+:)?loc>\s*([^<]{1,2000}?)\s*</(?:\w+:)?loc>")
MAX_SITEMAP_URLS = 1000


@dataclass(frozen=True)
class Target:
    """A page to visit: its URL, its link depth, and the kind of policy page it links to."""

    url: str
    depth: int
    policy_kind: str | None = None


def order_links(
    links: Iterable[tuple[str, str]],
    *,
    site: str,
    depth: int,
    seen: Set[str],
    seed: int,
    allowed: Callable[[str], bool] = lambda _url: True,
) -> list[Target]:
    """The next level's targets from (href, link text) pairs, deterministic (see module)."""
    texts: dict[str, str] = {}
    for href, text in links:
        url = normalise_url(href)
        if url in seen or url in texts or urlsplit(url).scheme not in ("http", "https"):
            continue
        if site_of(url) != site or not allowed(url):
            continue
        texts[url] = text
    urls = sorted(texts)
    random.Random(f"{seed}:{depth}").shuffle(urls)
    targets = [Target(u, depth, policy_link_kind(u, texts[u])) for u in urls]
    return sorted(targets, key=lambda t: t.policy_kind is None)  # stable: policy links first


def sitemap_url(start_url: str) -> str:
    parts = urlsplit(start_url)
    return f"{parts.scheme}://{parts.netloc}/sitemap.xml"


def sitemap_locs(body: str, sitemap: str) -> list[str]:
    """The `<loc>` URLs of a sitemap body, absolute, at most MAX_SITEMAP_URLS.

    A regular expression, not an XML parser: the body is untrusted (no entity expansion).
    """
    locs = [html.unescape(m.strip()) for m in _LOC.findall(body)]
    return [urljoin(sitemap, loc) for loc in locs if loc][:MAX_SITEMAP_URLS]
