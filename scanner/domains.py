"""Sites and URLs: which host belongs to which site, and which URL is the same page.

`registrable_domain` is the site of a host (eTLD+1 from the bundled public suffix list, offline);
it decides first vs third party and which links belong to the site being crawled.
"""

from __future__ import annotations

import functools
from urllib.parse import urldefrag, urlsplit

import tldextract


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """Offline public suffix list (the bundled copy): built once, never downloads."""
    return tldextract.TLDExtract(suffix_list_urls=())


def registrable_domain(host: str) -> str:
    """`www.shop.test` -> `shop.test`; falls back to the host itself (IPs, localhost)."""
    host = host.lstrip(".").lower()
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    # Unknown suffix (e.g. `.test`): the last two labels, unless the host is an IPv4 address.
    labels = [p for p in host.split(".") if p]
    if len(labels) >= 2 and not ext.suffix and not labels[-1].isdigit():
        return ".".join(labels[-2:])
    return host


def site_of(url: str) -> str:
    """The registrable domain of a URL's host ('' when it has none)."""
    return registrable_domain(urlsplit(url).hostname or "")


def normalise_url(url: str) -> str:
    """The page a URL names: the fragment is the same document."""
    return urldefrag(url)[0]
