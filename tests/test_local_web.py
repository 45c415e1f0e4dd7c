"""The local web itself: routing, HTTPS, and third-party cookies in the scanner's profile."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import async_playwright

from scanner.browser import BrowserOptions, fresh_profile, host_resolver_rules, parse_resolve
from scanner.demo.server import LocalWeb


def test_resolve_parsing() -> None:
    assert parse_resolve("www.shop.test:443:127.0.0.1") == ("www.shop.test", 443, "127.0.0.1")
    assert parse_resolve("*:443:127.0.0.1:8443") == ("*", 443, "127.0.0.1:8443")
    assert host_resolver_rules(["a.test:443:10.0.0.1"]) == "MAP a.test 10.0.0.1, EXCLUDE localhost"
    for bad in ["a.test", "a.test:x:1.2.3.4", "a.test:0:1.2.3.4", ":443:1.2.3.4"]:
        with pytest.raises(ValueError, match="--resolve"):
            parse_resolve(bad)


@pytest.mark.browser
def test_fresh_profile_keeps_third_party_cookies(
    local_web: LocalWeb, browser_options: BrowserOptions
) -> None:
    async def visit() -> tuple[set[tuple[str, str]], bool, str]:
        async with async_playwright() as pw, fresh_profile(pw, browser_options) as context:
            page = await context.new_page()
            await page.goto("https://www.smoke.test/", wait_until="load")
            cookies = {(c["name"], c["domain"]) for c in await context.cookies()}
            webdriver = await page.evaluate("navigator.webdriver")
            return cookies, webdriver, await page.title()

    cookies, webdriver, title = asyncio.run(visit())
    assert title == "smoke"
    assert cookies == {("first", "www.smoke.test"), ("third", "widget.smoke-third.test")}
    assert webdriver is False
