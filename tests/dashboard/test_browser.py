"""The dashboard in real Chromium: sign in, consent statistics after the real banner posted a
few thousand choices (equal to counts made on the ledger), keyboard-only use, axe-core on every
page, phone width, screenshots to look at."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import text

from consent_api.sites import create_admin_key, create_site
from database import write_transaction
from tests.dashboard.browser_world import (
    DASHBOARD,
    PHONE,
    STATS_ORIGIN,
    World,
    assert_accessible,
    fits_the_viewport,
    make_world,
    new_context,
    screenshot,
    sign_in,
    watched_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("dashboard")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from make_world(tmp_path_factory.mktemp("dashboard"))


#: visitors' choices on the banner page through the banner's own buttons: the banner is shown
#: once per five choices (one impression) and its buttons are clicked again after it closed
#: (their handlers still record the choice), so most choices cost one request
CLICKS = """([n, seed]) => {
  let x = seed;
  const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  const api = window.CookieAuditConsent;
  const by = (id) => document.getElementById(id);
  window.__done = (async () => {
    let b = null;
    for (let i = 0; i < n; i++) {
      if (i % 5 === 0) {
        api.show();
        b = {accept: by('ca-accept'), reject: by('ca-reject'), customise: by('ca-customise'),
             analytics: by('ca-cat-analytics'), save: by('ca-save')};
      }
      const r = rnd();
      if (r < 0.4) { b.accept.click(); }
      else if (r < 0.75) { b.reject.click(); }
      else if (r < 0.94) {
        if (rnd() < 0.5) { b.analytics.click(); }
        b.save.click();
      } else { api.withdraw(); }
      await api.sent;
    }
    return true;
  })();
}"""


def post_real_choices(world: World, site_key: str, batches: list[tuple[str, int]]) -> None:
    """One visitor page per (language, choices), all recording at the same time."""
    contexts = [new_context(world) for _ in batches]
    try:
        pages: list[Page] = []
        for (lang, n), context in zip(batches, contexts, strict=True):
            page = context.new_page()
            page.goto(f"{STATS_ORIGIN}/?key={site_key}&lang={lang}")
            page.wait_for_function("() => window.CookieAuditConsent")
            page.evaluate("() => CookieAuditConsent.ready")
            page.evaluate(CLICKS, [n, len(pages) + 1])
            pages.append(page)
        for page in pages:
            assert page.evaluate("() => window.__done") is True
    finally:
        for context in contexts:
            context.close()


def ledger_counts(world: World, site_id: int) -> dict[str, Counter[Any]]:
    with world.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT action, language, banner_revision FROM consent_records WHERE site_id = :s"
            ),
            {"s": site_id},
        ).all()
        shown = conn.execute(
            text("SELECT coalesce(sum(count), 0) FROM impressions WHERE site_id = :s"),
            {"s": site_id},
        ).scalar_one()
    return {
        "action": Counter(r[0] for r in rows),
        "language": Counter(r[1] or "" for r in rows),
        "revision": Counter(str(r[2]) for r in rows),
        "total": Counter({"records": len(rows), "shown": int(shown)}),
    }


def numbers_of_table(page: Any, heading_id: str) -> dict[str, list[str]]:
    """Rows of the table in the section titled ``heading_id``: first cell -> other cells."""
    rows = page.locator(f"section[aria-labelledby='{heading_id}'] table tbody tr")
    out = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("th, td").all_inner_texts()]
        out[cells[0]] = cells[1:]
    return out


def test_consent_statistics_equal_the_ledger_after_the_real_banner(world: World) -> None:
    with write_transaction(world.engine) as conn:
        site = create_site(conn, {"name": "Banner demo <b>shop</b>", "origins": [STATS_ORIGIN]})
        admin = create_admin_key(conn, site.id, "test")
    started = time.monotonic()
    post_real_choices(world, site.site_key, [("fr-FR", 700), ("en", 700)])
    client = world.app.test_client()
    patched = client.patch(
        f"/v1/admin/sites/{site.site_key}",
        json={"banner_revision": 2, "policy_version": "2"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert patched.status_code == 200
    post_real_choices(world, site.site_key, [("de", 600)])
    gpc = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
    for _ in range(3):  # visitors with Global Privacy Control: the banner records gpc by itself
        # such a browser also sends Sec-GPC: 1, which the API requires for action gpc
        context = new_context(world, extra_http_headers={"Sec-GPC": "1"})
        context.add_init_script(gpc)
        page = context.new_page()
        page.goto(f"{STATS_ORIGIN}/?key={site.site_key}&lang=en")
        page.wait_for_function("() => window.CookieAuditConsent")
        page.evaluate("() => CookieAuditConsent.ready.then(() => CookieAuditConsent.sent)")
        context.close()
    posting = time.monotonic() - started
    direct = ledger_counts(world, site.id)
    assert direct["total"]["records"] >= 1900, (direct, posting)
    assert direct["action"]["gpc"] == 3 and direct["action"]["withdraw"] > 0

    context = new_context(world)
    page, seen = watched_page(context)
    sign_in(page, "vera", path=f"/consent/{site.site_key}")
    assert page.locator("h1").inner_text() == "Consent statistics: Banner demo <b>shop</b>"
    kpis = {
        li.locator("span").inner_text(): li.locator("strong").inner_text()
        for li in page.locator(".kpis li").all()
    }
    assert int(kpis["choices recorded"]) == direct["total"]["records"]
    assert int(kpis["banner shown"]) == direct["total"]["shown"]
    labels = {
        "accept_all": "accept all",
        "reject_all": "reject all",
        "custom": "custom",
        "gpc": "GPC",
        "withdraw": "withdrawn",
    }
    for action, label in labels.items():
        assert int(kpis[label]) == direct["action"][action], label
    by_language = numbers_of_table(page, "split-language-title")
    assert {k: int(v[0]) for k, v in by_language.items()} == dict(direct["language"])
    by_revision = numbers_of_table(page, "split-banner_revision-title")
    assert {k: int(v[0]) for k, v in by_revision.items()} == dict(direct["revision"])
    assert not seen.csp_violations, seen.csp_violations
    assert_accessible(page)
    screenshot(page, "consent-statistics")
    page.select_option("#period", "week")
    page.click("form.filters button")
    page.wait_for_load_state()
    assert "period=week" in page.url
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert fits_the_viewport(page)
    screenshot(page, "consent-statistics-phone")
    with page.expect_download() as download:
        page.click("text=Download per week (CSV)")
    assert download.value.suggested_filename.endswith("-week.csv"), download.value.url
    context.close()


def test_sign_in_by_keyboard_only(world: World) -> None:
    context = new_context(world)
    page, seen = watched_page(context)
    page.goto(DASHBOARD + "/")
    assert "/login" in page.url
    assert_accessible(page)
    screenshot(page, "login")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => document.activeElement.id || document.activeElement.textContent.trim()"
            )
        )
        if order[-1] == "username":
            break
    assert order[-1] == "username", order
    page.keyboard.type("eddie")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(DASHBOARD) + r"/(#content)?$"))
    assert "eddie" in page.locator(".who").inner_text()
    # the account page and sign-out, still by keyboard
    page.locator("a", has_text="My account").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(DASHBOARD) + r"/account(#content)?$"))
    assert_accessible(page)
    page.locator("button", has_text="Sign out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    page.goto(DASHBOARD + "/account")
    assert "/login" in page.url
    assert not seen.csp_violations, seen.csp_violations
    context.close()


def test_french_and_phone_width(world: World) -> None:
    context = new_context(world, viewport=PHONE, locale="fr-FR")
    page, seen = watched_page(context)
    page.goto(DASHBOARD + "/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Connexion"
    assert fits_the_viewport(page)
    sign_in(page, "ada")
    assert fits_the_viewport(page)
    assert_accessible(page)
    screenshot(page, "overview-phone-fr")
    page.click("text=English")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert not seen.csp_violations, seen.csp_violations
    context.close()


@pytest.fixture(scope="module")
def demo_history(world: World) -> str:
    """Two runs of the demo shop through the audits' runner, real scans (the second after the
    plugin update), and visitors' choices posted to the consent API, stored the way `make run`
    stores them; plus a hostile site's run."""
    from dashboard.demo import run_demo
    from tests.dashboard.history_seed import add_audit, add_run
    from tests.reports.sample_scans import hostile_scan

    summary = run_demo(world.app, None, count=24)
    add_audit(world.engine, "hostile", "https://evil.example/")
    add_run(world.engine, "hostile", hostile_scan())
    return summary


def test_overview_site_and_what_changed_after_real_scans(world: World, demo_history: str) -> None:
    assert "tea-demo #2 (after the plugin update, scanned): succeeded" in demo_history
    context = new_context(world)
    page, seen = watched_page(context)
    sign_in(page, "vera")
    row = page.locator("table.overview tbody tr", has_text="tea-demo")
    assert row.count() == 1
    assert row.locator(".badge.changed").count() == 1  # the pixel now loads before consent
    assert row.locator("svg.spark").count() == 2
    assert "%" in row.locator("td.num").inner_text()  # 30-day acceptance from the ledger
    hostile = page.locator("table.overview tbody tr", has_text="hostile")
    assert hostile.count() == 1
    assert_accessible(page)
    screenshot(page, "overview")
    page.click("text=tea-demo")
    page.wait_for_url("**/sites/tea-demo")
    assert page.locator("h1").inner_text().startswith("tea-demo")
    assert page.locator("table.runs tbody tr").count() == 2
    assert page.locator("#cookie-table tbody tr").count() > 0
    assert_accessible(page)
    screenshot(page, "site")
    page.select_option("#from", "1")
    page.select_option("#to", "2")
    page.click("form[action$='/compare'] button")
    page.wait_for_url("**/compare?**")
    text = page.locator("main").inner_text()
    assert "_fbp" in text and "Requests to a tracker before any choice: Meta" in text, text[:3000]
    assert_accessible(page)
    screenshot(page, "compare")
    page.goto(DASHBOARD + "/sites/hostile")
    assert page.locator("text=<img src=x onerror=alert(1)>").count() > 0  # shown as text
    assert page.evaluate("() => window.__xss === undefined")
    assert_accessible(page)
    page.goto(DASHBOARD + "/sites/tea-demo/runs/2/report.html")
    assert page.locator("#verdict").count() == 1  # the full report renders under its own CSP
    assert not seen.csp_violations, seen.csp_violations
    context.close()


def test_editor_pages_by_keyboard_and_axe(world: World, demo_history: str) -> None:
    context = new_context(world)
    page, seen = watched_page(context)
    sign_in(page, "eddie", path="/manage/")
    assert_accessible(page)
    screenshot(page, "manage")
    page.locator("a", has_text="Add an audit").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/manage/new")
    assert_accessible(page)
    page.locator("#name").focus()
    page.keyboard.type("keyboard-site")
    page.keyboard.press("Tab")
    page.keyboard.type("https://www.keyboard.test/")
    page.locator("button.primary", has_text="Save").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sites/keyboard-site")
    assert "keyboard-site" in page.locator("h1").inner_text()
    screenshot(page, "audit-added")
    page.goto(DASHBOARD + "/manage/keyboard-site/edit")
    page.fill("#every", "every blue moon")
    page.click("button.primary")
    assert page.locator(".form-error").count() == 1
    assert_accessible(page)
    assert not seen.csp_violations, seen.csp_violations
    context.close()
