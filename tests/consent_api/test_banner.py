"""The reference banner (banner.js) in real Chromium against the real Flask API.

One LocalWeb serves the first-party page (www.banner-demo.test), a tracker CDN and the API
(consent.api.test, SQLite in a temporary directory); one Chromium serves the whole module and
each test opens a fresh context (an empty cookie jar and cache). Every test registers its own site
so records, impressions and tracker hits are its own. Records are checked through the API (the
public choice endpoint and the admin export), not through the page.
"""

from __future__ import annotations

import json
import os
import re
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from consent_api.db import State
from consent_api.scripts import adapter_source
from consent_api.sites import create_admin_key, create_site
from scanner.browser import find_chromium, launch_args
from scanner.demo.server import LocalWeb
from tests.consent_api.banner_pages import (
    API_HOST,
    PAGE_HOST,
    PAGE_ORIGIN,
    TRACKER_HOST,
    Tracker,
    page_site,
)
from tests.consent_api.conftest import make_app

#: One worker runs the whole module, so one Chromium serves it.
pytestmark = pytest.mark.xdist_group("banner")

BANNER = Path(__file__).resolve().parents[2] / "consent_api" / "static" / "banner.js"
SEVEN = {
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
}
GPC_SCRIPT = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl',"
    " {get: () => true, configurable: true});"
)


@dataclass
class World:
    web: LocalWeb
    app: Flask
    client: FlaskClient
    tracker: Tracker
    browser: Browser


@dataclass
class Site:
    """One registered site and its admin key, with helpers that read its records via the API."""

    world: World
    key: str
    admin_key: str

    def url(self, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"key": self.key, **params}.items())
        return f"{PAGE_ORIGIN}/?{query}"

    def latest(self, consent_id: str) -> dict[str, Any]:
        response = self.world.client.get(f"/v1/sites/{self.key}/consents/{consent_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert isinstance(body, dict)
        return body

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        return self.world.client.open(
            f"/v1/admin/sites/{self.key}{path}", method=method, headers=headers, **kwargs
        )

    def records(self) -> list[dict[str, Any]]:
        response = self.admin("GET", "/export?format=jsonl")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line]

    def shown(self) -> int:
        response = self.admin("GET", "/stats")
        assert response.status_code == 200
        return sum(period["impressions"] for period in response.get_json()["periods"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = tmp_path_factory.mktemp("banner") / "consent.db"
    app = make_app(f"sqlite:///{db}")
    tracker = Tracker()
    sites = {
        PAGE_HOST: page_site().wsgi_app,
        API_HOST: app.wsgi_app,
        TRACKER_HOST: tracker.app.wsgi_app,
    }
    with LocalWeb(sites) as web, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=find_chromium(p),
            args=launch_args(resolve=web.resolve),
        )
        try:
            yield World(web, app, app.test_client(), tracker, browser)
        finally:
            browser.close()
            state = app.extensions["consent_api"]
            assert isinstance(state, State)
            state.close()


@pytest.fixture
def site(world: World) -> Site:
    state = world.app.extensions["consent_api"]
    assert isinstance(state, State)
    with state.engine.begin() as conn:
        view = create_site(conn, {"name": "Banner demo", "origins": [PAGE_ORIGIN]})
        admin_key = create_admin_key(conn, view.id, "banner test")
    return Site(world, view.site_key, admin_key)


@pytest.fixture
def context(world: World) -> Iterator[BrowserContext]:
    ctx = world.browser.new_context(ignore_https_errors=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@dataclass
class PageLog:
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


LOGS: weakref.WeakKeyDictionary[Page, PageLog] = weakref.WeakKeyDictionary()


def logged_page(context: BrowserContext) -> Page:
    """A new page whose script errors and requested URLs are kept (see errors_of, requests_of)."""
    page = context.new_page()
    log = LOGS[page] = PageLog()
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))
    return page


def errors_of(page: Page) -> list[str]:
    return LOGS[page].errors


def requests_of(page: Page) -> list[str]:
    return LOGS[page].requests


def open_page(context: BrowserContext, url: str) -> Page:
    page = logged_page(context)
    page.goto(url)
    page.wait_for_function("() => window.CookieAuditConsent")
    page.evaluate("() => CookieAuditConsent.ready")
    return page


def receipt_of(page: Page) -> dict[str, Any]:
    receipt = page.evaluate("() => CookieAuditConsent.sent")
    assert isinstance(receipt, dict) and "seq" in receipt, receipt
    assert set(receipt) == {"seq", "consent_id", "recorded_at", "hash", "checkpoint"}
    return receipt


def consent_cookie(context: BrowserContext) -> dict[str, Any]:
    cookies = [c for c in context.cookies() if c["name"] == "ca_consent"]
    assert len(cookies) == 1
    cookie = cookies[0]
    assert cookie["domain"] == PAGE_HOST  # first-party, host-only
    assert cookie["path"] == "/"
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is True
    days = (cookie["expires"] - time.time()) / 86400
    assert 181 < days <= 182
    value = json.loads(unquote(cookie["value"]))
    assert isinstance(value, dict)
    return value


def consent_commands(page: Page) -> list[list[Any]]:
    layer = page.evaluate("() => window.dataLayer.map(a => Array.from(a))")
    return [entry for entry in layer if entry and entry[0] == "consent"]


def assert_ran(page: Page, expected: list[str]) -> None:
    page.wait_for_function(f"() => window.__order.length >= {len(expected)}")
    assert page.evaluate("() => window.__order") == expected


ALL_ANALYTICS = ["analytics-1", "tracker", "analytics-2 after tracker=true"]


@pytest.mark.browser
def test_first_layer_is_an_accessible_dialog_with_equal_buttons(
    site: Site, context: BrowserContext
) -> None:
    page = open_page(context, site.url())
    banner = page.locator("#ca-banner")
    assert banner.is_visible()
    assert banner.get_attribute("role") == "dialog"
    title = page.locator("#" + (banner.get_attribute("aria-labelledby") or "missing"))
    assert title.text_content() == "Your choice about cookies"
    buttons = [page.locator(f"#ca-{name}") for name in ("accept", "reject", "customise")]
    assert [b.text_content() for b in buttons] == ["Accept all", "Reject all", "Customise"]
    boxes = [b.bounding_box() for b in buttons]
    assert all(box is not None for box in boxes)
    sizes = {(round(b["width"], 1), round(b["height"], 1)) for b in boxes if b}
    assert len(sizes) == 1, sizes
    style = (
        "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, s.fontSize,"
        " s.fontWeight, s.borderTopWidth, s.borderTopColor, s.padding] }"
    )
    assert len({json.dumps(b.evaluate(style)) for b in buttons}) == 1
    rects = page.evaluate(
        "() => ['accept', 'reject', 'customise'].map(n => {"
        " const r = document.getElementById('ca-' + n).getBoundingClientRect();"
        " return [r.width, r.height] })"
    )
    assert len({tuple(r) for r in rects}) == 1
    page.set_viewport_size({"width": 390, "height": 800})  # stacked on a phone, still equal
    stacked = [b.bounding_box() for b in buttons]
    assert len({(round(b["width"], 1), round(b["height"], 1)) for b in stacked if b}) == 1
    assert len({round(b["x"], 1) for b in stacked if b}) == 1
    # Nothing optional before a choice; the strictly necessary script runs at once.
    assert_ran(page, ["necessary"])
    assert page.evaluate("() => window.__analyticsRan") is None
    assert world_hits(site, "/t.js") == 0
    assert page.locator("a[href='/cookies']").text_content() == "Cookie policy"
    # The second layer: one switch per category from the configuration.
    assert not page.locator("#ca-prefs").is_visible()
    page.click("#ca-customise")
    assert page.locator("#ca-customise").get_attribute("aria-expanded") == "true"
    assert page.locator("#ca-prefs").is_visible()
    necessary = page.locator("#ca-cat-necessary")
    assert necessary.is_checked() and necessary.is_disabled()
    for cid in ("analytics", "marketing"):
        toggle = page.locator(f"#ca-cat-{cid}")
        assert not toggle.is_checked() and toggle.is_enabled()
    assert page.locator("label[for='ca-cat-analytics']").text_content() == (
        "Audience measurementHelp us understand how the site is used."
    )
    eventually(page, lambda: site.shown() == 1)  # the impression was posted
    assert errors_of(page) == []


def eventually(page: Page, check: Callable[[], bool], timeout: float = 5.0) -> None:
    """For effects of requests the page sends without waiting for them (impressions)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        page.wait_for_timeout(25)


def world_hits(site: Site, path: str) -> int:
    return site.world.tracker.count(site.key, path)


@pytest.mark.browser
def test_reject_stores_reject_all_and_runs_nothing(site: Site, context: BrowserContext) -> None:
    page = open_page(context, site.url())
    page.click("#ca-reject")
    receipt = receipt_of(page)
    assert not page.locator("#ca-banner").count()
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "reject_all"
    assert record["choices"] == {"necessary": True, "analytics": False, "marketing": False}
    assert record["policy_version"] == "1" and record["banner_revision"] == 1
    stored = consent_cookie(context)
    assert stored["consent_id"] == receipt["consent_id"]
    assert stored["choices"] == record["choices"]
    assert stored["policy_version"] == "1" and stored["banner_revision"] == 1
    assert re.fullmatch(r"[0-9a-f-]{36}", stored["consent_id"])
    assert_ran(page, ["necessary"])
    assert page.evaluate("() => [window.__analyticsRan, window.__marketingRan]") == [None, None]
    assert page.locator("iframe[data-src]").count() == 1
    assert world_hits(site, "/t.js") == 0 and world_hits(site, "/frame") == 0
    assert not any(c["name"] == "_tr" for c in context.cookies())
    (exported,) = site.records()
    assert exported["page_url"] == f"{PAGE_ORIGIN}/"  # no query string (may hold personal data)
    assert exported["language"] == "en"
    assert exported["gpc"] is False
    commands = consent_commands(page)
    assert [c[1] for c in commands] == ["default", "update"]
    default, update = commands[0][2], commands[1][2]
    assert set(default) == SEVEN and set(update) == SEVEN
    assert {k for k, v in update.items() if v == "granted"} == {
        "functionality_storage",
        "security_storage",
    }


@pytest.mark.browser
def test_accept_runs_held_back_scripts_in_order_and_reload_restores_silently(
    site: Site, context: BrowserContext
) -> None:
    page = open_page(context, site.url())
    hits_before = world_hits(site, "/t.js")
    page.click("#ca-accept")
    receipt = receipt_of(page)
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "accept_all"
    assert record["choices"] == {"necessary": True, "analytics": True, "marketing": True}
    assert_ran(page, ["necessary", *ALL_ANALYTICS, "marketing"])
    assert page.evaluate("() => window.__trackerAttr") == "kept"  # attributes are carried over
    assert world_hits(site, "/t.js") == hits_before + 1
    page.wait_for_function("() => document.querySelector('iframe[title=ad]').src")
    update = consent_commands(page)[-1]
    assert update[1] == "update"
    assert all(v == "granted" for k, v in update[2].items() if k != "personalization_storage")
    assert consent_cookie(context)["choices"]["marketing"] is True

    # A reload: no banner, the stored choice is applied, nothing new is recorded.
    eventually(page, lambda: site.shown() == 1)
    sent_before = len(requests_of(page))
    page.reload()
    page.evaluate("() => CookieAuditConsent.ready")
    assert page.locator("#ca-banner").count() == 0
    assert_ran(page, [*ALL_ANALYTICS, "marketing", "necessary"])  # all at once: document order
    assert page.evaluate("() => CookieAuditConsent.getChoice().consent_id") == record["consent_id"]
    assert len(site.records()) == 1
    after = requests_of(page)[sent_before:]
    assert any(u.endswith("/config") for u in after)
    assert not any(u.endswith(("/impressions", "/consents")) for u in after)
    assert site.shown() == 1
    assert [c[1] for c in consent_commands(page)] == ["default", "update"]
    assert errors_of(page) == []


@pytest.mark.browser
def test_policy_version_bump_asks_again_under_the_same_consent_id(
    site: Site, world: World, context: BrowserContext
) -> None:
    page = open_page(context, site.url())
    page.click("#ca-accept")
    first = receipt_of(page)
    response = site.admin("PATCH", "", json={"policy_version": "2"})
    assert response.status_code == 200, response.get_data(as_text=True)
    # A later visit (a new context with the same cookies: the config is cacheable for 60 s).
    later = world.browser.new_context(
        ignore_https_errors=True, storage_state=context.storage_state()
    )
    try:
        page = open_page(later, site.url())
        assert page.locator("#ca-banner").is_visible()
        assert_ran(page, ["necessary"])  # the old consent no longer counts
        page.click("#ca-customise")
        page.check("#ca-cat-analytics")
        page.click("#ca-save")
        second = receipt_of(page)
        assert second["consent_id"] == first["consent_id"]
        record = site.latest(first["consent_id"])
        assert record["action"] == "custom"
        assert record["policy_version"] == "2"
        assert record["choices"] == {"necessary": True, "analytics": True, "marketing": False}
        assert_ran(page, ["necessary", *ALL_ANALYTICS])
        assert page.evaluate("() => window.__marketingRan") is None
        update = consent_commands(page)[-1][2]
        assert update["analytics_storage"] == "granted" and update["ad_storage"] == "denied"
        history = world.client.get(f"/v1/sites/{site.key}/consents/{first['consent_id']}/history")
        assert [r["policy_version"] for r in history.get_json()["records"]] == ["1", "2"]
    finally:
        later.close()


@pytest.mark.browser
def test_global_privacy_control_records_gpc_without_a_banner(site: Site, world: World) -> None:
    context = world.browser.new_context(
        ignore_https_errors=True, extra_http_headers={"Sec-GPC": "1"}
    )
    try:
        context.add_init_script(GPC_SCRIPT)
        page = open_page(context, site.url())
        receipt = receipt_of(page)
        assert page.locator("#ca-banner").count() == 0
        record = site.latest(receipt["consent_id"])
        assert record["action"] == "gpc"
        assert record["choices"] == {"necessary": True, "analytics": False, "marketing": False}
        (exported,) = site.records()
        assert exported["gpc"] is True  # the Sec-GPC header reached the API
        assert_ran(page, ["necessary"])
        assert world_hits(site, "/t.js") == 0
        assert not any(u.endswith("/impressions") for u in requests_of(page))
        # The visitor may still opt in from the "manage cookies" link.
        page.click("#manage")
        assert page.locator("#ca-banner").is_visible()
        assert "Global Privacy Control" in (page.locator("#ca-text").text_content() or "")
        page.click("#ca-accept")
        assert receipt_of(page)["consent_id"] == receipt["consent_id"]
        assert site.latest(receipt["consent_id"])["action"] == "accept_all"
    finally:
        context.close()


@pytest.mark.browser
def test_manage_link_reopens_and_withdraw_is_recorded(site: Site, context: BrowserContext) -> None:
    page = open_page(context, site.url())
    page.click("#ca-accept")
    consent_id = receipt_of(page)["consent_id"]
    page.click("#manage")
    assert page.locator("#ca-banner").is_visible()
    page.click("#ca-customise")
    assert page.locator("#ca-cat-analytics").is_checked()  # the current choice is shown
    page.evaluate("() => CookieAuditConsent.withdraw()")
    receipt = receipt_of(page)
    assert receipt["consent_id"] == consent_id
    record = site.latest(consent_id)
    assert record["action"] == "withdraw"
    assert record["choices"] == {"necessary": True, "analytics": False, "marketing": False}
    assert consent_cookie(context)["choices"]["analytics"] is False
    assert consent_commands(page)[-1][2]["analytics_storage"] == "denied"
    assert [r["action"] for r in site.records()] == ["accept_all", "withdraw"]


def stored_cookie(**overrides: Any) -> str:
    value: dict[str, Any] = {
        "consent_id": "0b7a3c4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        "choices": {"necessary": True, "analytics": True, "marketing": True},
        "policy_version": "1",
        "banner_revision": 1,
        "ts": int(time.time() * 1000),
    }
    value.update(overrides)
    return quote(json.dumps(value, separators=(",", ":")))


DAY_MS = 86_400_000


@pytest.mark.browser
@pytest.mark.parametrize(
    ("cookie", "asked"),
    [
        pytest.param(stored_cookie(), False, id="fresh-choice-applies"),
        pytest.param(stored_cookie(ts=int(time.time() * 1000) - 183 * DAY_MS), True, id="6-months"),
        pytest.param(stored_cookie(policy_version="0"), True, id="old-policy"),
        pytest.param(stored_cookie(choices={"analytics": True}), True, id="new-category"),
        pytest.param("%7Bnot%20json", True, id="damaged"),
    ],
)
def test_stored_choice_counts_only_while_current(
    site: Site, context: BrowserContext, cookie: str, asked: bool
) -> None:
    context.add_cookies([{"name": "ca_consent", "value": cookie, "url": PAGE_ORIGIN + "/"}])
    page = open_page(context, site.url())
    assert (page.locator("#ca-banner").count() == 1) is asked
    if asked:
        assert_ran(page, ["necessary"])
        assert page.evaluate("() => CookieAuditConsent.getChoice()") is None
    else:
        assert_ran(page, [*ALL_ANALYTICS, "marketing", "necessary"])
    assert errors_of(page) == []


@pytest.mark.browser
def test_works_under_a_nonce_content_security_policy(site: Site, context: BrowserContext) -> None:
    """No 'unsafe-inline': the banner's style and the released inline scripts carry the nonce."""
    page = logged_page(context)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site.url(csp="1"))
    page.evaluate("() => CookieAuditConsent.ready")
    banner = page.locator("#ca-banner")
    assert banner.evaluate("e => getComputedStyle(e).position") == "fixed"  # its CSS applied
    page.click("#ca-accept")
    receipt_of(page)
    assert_ran(page, ["necessary", *ALL_ANALYTICS, "marketing"])
    assert violations == []


@pytest.mark.browser
def test_french_page_gets_french_texts(site: Site, context: BrowserContext) -> None:
    page = open_page(context, site.url(lang="fr-FR"))
    assert page.locator("#ca-accept").text_content() == "Tout accepter"
    assert page.locator("#ca-reject").text_content() == "Tout refuser"
    assert page.locator("#ca-customise").text_content() == "Personnaliser"
    page.click("#ca-customise")
    assert "Mesure d'audience" in (
        page.locator("label[for='ca-cat-analytics']").text_content() or ""
    )
    page.click("#ca-reject")
    receipt_of(page)
    (record,) = site.records()
    assert record["language"] == "fr-FR" and record["action"] == "reject_all"


@pytest.mark.browser
def test_unknown_site_key_shows_nothing_and_runs_nothing(
    world: World, context: BrowserContext
) -> None:
    page = open_page(context, f"{PAGE_ORIGIN}/?key=pk_unknown")
    assert page.locator("#ca-banner").count() == 0
    assert page.evaluate("() => window.__order") == []
    assert page.evaluate("() => CookieAuditConsent.getChoice()") is None


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("banner.js", 13_000),
        ("adapters/vanilla-cookieconsent.js", 5_000),
        ("adapters/klaro.js", 5_000),
        ("adapters/tarteaucitron.js", 5_000),
    ],
)
def test_scripts_are_small_and_never_turn_strings_into_markup_or_code(
    name: str, limit: int
) -> None:
    """As served: an adapter with the shared part put in."""
    if name.startswith("adapters/"):
        source = adapter_source(name.removeprefix("adapters/").removesuffix(".js"))
        assert "@shared" not in source and "function record(" in source
    else:
        source = (BANNER.parent / name).read_text()
    assert len(source.encode()) < limit
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert forbidden not in source, forbidden


# --- adapters, each with its real open-source banner served first-party from node_modules ---

NPM_DIR = Path(__file__).resolve().parents[2] / ".cache" / "npm" / "node_modules"
needs_npm = pytest.mark.skipif(
    not (NPM_DIR / "vanilla-cookieconsent").is_dir() and not os.environ.get("CI"),
    reason="npm banners not installed (scripts/test-setup.sh)",
)


def adapter_page(
    context: BrowserContext, site: Site, name: str, *, clock: bool = False, **params: str
) -> Page:
    page = logged_page(context)
    if clock:
        page.clock.install()
    query = "&".join(f"{k}={quote(v)}" for k, v in {"key": site.key, **params}.items())
    page.goto(f"{PAGE_ORIGIN}/adapter/{name}?{query}")
    page.wait_for_function("() => window.CookieAuditAdapter")
    return page


def adapter_receipt(page: Page) -> dict[str, Any]:
    receipt = page.evaluate("() => CookieAuditAdapter.sent")
    assert isinstance(receipt, dict) and "seq" in receipt, receipt
    return receipt


@pytest.mark.browser
@needs_npm
def test_vanilla_cookieconsent_adapter_posts_its_choices(
    site: Site, context: BrowserContext
) -> None:
    page = adapter_page(context, site, "vanilla-cookieconsent", map='{"ads":"marketing"}')
    page.locator("#cc-main [data-role=necessary]").first.click()
    receipt = adapter_receipt(page)
    cc_id = page.evaluate("() => CookieConsent.getCookie('consentId')")
    assert receipt["consent_id"] == cc_id  # the library's own id is the record's
    record = site.latest(cc_id)
    assert record["action"] == "reject_all"
    assert record["choices"] == {"necessary": True, "analytics": False, "marketing": False}
    eventually(page, lambda: site.shown() == 1)
    # A change from the preferences modal: analytics on, ads off.
    page.evaluate("() => CookieConsent.showPreferences()")
    page.locator("#cc-main .pm").wait_for()
    toggle = page.locator("#cc-main input[value=analytics]")
    toggle.evaluate("e => e.click()")  # the styled switch covers the input
    assert toggle.is_checked()
    page.locator("#cc-main [data-role=save]").click()
    page.wait_for_function(f"() => CookieAuditAdapter.sent.then(r => r.seq !== {receipt['seq']})")
    record = site.latest(cc_id)
    assert record["action"] == "custom"
    assert record["choices"] == {"necessary": True, "analytics": True, "marketing": False}
    page.evaluate("() => CookieConsent.acceptCategory('all')")
    page.wait_for_function("() => CookieAuditAdapter.sent.then(r => r && r.seq)")
    adapter_receipt(page)
    assert site.latest(cc_id)["choices"]["marketing"] is True
    assert [r["action"] for r in site.records()] == ["reject_all", "custom", "accept_all"]
    assert errors_of(page) == []


@pytest.mark.browser
@needs_npm
def test_klaro_adapter_posts_its_choices(site: Site, context: BrowserContext) -> None:
    page = adapter_page(context, site, "klaro")
    page.locator(".klaro .cookie-notice .cm-btn-success").click()
    receipt = adapter_receipt(page)
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "accept_all"
    assert record["choices"] == {"necessary": True, "analytics": True, "marketing": True}
    own = [c for c in context.cookies() if c["name"] == "ca_consent_id"]
    assert own and own[0]["value"] == receipt["consent_id"]
    eventually(page, lambda: site.shown() >= 1)
    # Klaro's modal: switch the ad network off and save.
    page.evaluate("() => klaro.show()")
    adnet = page.locator("#service-item-adnet")
    adnet.evaluate("e => e.click()")  # the styled switch covers the input
    assert not adnet.is_checked()
    page.locator(".klaro .cm-modal .cm-btn-accept").click()
    page.wait_for_function(f"() => CookieAuditAdapter.sent.then(r => r.seq !== {receipt['seq']})")
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "custom"
    assert record["choices"] == {"necessary": True, "analytics": True, "marketing": False}
    assert errors_of(page) == []


@pytest.mark.browser
@needs_npm
def test_tarteaucitron_adapter_posts_one_record_per_choice(
    site: Site, context: BrowserContext
) -> None:
    page = adapter_page(context, site, "tarteaucitron", clock=True)
    page.locator("#tarteaucitronAllDenied2").wait_for()
    page.clock.fast_forward(1000)  # tarteaucitron binds its buttons 500 ms after showing them
    page.locator("#tarteaucitronAllDenied2").click()
    receipt = adapter_receipt(page)
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "reject_all"
    assert record["choices"] == {"necessary": True, "analytics": False, "marketing": False}
    assert page.evaluate("() => [window.__statsRan, window.__adsRan]") == [None, None]
    eventually(page, lambda: site.shown() == 1)
    page.evaluate("() => tarteaucitron.userInterface.respondAll(true)")
    page.wait_for_function(f"() => CookieAuditAdapter.sent.then(r => r.seq !== {receipt['seq']})")
    record = site.latest(receipt["consent_id"])
    assert record["action"] == "accept_all"
    assert record["choices"] == {"necessary": True, "analytics": True, "marketing": True}
    assert page.evaluate("() => [window.__statsRan, window.__adsRan]") == [True, True]
    # respondAll writes one cookie per service: still one record per choice.
    assert [r["action"] for r in site.records()] == ["reject_all", "accept_all"]
