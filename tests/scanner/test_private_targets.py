"""A scan refuses the pages of its own site that live on a private address (a sub-domain whose
name resolves to loopback or the LAN), unless `--allow-private` or `--resolve` names them.

`*.localhost` names resolve to loopback in Chromium and in the checks alike, without a DNS
server: `www.shop.localhost` is consented through `--resolve` (mapped to the local web), its
link to `intranet.shop.localhost` is not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from playwright.async_api import async_playwright

from scanner.browser import fresh_profile
from scanner.config import ScanSettings
from scanner.demo.server import LocalWeb
from scanner.model import Phase
from scanner.netguard import PrivateAddressGuard
from tests.scanner.conftest import crawl

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _page(body: str) -> App:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        html = body.replace("PORT", str(environ["SERVER_PORT"])).encode()
        start_response(
            "200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(html)))]
        )
        return [html]

    return app


def _scan_shop(shop: App, allow_private: bool) -> tuple[Any, list[str]]:
    """Phase `none` of `www.shop.localhost` (consented through `--resolve`) beside
    `intranet.shop.localhost` (not consented); the paths the intranet was asked for."""
    hits: list[str] = []
    intranet = _page("<title>intranet admin</title><p>internal</p>")

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        hits.append(environ.get("PATH_INFO", ""))
        return intranet(environ, start_response)

    with LocalWeb({"www.shop.localhost": shop, "intranet.shop.localhost": recording}) as web:
        settings = ScanSettings(
            urls=("https://www.shop.localhost/",),
            resolve=(f"www.shop.localhost:443:127.0.0.1:{web.port}",),
            ignore_https_errors=True,
            allow_private=allow_private,
            phases=(Phase.NONE,),
            max_depth=1,
            page_timeout=8.0,
            banner_timeout=1.0,
            dwell=0.0,
            sitemap=False,
        )
        return crawl(settings), hits


def _scan(allow_private: bool) -> tuple[Any, list[str]]:
    shop = _page(
        '<title>shop</title><a href="https://intranet.shop.localhost:PORT/admin">admin</a>'
        '<a href="/about">about</a>'
    )
    return _scan_shop(shop, allow_private)


def test_a_page_of_the_site_on_a_private_address_is_refused_not_visited() -> None:
    result, hits = _scan(allow_private=False)
    assert hits == []
    phase = result.scan.phases[0]
    refused = [s for s in phase.skipped if "intranet.shop.localhost" in s.url]
    assert len(refused) == 1 and "private" in refused[0].detail, phase.skipped
    assert "intranet admin" not in result.scan.to_json()
    assert {p.url for p in phase.pages} == {
        "https://www.shop.localhost/",
        "https://www.shop.localhost/about",
    }


def test_allow_private_visits_it() -> None:
    result, hits = _scan(allow_private=True)
    assert "/admin" in hits
    assert any("intranet.shop.localhost" in p.url for p in result.scan.phases[0].pages)


def _redirect(location: str) -> App:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = location.replace("PORT", str(environ["SERVER_PORT"]))
        start_response("302 Found", [("Location", target), ("Content-Length", "0")])
        return [b""]

    return app


def _script(body: str) -> App:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        js = body.replace("PORT", str(environ["SERVER_PORT"])).encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/javascript"), ("Content-Length", str(len(js)))],
        )
        return [js]

    return app


def _scan_reaching_out(allow_private: bool) -> tuple[Any, list[str]]:
    """A public page whose image lives on the intranet, whose worker fetches from it, and a
    link of the site that redirects there: none is a page the crawler chose to visit on a
    private host."""
    page = _page(
        '<title>shop</title><img src="https://intranet.shop.localhost:PORT/pixel.gif">'
        '<a href="/moved">moved</a><script>new Worker("/worker.js")</script>'
    )
    worker = _script('fetch("https://intranet.shop.localhost:PORT/from-worker")')
    moved = _redirect("https://intranet.shop.localhost:PORT/admin")
    paths = {"/moved": moved, "/worker.js": worker}

    def shop(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return paths.get(environ.get("PATH_INFO", ""), page)(environ, start_response)

    return _scan_shop(shop, allow_private)


def test_a_public_page_cannot_make_the_browser_reach_a_private_address() -> None:
    """Its sub-resources, its worker's requests and the hops of its redirects are refused like
    pages (Playwright's routing never sees a redirect hop: the browser's own interceptor
    does)."""
    result, hits = _scan_reaching_out(allow_private=False)
    assert hits == []
    assert "intranet admin" not in result.scan.to_json()
    notes = [n for n in result.scan.notes if "intranet.shop.localhost" in n]
    assert len(notes) == 1 and "refused" in notes[0], result.scan.notes
    moved = [s for s in result.scan.phases[0].skipped if s.url.endswith("/moved")]
    assert len(moved) == 1, result.scan.phases[0].skipped


def test_allow_private_lets_the_page_reach_it() -> None:
    _result, hits = _scan_reaching_out(allow_private=True)
    assert {"/pixel.gif", "/from-worker", "/admin"} <= set(hits), hits


def test_a_request_whose_check_fails_is_refused_not_left_waiting() -> None:
    """A paused request nobody answers would hang its page: when the check itself raises, the
    request is failed and the page loads without it."""
    hits: list[str] = []
    page_app = _page('<title>shop</title><img src="/pixel.gif">')

    def shop(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        hits.append(environ.get("PATH_INFO", ""))
        return page_app(environ, start_response)

    async def refused(url: str) -> str | None:
        if url.endswith("/pixel.gif"):
            raise RuntimeError("the check broke")
        return None

    async def visit(web: LocalWeb) -> tuple[str, PrivateAddressGuard]:
        settings = ScanSettings(
            urls=("https://www.shop.test/",), resolve=web.resolve, ignore_https_errors=True
        )
        options = settings.browser_options()
        async with async_playwright() as pw, fresh_profile(pw, options) as context:
            guard = PrivateAddressGuard(refused)
            await guard.install(context)
            page = await context.new_page()
            await page.goto("https://www.shop.test/", wait_until="load", timeout=15_000)
            return await page.title(), guard

    with LocalWeb({"www.shop.test": shop}) as web:
        title, guard = asyncio.run(visit(web))
    assert title == "shop"
    assert "/pixel.gif" not in hits and "/" in hits
    assert guard.refused["www.shop.test"][0] == "not checked: RuntimeError"
