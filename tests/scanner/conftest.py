"""Helpers for the crawler tests: settings that reach the local web, one crawl per call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest
from playwright.async_api import async_playwright

from scanner.config import ScanSettings
from scanner.crawl import Crawler, CrawlResult
from scanner.demo.server import LocalWeb
from scanner.model import Phase, PhaseResult


def settings_for(local_web: LocalWeb, url: str, **kw: Any) -> ScanSettings:
    kw.setdefault("page_timeout", 8.0)
    kw.setdefault("banner_timeout", 2.0)
    return ScanSettings(urls=(url,), resolve=local_web.resolve, ignore_https_errors=True, **kw)


def crawl(settings: ScanSettings) -> CrawlResult:
    async def run() -> CrawlResult:
        async with async_playwright() as pw:
            return await Crawler(pw, settings).crawl(settings.urls[0])

    return asyncio.run(run())


def crawl_sites(local_web: LocalWeb, names: Iterable[str]) -> dict[str, CrawlResult]:
    """`https://www.NAME.test/` crawled for each name (two pages a phase), two at a time."""

    async def run() -> dict[str, CrawlResult]:
        gate = asyncio.Semaphore(2)
        async with async_playwright() as pw:

            async def one(name: str) -> tuple[str, CrawlResult]:
                settings = settings_for(
                    local_web, f"https://www.{name}.test/", max_pages=2, banner_timeout=8.0
                )
                async with gate:
                    return name, await Crawler(pw, settings).crawl(settings.urls[0])

            return dict(await asyncio.gather(*(one(n) for n in names)))

    return asyncio.run(run())


def phase(result: CrawlResult, name: Phase) -> PhaseResult:
    return next(p for p in result.scan.phases if p.name is name)


@pytest.fixture(scope="session")
def shop_scan(local_web: LocalWeb) -> CrawlResult:
    """The shop in all three phases, scanned once for the module's assertions."""
    return crawl(settings_for(local_web, "https://www.shop.test/"))
