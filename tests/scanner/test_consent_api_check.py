"""The banner -> consent API loop, end to end: our real banner.js, the real Flask API, the crawler.

One LocalWeb serves every fixture site plus the consent API (consent.api.test, SQLite in a
temporary folder) and three shops that load banner.js from it, each registered as its own site:

- `www.ca-good.test`: the banner as shipped. Every click leaves the record it should.
- `www.ca-bad.test`: the site's own script rewrites the banner's posts (a broken integration):
  "reject all" goes out as `custom` granting analytics (the API records it: a contradiction),
  "accept all" as `accept_all` refusing marketing (the API refuses it: 422).
- `www.ca-silent.test`: the site's script swallows the posts (answers the banner itself): no
  record at all.

Each shop is scanned once (reject and accept phases, two pages) through `scan_site`, with
`--consent-api` and an admin key: the good shop's own key, the bad shop's with the good shop's
key (refused: nothing read back, the posts are judged as sent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from consent_api.db import State
from consent_api.sites import create_admin_key, create_site
from scanner.demo.server import LocalWeb, WSGIApp
from scanner.model import Phase, PhaseResult, ReadBack, Scan
from scanner.pipeline import scan_site
from tests.consent_api.conftest import make_app
from tests.fixtureweb import all_sites
from tests.scanner.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("consent-api-check")]

API = "https://consent.api.test"
GA = "https://www.googletagmanager.com/gtag/js?id=G-CAPI"

#: the bad shop's script: rewrites the banner's consent posts before they leave
TAMPER = """<script>(() => { const real = window.fetch;
window.fetch = (url, init) => {
  if (String(url).endsWith('/consents') && init && init.body) {
    const b = JSON.parse(init.body);
    if (b.action === 'reject_all') { b.action = 'custom'; b.choices.analytics = true; }
    else if (b.action === 'accept_all') { b.choices.marketing = false; }
    init = Object.assign({}, init, {body: JSON.stringify(b)});
  }
  return real(url, init); }; })();</script>"""

#: the silent shop's script: answers the banner's posts itself, nothing reaches the API
SWALLOW = """<script>(() => { const real = window.fetch;
window.fetch = (url, init) => String(url).endsWith('/consents')
  ? Promise.resolve(new Response('{}', {status: 201}))
  : real(url, init); })();</script>"""


def _page(key: str, head: str) -> bytes:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Shop</title>"
        f"{head}<script src='{API}/banner.js' data-site-key='{key}' data-api='{API}' defer>"
        "</script></head><body><h1>Shop</h1><p>We use cookies. <a href='/about'>About</a></p>"
        f"<script type='text/plain' data-category='analytics' src='{GA}'></script>"
        "</body></html>"
    ).encode()


def _shop(key: str, head: str) -> WSGIApp:
    body = _page(key, head)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") in {"/", "/about"}:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


@dataclass
class Shop:
    key: str
    admin_key: str
    scan: Scan | None = None


SHOPS = {"good": "", "bad": TAMPER, "silent": SWALLOW}


async def _scan_all(web: LocalWeb, shops: dict[str, Shop], out: Path) -> None:
    async with async_playwright() as pw:
        for name, shop in shops.items():
            key = shops["good"].admin_key if name == "bad" else shop.admin_key
            settings = settings_for(
                web,
                f"https://www.ca-{name}.test/",
                max_pages=2,
                banner_timeout=8.0,
                phases=(Phase.REJECT, Phase.ACCEPT),
                consent_api=API,
                consent_api_key=key,
            )
            output = await scan_site(pw, settings, settings.urls[0], out / name)
            shop.scan = output.scan


@pytest.fixture(scope="module")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Shop]]:
    folder = tmp_path_factory.mktemp("consent-api-check")
    app = make_app(f"sqlite:///{folder / 'consent.db'}")
    state = app.extensions["consent_api"]
    assert isinstance(state, State)
    shops: dict[str, Shop] = {}
    with state.engine.begin() as conn:
        for name in SHOPS:
            view = create_site(conn, {"name": name, "origins": [f"https://www.ca-{name}.test"]})
            shops[name] = Shop(view.site_key, create_admin_key(conn, view.id, "scan test"))
    sites: dict[str, WSGIApp] = {
        **all_sites(),
        "consent.api.test": app.wsgi_app,
        **{f"www.ca-{n}.test": _shop(shops[n].key, head) for n, head in SHOPS.items()},
    }
    try:
        with LocalWeb(sites) as web:
            asyncio.run(_scan_all(web, shops, folder))
        yield shops
    finally:
        state.close()


def phase(shop: Shop, name: Phase) -> PhaseResult:
    assert shop.scan is not None
    return next(p for p in shop.scan.phases if p.name is name)


def rules(shop: Shop) -> set[tuple[str, str]]:
    assert shop.scan is not None
    return {
        (f.rule_id, f.evidence[0].phase.value if f.evidence[0].phase else "")
        for f in shop.scan.findings
        if f.rule_id.startswith("consent-record-")
    }


def test_good_banner_records_read_back(shops: dict[str, Shop]) -> None:
    shop = shops["good"]
    for which, action, granted in (
        (Phase.REJECT, "reject_all", False),
        (Phase.ACCEPT, "accept_all", True),
    ):
        result = phase(shop, which)
        assert result.banner.status.value == "succeeded", result.banner
        use = result.consent_api
        assert use is not None and (use.api, use.site_key) == (API, shop.key)
        assert use.categories == ["necessary", "analytics", "marketing"]
        assert use.required == ["necessary"]
        (post,) = use.posts
        assert post.status == 201 and post.error is None and post.action == action
        assert post.seq is not None and post.hash and len(post.hash) == 64
        assert post.read_back is ReadBack.FOUND, post.read_error
        assert post.stored is not None and post.stored.hash == post.hash
        assert post.stored.choices == {
            "necessary": True,
            "analytics": granted,
            "marketing": granted,
        }
    assert rules(shop) == set()
    # the cookies follow the click: analytics only after "accept all"
    assert {c.name for c in phase(shop, Phase.REJECT).cookies} == {"ca_consent"}
    assert {"ca_consent", "_ga", "_ga_CAPI"} <= {c.name for c in phase(shop, Phase.ACCEPT).cookies}


def test_rewritten_posts_contradict_or_fail(shops: dict[str, Shop]) -> None:
    shop = shops["bad"]
    (reject,) = phase(shop, Phase.REJECT).consent_api.posts  # type: ignore[union-attr]
    assert reject.status == 201 and reject.action == "custom"
    assert reject.choices["analytics"] is True
    (accept,) = phase(shop, Phase.ACCEPT).consent_api.posts  # type: ignore[union-attr]
    assert accept.status == 422 and accept.error == "inconsistent_choices"
    assert accept.seq is None
    # the good shop's admin key is refused for this site: nothing read back, and it says why
    assert reject.read_back is ReadBack.ERROR and "refused" in (reject.read_error or "")
    assert rules(shop) == {
        ("consent-record-contradicts-click", "reject"),
        ("consent-record-failed", "accept"),
    }
    assert shop.scan is not None
    finding = next(f for f in shop.scan.findings if f.rule_id == "consent-record-contradicts-click")
    assert "analytics" in finding.explanation and "custom" in finding.explanation
    assert finding.subject == f"{shop.key}@consent.api.test"


def test_swallowed_posts_leave_no_record(shops: dict[str, Shop]) -> None:
    shop = shops["silent"]
    for which in (Phase.REJECT, Phase.ACCEPT):
        use = phase(shop, which).consent_api
        assert use is not None and use.posts == []  # the banner's /config was seen, no post
    assert rules(shop) == {
        ("consent-record-missing", "reject"),
        ("consent-record-missing", "accept"),
    }
