"""The HTML report in real Chromium: renders, sorts, filters, stays inert on hostile names.

Screenshots at 1280 and 390 px go to /tmp/report-shots/ for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

import reports
from scanner.browser import find_chromium, launch_args
from tests.reports.sample_scans import HOSTILE, before_after, hostile_scan, shop_scan

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/report-shots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(p), args=launch_args())
        yield b
        b.close()


@dataclass
class Seen:
    """What a report page did besides rendering: it should do none of it."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_report(
    browser: Browser, tmp_path: Path, data: bytes, width: int = 1280
) -> tuple[Page, Seen]:
    """Open the report as a file (as from an e-mail attachment), recording any dialog."""
    path = tmp_path / "report.html"
    path.write_bytes(data)
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen = Seen()

    def dismiss(dialog: Dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.goto(path.as_uri())
    return page, seen


def visible_names(page: Page) -> list[str]:
    return page.locator("#cookie-table tbody tr:not([hidden]) code.cookie-name").all_text_contents()


def test_report_renders_sorts_and_filters(browser: Browser, tmp_path: Path) -> None:
    page, seen = open_report(browser, tmp_path, reports.render(shop_scan(), "html"))
    assert page.title() == "Cookie audit of boutique-exemple.fr"
    assert page.locator("#cookie-controls").is_visible()
    assert page.locator("#cookie-count").text_content() == "Showing 8 of 8 cookies"
    assert seen.requests == [page.url]  # nothing fetched beyond the file itself

    page.get_by_role("button", name="Name").click()
    names = visible_names(page)
    assert names == sorted(names, key=str.lower)
    assert page.locator("#cookie-table th").first.get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="Name").click()
    assert visible_names(page) == sorted(names, key=str.lower, reverse=True)

    page.get_by_role("button", name="Lifetime").click()
    assert visible_names(page) == [
        "PHPSESSID",
        "YSC",
        "_fbp",
        "fr",
        "VISITOR_INFO1_LIVE",
        "klaro",
        "_ga",
        "_ga_ABC123",
    ]

    page.get_by_label("Filter cookies").fill("google")
    assert visible_names(page) == ["_ga", "_ga_ABC123"]
    assert page.locator("#cookie-count").text_content() == "Showing 2 of 8 cookies"
    page.get_by_label("Filter cookies").fill("")
    page.get_by_label("Category", exact=True).select_option("tracking")
    assert sorted(visible_names(page)) == ["VISITOR_INFO1_LIVE", "YSC", "_fbp", "fr"]
    page.get_by_label("Filter cookies").fill("youtube")
    assert sorted(visible_names(page)) == ["VISITOR_INFO1_LIVE", "YSC"]
    assert seen.errors == [] and seen.dialogs == []
    page.close()


def test_sort_and_filter_work_from_the_keyboard(browser: Browser, tmp_path: Path) -> None:
    page, _ = open_report(browser, tmp_path, reports.render(shop_scan(), "html", lang="fr"))
    page.get_by_label("Filtrer les cookies").focus()
    page.keyboard.type("meta")
    assert sorted(visible_names(page)) == ["_fbp", "fr"]
    page.get_by_role("button", name="Nom").focus()
    page.keyboard.press("Enter")
    assert visible_names(page) == ["_fbp", "fr"]
    page.keyboard.press("Space")
    assert visible_names(page) == ["fr", "_fbp"]
    assert page.locator("#cookie-count").text_content() == "2 cookies affichés sur 8"
    page.close()


def test_without_javascript_the_table_is_complete(browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    path = tmp_path / "nojs.html"
    path.write_bytes(reports.render(shop_scan(), "html"))
    page = context.new_page()
    page.goto(path.as_uri())
    assert len(visible_names(page)) == 8
    assert not page.locator("#cookie-controls").is_visible()
    context.close()


def test_hostile_names_never_run(browser: Browser, tmp_path: Path) -> None:
    page, seen = open_report(browser, tmp_path, reports.render(hostile_scan(), "html"))
    for element in page.locator("main td, main th, main code, main li, main dd").all():
        if element.is_visible():
            element.hover(force=True, timeout=2000)
    page.get_by_label("Filter cookies").fill("hyperlink")
    assert visible_names(page) == ['=HYPERLINK("https://evil.example")']
    page.get_by_label("Filter cookies").fill("<img src")  # every vendor name is hostile too
    assert len(visible_names(page)) == 4
    page.get_by_role("button", name="Vendor").click()
    page.wait_for_timeout(100)  # give any injected handler the chance to fire
    assert seen.dialogs == []
    assert seen.errors == []
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('*')].filter("
            "e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
        )
        == 0
    )
    assert page.get_by_text(HOSTILE, exact=True).first.is_visible()
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots(browser: Browser, tmp_path: Path, width: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    old, new = before_after()
    docs = {
        "scan-en": reports.render(shop_scan(), "html"),
        "scan-fr": reports.render(shop_scan(), "html", lang="fr"),
        "hostile": reports.render(hostile_scan(), "html"),
        "diff-en": reports.render_diff(reports.compare(old, new), "html"),
    }
    for name, data in docs.items():
        page, seen = open_report(browser, tmp_path, data, width=width)
        # nothing wider than the screen: wide tables scroll inside their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert seen.dialogs == [] and seen.errors == []
        page.close()


def test_print_layout_fits_an_a4_page(browser: Browser, tmp_path: Path) -> None:
    """Paper does not scroll: in print media every table fits A4's printable width."""
    page, _ = open_report(browser, tmp_path, reports.render(shop_scan(), "html"), width=703)
    page.emulate_media(media="print")
    assert not page.locator("#cookie-controls").is_visible()
    rights = page.evaluate(
        "[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 703
    page.close()
