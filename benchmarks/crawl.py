"""Crawl throughput: recorded pages per second vs bare Playwright loads of the same pages.

`python -m benchmarks crawl [--pages N] [--rounds R]`. Both sides load the same 20 fixture pages
in one fresh profile at concurrency 1, 2 and 4; "bare" is `page.goto(wait_until="load")` and
nothing else (the ceiling); "recorded" is the crawler's own page visit (CDP session, JS cookie
hook, wait for trackers' requests to finish, cookie and storage snapshot, link extraction).
Then one 20-page site in all three phases, wall time (launches and banner search included).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import replace

from playwright.async_api import async_playwright

from scanner.browser import fresh_profile
from scanner.config import ScanSettings
from scanner.crawl import Crawler, PhaseRun
from scanner.demo.server import LocalWeb
from scanner.frontier import Target
from scanner.model import Phase
from scanner.recorder import RECORDER_ARGS, PhaseRecorder
from tests.fixtureweb import all_sites

SITE = "https://www.bench.test/"


async def _bare(pw: object, settings: ScanSettings, urls: list[str], conc: int) -> float:
    opts = replace(settings.browser_options(), extra_args=RECORDER_ARGS)
    async with fresh_profile(pw, opts) as context:  # type: ignore[arg-type]
        sem = asyncio.Semaphore(conc)

        async def one(url: str) -> None:
            async with sem:
                page = await context.new_page()
                await page.goto(url, wait_until="load")
                await page.close()

        await one(urls[0])  # warm-up (first navigation of the profile)
        t0 = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return len(urls) / (time.perf_counter() - t0)


async def _recorded(pw: object, settings: ScanSettings, urls: list[str], conc: int) -> float:
    crawler = Crawler(pw, settings)  # type: ignore[arg-type]
    crawler._deadline = time.monotonic() + 600
    async with fresh_profile(pw, crawler.options) as context:  # type: ignore[arg-type]
        recorder = PhaseRecorder(context, "bench.test")
        await recorder.install()
        run = PhaseRun(Phase.NONE, context, recorder)
        await crawler._visit_many(run, [Target(urls[0], 0)])
        crawler.settings = replace(settings, concurrency=conc)
        t0 = time.perf_counter()
        await crawler._visit_many(run, [Target(u, 1) for u in urls])
        return len(urls) / (time.perf_counter() - t0)


async def run(pages: int, rounds: int) -> None:
    with LocalWeb(all_sites()) as web:
        settings = ScanSettings(
            urls=(SITE,),
            resolve=web.resolve,
            ignore_https_errors=True,
            max_pages=pages,
            max_depth=pages,
        )
        urls = [f"{SITE}p/{n}" for n in range(pages)]
        async with async_playwright() as pw:
            print(f"{'conc':>4} {'bare p/s':>9} {'recorded p/s':>13} {'ratio':>6}")
            for conc in (1, 2, 4):
                bare = statistics.median(
                    [await _bare(pw, settings, urls, conc) for _ in range(rounds)]
                )
                rec = statistics.median(
                    [await _recorded(pw, settings, urls, conc) for _ in range(rounds)]
                )
                print(f"{conc:>4} {bare:>9.2f} {rec:>13.2f} {rec / bare:>6.2f}", flush=True)
            t0 = time.perf_counter()
            result = await Crawler(pw, settings).crawl(SITE)
            wall = time.perf_counter() - t0
            visited = [len(p.pages) for p in result.scan.phases]
            print(f"20-page site, 3 phases (concurrency {settings.concurrency}): {wall:.1f} s, "
                  f"pages per phase {visited}")  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks crawl")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    asyncio.run(run(args.pages, args.rounds))
    return 0
