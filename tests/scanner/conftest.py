"""Helpers for the crawler tests: settings that reach the local web, one crawl per call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scanner.config import ScanSettings
from scanner.crawl import Crawler, CrawlResult
from scanner.demo.server import LocalWeb


def settings_for(local_web: LocalWeb, url: str, **kw: Any) -> ScanSettings:
    kw.setdefault("page_timeout", 8.0)
    kw.setdefault("banner_timeout", 2.0)
    return ScanSettings(urls=(url,), resolve=local_web.resolve, ignore_https_errors=True, **kw)


def crawl(settings: ScanSettings) -> CrawlResult:
    from playwright.async_api import async_playwright

    async def run() -> CrawlResult:
        async with async_playwright() as pw:
            return await Crawler(pw, settings).crawl(settings.urls[0])

    return asyncio.run(run())


@pytest.fixture(scope="session")
def shop_scan(local_web: LocalWeb) -> CrawlResult:
    """The shop in all three phases, scanned once for the module's assertions."""
    return crawl(settings_for(local_web, "https://www.shop.test/"))
