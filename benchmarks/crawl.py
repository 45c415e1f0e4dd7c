"""Crawl throughput: recorded pages per second vs bare Playwright loads of the same pages.

`python -m benchmarks crawl [--pages N] [--rounds R] [--site real|tiny]`.

Both sides load the same pages in one fresh profile at concurrency 1, 2 and 4, rounds
interleaved (bare, recorded, bare, recorded...) so the machine's load drifts into both alike.
"bare" is `page.goto(wait_until="load")` then close, nothing else (the ceiling). "recorded" is a
phase of the crawler without its banner search: the start page (then its interaction, quiet
wait, snapshot and its dwell, left running), the other pages (CDP session, cookie hook, load,
interaction, quiet wait, links, storage + cookie snapshot), the end of the dwell and the final
profile snapshot. Then where the recorded time goes (per-stage sums from the crawler), the cost
of one CDP round trip and of a profile launch, and a whole site in all three phases.

The load average is printed with every figure; CPU seconds are those of this process and all
its descendants (the Playwright driver, Chromium and its exited children), from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

from playwright.async_api import Playwright, async_playwright

from scanner.browser import fresh_profile
from scanner.config import ScanSettings
from scanner.consent_capture import ConsentApiWatcher
from scanner.crawl import Crawler, PhaseRun
from scanner.demo.server import LocalWeb
from scanner.frontier import Target
from scanner.model import Phase
from scanner.recorder import PhaseRecorder
from tests.fixtureweb import all_sites

SITES = {"real": "https://www.bench-real.test/", "tiny": "https://www.bench.test/"}
_TICK = os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def _tree_cpu() -> float:
    """CPU seconds of this process and its descendants (the driver, Chromium), exited ones too."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        # own user + system time, and that of its children already reaped (Chromium's exited
        # renderers and browsers land in their parent's count)
        cpu[int(entry.name)] = sum(int(f) for f in fields[11:15]) / _TICK
    me = os.getpid()

    def mine(pid: int) -> bool:
        while pid > 1:
            if pid == me:
                return True
            pid = parents.get(pid, 1)
        return False

    return sum(c for pid, c in cpu.items() if mine(pid))


@dataclass
class Measure:
    pages_per_s: float
    cpu_s: float


async def _bare(pw: Playwright, crawler: Crawler, urls: list[str], conc: int) -> Measure:
    async with fresh_profile(pw, crawler.options) as context:
        sem = asyncio.Semaphore(conc)

        async def one(url: str) -> None:
            async with sem:
                page = await context.new_page()
                await page.goto(url, wait_until="load")
                await page.close()

        await one(urls[0])  # warm-up (first navigation of the profile)
        c0, t0 = _tree_cpu(), time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        wall = time.perf_counter() - t0
        return Measure(len(urls) / wall, _tree_cpu() - c0)


async def _recorded(
    pw: Playwright, crawler: Crawler, urls: list[str], conc: int, site: str
) -> Measure:
    crawler.settings = replace(crawler.settings, concurrency=conc)
    crawler._deadline = time.monotonic() + 600
    async with fresh_profile(pw, crawler.options) as context:
        recorder = PhaseRecorder(context, site)
        await recorder.install()
        run = PhaseRun(Phase.NONE, context, recorder, ConsentApiWatcher(context))
        await crawler._visit_many(run, [Target(urls[0], 0)])  # warm-up, as for bare
        c0, t0 = _tree_cpu(), time.perf_counter()
        with crawler.stages.measuring():
            _outcome, page = await crawler._visit(
                run, Target(urls[0], 0), asyncio.Semaphore(1), start=True
            )
            assert page is not None
            await crawler._begin_dwell(run, page, urls[0])
            await crawler._visit_many(run, [Target(u, 1) for u in urls[1:]])
            await crawler._end_dwell(run)
            await recorder.snapshot(None, None)
        wall = time.perf_counter() - t0
        return Measure(len(urls) / wall, _tree_cpu() - c0)


async def _round_trip_ms(pw: Playwright, crawler: Crawler, url: str) -> float:
    async with fresh_profile(pw, crawler.options) as context:
        page = await context.new_page()
        await page.goto(url)
        t0 = time.perf_counter()
        for _ in range(50):
            await page.evaluate("1")
        return (time.perf_counter() - t0) / 50 * 1000


async def _launch_s(pw: Playwright, crawler: Crawler) -> float:
    t0 = time.perf_counter()
    for _ in range(3):
        async with fresh_profile(pw, crawler.options):
            pass
    return (time.perf_counter() - t0) / 3


async def run(pages: int, rounds: int, which: str) -> None:
    start = SITES[which]
    with LocalWeb(all_sites()) as web:
        settings = ScanSettings(
            urls=(start,),
            resolve=web.resolve,
            ignore_https_errors=True,
            max_pages=pages,
            max_depth=pages,
            sitemap=False,
        )
        urls = [start] + [f"{start}p/{n}" for n in range(1, pages)]
        site = start.split("www.", 1)[1].rstrip("/")
        async with async_playwright() as pw:
            crawler = Crawler(pw, settings)
            print(f"site {start}: {pages} pages, median of {rounds} interleaved rounds")
            print(f"{'conc':>4} {'bare p/s':>9} {'recorded p/s':>13} {'ratio':>6} "
                  f"{'CPU s bare':>11} {'CPU s rec':>10}  load")  # fmt: skip
            for conc in (1, 2, 4):
                bare: list[Measure] = []
                rec: list[Measure] = []
                crawler.stages.reset()
                for _ in range(rounds):
                    bare.append(await _bare(pw, crawler, urls, conc))
                    rec.append(await _recorded(pw, crawler, urls, conc, site))
                b = statistics.median(m.pages_per_s for m in bare)
                r = statistics.median(m.pages_per_s for m in rec)
                cb = statistics.median(m.cpu_s for m in bare)
                cr = statistics.median(m.cpu_s for m in rec)
                print(f"{conc:>4} {b:>9.2f} {r:>13.2f} {r / b:>6.2f} {cb:>11.2f} {cr:>10.2f}  "
                      f"{_load()}", flush=True)  # fmt: skip
                print("     recorded, per page (summed over pages, they overlap): "
                      + crawler.stages.per_page(pages * rounds))  # fmt: skip
            print(f"CDP round trip (page.evaluate('1')): "
                  f"{await _round_trip_ms(pw, crawler, urls[0]):.1f} ms  {_load()}")  # fmt: skip
            print(f"profile launch + close: {await _launch_s(pw, crawler):.2f} s  {_load()}")
            full = replace(settings, concurrency=2, sitemap=True)
            whole = Crawler(pw, full)
            c0, t0 = _tree_cpu(), time.perf_counter()
            with whole.stages.measuring():
                result = await whole.crawl(start)
            wall = time.perf_counter() - t0
            visited = [len(p.pages) for p in result.scan.phases]
            print(f"{pages}-page site, 3 phases (concurrency 2, dwell {full.dwell:g} s, launches "
                  f"and banner search included): {wall:.1f} s, CPU {_tree_cpu() - c0:.1f} s, "
                  f"pages per phase {visited}  {_load()}")  # fmt: skip
            print("     where the time goes (seconds, summed; pages overlap): "
                  + whole.stages.totals())  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks crawl")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site", choices=sorted(SITES), default="real")
    args = parser.parse_args(argv)
    asyncio.run(run(args.pages, args.rounds, args.site))
    return 0
