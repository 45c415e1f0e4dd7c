"""The dashboard's browser tests share one world per module: the composed app (consent API +
dashboard) on a fresh SQLite file, served with the banner test page and a tracker on the local
HTTPS web, and one Chromium. Helpers sign in through the real form, run axe-core and save
screenshots (under results/dashboard-screenshots, ignored by git) to look at."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from markupsafe import escape
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from dashboard import accounts
from dashboard.accounts import Role
from database import write_transaction
from scanner.browser import find_chromium, launch_args
from scanner.demo.server import LocalWeb, WSGIApp
from tests.consent_api.banner_pages import (
    API,
    API_HOST,
    PAGE_HOST,
    TRACKER_HOST,
    Tracker,
    page_site,
)
from tests.dashboard.conftest import close_app, make_app

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "results" / "dashboard-screenshots"
DASHBOARD = f"{API}/dashboard"
PASSWORD = "correct horse battery staple"
PHONE: ViewportSize = {"width": 390, "height": 844}

#: a visitor's page with nothing but the real banner (no held-back scripts to wait for), so a
#: test can record thousands of choices through the banner's own buttons in seconds
STATS_HOST = "www.stats-shop.test"
STATS_ORIGIN = f"https://{STATS_HOST}"
STATS_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Stats shop</title><script src="{api}/banner.js" data-site-key="{key}" data-api="{api}"
defer></script></head><body><h1>Stats shop</h1></body></html>"""


def stats_shop() -> Flask:
    shop = Flask("stats-shop")

    @shop.get("/")
    def home() -> Response:
        lang, key = request.args.get("lang", "en"), request.args.get("key", "")
        html = STATS_PAGE.format(lang=escape(lang), key=escape(key), api=API)
        return Response(html, mimetype="text/html")

    return shop


@dataclass
class World:
    app: Flask
    web: LocalWeb
    browser: Browser
    tracker: Tracker
    users: dict[Role, str] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.extensions["consent_api"].engine


def make_world(tmp: Path, extra_sites: dict[str, WSGIApp] | None = None) -> Iterator[World]:
    app = make_app(f"sqlite:///{tmp / 'cookie-audit.db'}")
    tracker = Tracker()
    sites: dict[str, WSGIApp] = {
        PAGE_HOST: page_site().wsgi_app,
        API_HOST: app.wsgi_app,
        TRACKER_HOST: tracker.app.wsgi_app,
        STATS_HOST: stats_shop().wsgi_app,
        **(extra_sites or {}),
    }
    names = {Role.VIEWER: "vera", Role.EDITOR: "eddie", Role.ADMIN: "ada"}
    with write_transaction(app.extensions["consent_api"].engine) as conn:
        for role, name in names.items():
            accounts.add_user(conn, name, PASSWORD, role)
    with LocalWeb(sites) as web, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=find_chromium(p),
            args=launch_args(resolve=web.resolve),
        )
        try:
            yield World(app, web, browser, tracker, names)
        finally:
            browser.close()
            close_app(app)


@dataclass
class Watched:
    """Console messages a page printed: a CSP violation shows there."""

    messages: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Refused to" in m]


def new_context(world: World, **options: Any) -> BrowserContext:
    ctx = world.browser.new_context(ignore_https_errors=True, **options)
    ctx.set_default_timeout(15_000)
    return ctx


def watched_page(context: BrowserContext) -> tuple[Page, Watched]:
    page = context.new_page()
    seen = Watched()
    page.on("console", lambda m: seen.messages.append(m.text))
    page.on("pageerror", lambda e: seen.messages.append(str(e)))
    return page, seen


def sign_in(page: Page, name: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(DASHBOARD + path)
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("form button.primary")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA)."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # CDP evaluation: not blocked by the CSP
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=1)


def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_the_viewport(page: Page) -> bool:
    """No horizontal scrolling of the page itself (wide tables scroll in their own box)."""
    return bool(
        page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    )
