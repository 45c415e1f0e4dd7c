"""The crawler: visit a site in each consent phase and record what it leaves behind.

The frontier is discovered level by level (depth 0 = the start URL, then sitemap.xml and the
links of each level), each level ordered by `scanner.frontier.order_links` and visited N pages
at a time. The next level is built from the finished level in frontier order, never in
completion order, so two scans with the same seed visit the same pages in the same order
whatever the concurrency. Links belong to the site of the URL being crawled (its registrable
domain), so each URL of a multi-site command keeps its own pages.

Phase `none` discovers the pages; `reject` and `accept` visit the same list, so the three
phases compare like for like. Each phase is a fresh browser profile and one `PhaseRun`.

Every page gets a visitor's first interaction after `load` (the mouse moves, a key is pressed,
the page is scrolled to the bottom and back: tags delayed "until interaction" fire), then the
wait until its requests are quiet. A page holds one of the N loading slots only while it
navigates; its interaction, quiet wait and snapshot overlap the next pages' loads (at most 2N
pages open). The start page of each phase stays open for the dwell (`--dwell`, counted from
the banner's click) while the other pages are crawled, so timer-delayed tags fire on it at no
cost when the phase lasts longer; the phase ends with a snapshot of it and of the whole profile.
In `reject` and `accept` the other pages wait for the banner's click; in `none` (the banner is
only looked at) they are crawled while the banner is searched for.

Single-page apps: on the start page, the links of the first level are clicked; a click the
site's router takes (`history.pushState`) is a visit of its own (`navigation: click`), listed
right after the start page.

Every failure of a page becomes a `SkippedPage` (`scanner.skips.skip_reason` says why).
Ctrl-C (task cancellation) ends the crawl with what was recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.async_api import (
    BrowserContext,
    Dialog,
    Download,
    Page,
    Playwright,
)
from playwright.async_api import (
    Error as PlaywrightError,
)
from playwright.async_api import (
    TimeoutError as PlaywrightTimeoutError,
)

from scanner import __version__, consent
from scanner.browser import BrowserOptions, browser_version, fresh_profile, visitor_user_agent
from scanner.config import ScanSettings, is_private_host, private_address_of
from scanner.consent_capture import ConsentApiWatcher
from scanner.domains import normalise_url, site_of
from scanner.errors import CookieAuditError, NavigationError, ScanFailedError
from scanner.frontier import Target, order_links, sitemap_locs, sitemap_url
from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Navigation,
    PageVisit,
    Phase,
    PhaseResult,
    Scan,
    SkippedPage,
    SkipReason,
    ToolInfo,
)
from scanner.netguard import PrivateAddressGuard
from scanner.recorder import RECORDER_ARGS, PhaseRecorder
from scanner.skips import skip_reason
from scanner.stages import StageClock

T = TypeVar("T")
ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)

_LINKS_JS = """() => [document.title,
  Array.from(document.querySelectorAll('a[href]')).slice(0, 2000)
  .map(a => [a.href, (a.innerText || a.getAttribute('aria-label') || '').trim().slice(0, 200)])]"""

_SITEMAP_JS = """async (url) => {
  const ctl = new AbortController(); setTimeout(() => ctl.abort(), 5000);
  try { const r = await fetch(url, {signal: ctl.signal, credentials: 'omit'});
        if (!r.ok) return '';
        const t = await r.text(); return t.length > 5000000 ? '' : t; }
  catch (e) { return ''; } }"""

#: Scroll to the bottom, let one frame pass (scroll listeners see the bottom: scroll-depth
#: tags fire), scroll back to the top.
_SCROLL_JS = """async () => {
  const root = document.scrollingElement || document.documentElement;
  window.scrollTo(0, root ? root.scrollHeight : 0);
  await new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 50); });
  window.scrollTo(0, 0);
}"""

#: Click the link to `href` as a visitor would and say whether the site's router took it
#: ("routed": it called preventDefault, then usually history.pushState) or not ("plain": our
#: last listener cancels the navigation, so a plain link costs nothing), "absent" when no such
#: link is on the page now.
_ROUTE_JS = """(href) => {
  const a = Array.from(document.querySelectorAll('a[href]'))
    .find((el) => el.href.split('#')[0] === href);
  if (!a) return 'absent';
  const before = location.href;
  let seen = null;
  const last = (e) => { seen = e.defaultPrevented; if (!seen) e.preventDefault(); };
  window.addEventListener('click', last);
  try { a.click(); } finally { window.removeEventListener('click', last); }
  if (seen === null) return location.href !== before ? 'routed' : 'plain';
  return seen ? 'routed' : 'plain';
}"""
_ROUTE_PROBES = 2  # links clicked before concluding that the site has no router

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class CrawlResult:
    """The unclassified Scan plus the policy pages' HTML (kept in memory, never in scan.json)."""

    scan: Scan
    policy_html: dict[str, str] = field(default_factory=dict)


@dataclass
class _Outcome:
    """What one page visit gave: a visit or skips, and what the next level needs."""

    visit: PageVisit | None = None
    skips: list[SkippedPage] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    html: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _SiteCrawl:
    """The state of one site's crawl across its phases."""

    start_url: str
    site: str
    user_agent: str
    plan: list[Target] | None = None  # the pages phase `none` visited, replayed by the others
    policy_html: dict[str, str] = field(default_factory=dict)
    phases: list[PhaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class PhaseRun:
    """One phase in progress: its profile's recorder and what it has visited so far."""

    phase: Phase
    context: BrowserContext
    recorder: PhaseRecorder
    consent_api: ConsentApiWatcher
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    banner: Banner | None = None
    dwelling: tuple[Page, str, float] | None = None  # the start page, its URL, open until
    visits: list[PageVisit] = field(default_factory=list)
    skips: list[SkippedPage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, outcome: _Outcome) -> None:
        if outcome.visit is not None:
            self.visits.append(outcome.visit)
        self.skips.extend(outcome.skips)
        self.notes.extend(f"{self.phase.value}: {n}" for n in outcome.notes)

    def result(self) -> PhaseResult:
        banner = self.banner or Banner(
            action=self.phase, status=BannerStatus.NOT_ATTEMPTED, detail="not reached"
        )
        return PhaseResult(
            name=self.phase,
            banner=banner,
            pages=list(self.visits),
            skipped=list(self.skips),
            cookies=self.recorder.cookies(),
            blocked_cookies=self.recorder.blocked_cookies(),
            storage=self.recorder.storage(),
            third_party_hosts=self.recorder.third_party_hosts(),
            consent_api=self.consent_api.use(),
            started_at=self.started,
            finished_at=datetime.now(UTC),
        )


class _Profiles:
    """The phases' fresh profiles, each launched while the previous phase still runs.

    A launch costs about a second (more on a loaded machine); launched one phase ahead it
    overlaps the previous phase's pages. Every profile launched is closed, Ctrl-C included.
    """

    def __init__(
        self, playwright: Playwright, options: BrowserOptions, user_agent: str, stages: StageClock
    ) -> None:
        self.playwright = playwright
        self.options = options
        self.user_agent = user_agent
        self.stages = stages
        self._ahead: asyncio.Future[tuple[BrowserContext, AsyncExitStack]] | None = None
        self._open: dict[BrowserContext, AsyncExitStack] = {}

    async def _launch(self) -> tuple[BrowserContext, AsyncExitStack]:
        stack = AsyncExitStack()
        t0 = time.perf_counter()
        try:
            profile = fresh_profile(self.playwright, self.options, self.user_agent)
            context = await stack.enter_async_context(profile)
        except BaseException:
            await stack.aclose()
            raise
        self.stages.add("launch", time.perf_counter() - t0)
        return context, stack

    def launch_ahead(self) -> None:
        self._ahead = asyncio.ensure_future(self._launch())

    async def take(self) -> BrowserContext:
        """The profile launched ahead, or a new one."""
        if self._ahead is None:
            self._ahead = asyncio.ensure_future(self._launch())
        # Shielded: on Ctrl-C the launch completes and `close` closes what it launched.
        context, stack = await asyncio.shield(self._ahead)
        self._ahead = None
        self._open[context] = stack
        return context

    async def release(self, context: BrowserContext) -> None:
        await self._open.pop(context).aclose()

    async def close(self) -> None:
        """Close a profile launched ahead for a phase that did not run."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return
        try:
            _context, stack = await ahead
        except (PlaywrightError, CookieAuditError, OSError):
            return  # it never launched: nothing to close
        await stack.aclose()


async def _why_private(host: str) -> str | None:
    """Why ``host`` is not on the public internet (a private or loopback address, or a name
    that resolves to one), or None."""
    if is_private_host(host):
        return f"not visited: {host} is a private or loopback address"
    address = await asyncio.to_thread(private_address_of, host)
    if address is None:
        return None
    return f"not visited: {host} resolves to the non-public address {address}"


class Crawler:
    """Crawls one site in every phase of `settings`; collaborators come in through here."""

    def __init__(
        self,
        playwright: Playwright,
        settings: ScanSettings,
        *,
        progress: ProgressFn | None = None,
    ) -> None:
        self.playwright = playwright
        self.settings = settings
        self.progress = progress
        self.options = replace(
            settings.browser_options(),
            extra_args=settings.browser_options().extra_args + RECORDER_ARGS,
        )
        self._deadline = 0.0
        self._tasks: set[asyncio.Future[object]] = set()
        self._refused_hosts: dict[str, str | None] = {}
        self.stages = StageClock()  # where the time goes, when measuring (benchmarks)

    async def crawl(self, start_url: str) -> CrawlResult:
        settings = self.settings
        start_url = normalise_url(start_url)
        started = datetime.now(UTC)
        t0 = time.monotonic()
        self._deadline = t0 + settings.scan_timeout
        with self.stages.stage("browser version"):
            version = await browser_version(self.playwright, self.options)
        site = _SiteCrawl(start_url, site_of(start_url), visitor_user_agent(version))
        interrupted = False
        profiles = _Profiles(self.playwright, self.options, site.user_agent, self.stages)
        try:
            for n, phase in enumerate(settings.phases, start=1):
                if time.monotonic() >= self._deadline:
                    site.notes.append(f"phase {phase.value} not run: the scan timeout ran out")
                    break
                context = await profiles.take()
                if n < len(settings.phases):
                    profiles.launch_ahead()  # the next phase's Chromium starts meanwhile
                try:
                    site.phases.append(await self._phase(site, phase, context))
                finally:
                    await profiles.release(context)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            interrupted = True
            site.notes.append("interrupted (Ctrl-C): the scan holds what was recorded until then")
        finally:
            await profiles.close()
        scan = Scan(
            target=start_url,
            site=site.site,
            options=settings.as_options(),
            tool=ToolInfo(version=__version__, autoconsent_version=_autoconsent_version()),
            browser=BrowserInfo(
                version=version,
                executable=self.options.executable,
                user_agent=site.user_agent,
            ),
            started_at=started,
            finished_at=datetime.now(UTC),
            duration_s=round(time.monotonic() - t0, 3),
            interrupted=interrupted,
            phases=site.phases,
            policy_pages=sorted(site.policy_html),
            notes=site.notes,
        )
        return CrawlResult(scan=scan, policy_html=site.policy_html)

    async def _phase(self, site: _SiteCrawl, phase: Phase, context: BrowserContext) -> PhaseResult:
        settings = self.settings
        recorder = PhaseRecorder(
            context,
            site.site,
            keep_values=settings.keep_values,
            max_body_bytes=settings.max_body_bytes,
        )
        guard = None
        with self.stages.stage("install"):
            await recorder.install()
            if not settings.refuses_nothing():
                guard = PrivateAddressGuard(self._refused)
                await guard.install(context)
        run = PhaseRun(phase, context, recorder, ConsentApiWatcher(context))
        start_work: asyncio.Future[list[PageVisit]] | None = None
        try:
            first, page = await self._start_page(site, run)
            seen = {site.start_url}
            if site.plan is None:
                level = self._level(site, first.links, 1, seen, 1)
            else:
                level = [t for t in site.plan if t.depth == 1]
            if page is not None:
                # The banner's click decides what the other pages get: they wait for it.
                # Phase `none` only looks, so the crawl goes on meanwhile.
                start_work = asyncio.ensure_future(
                    self._start_work(run, page, site.start_url, level)
                )
                if phase is not Phase.NONE:
                    await start_work
            if site.plan is None:
                await self._discover(site, run, level, seen)
            else:
                for outcome in await self._visit_many(run, site.plan[1:]):
                    run.add(outcome)
            if start_work is not None:
                run.visits[1:1] = await start_work  # routes right after the start page
            await self._end_dwell(run)
        except asyncio.CancelledError:
            if start_work is not None:
                start_work.cancel()
            await _quiet(recorder.snapshot(None, None))
            site.phases.append(run.result())
            site.notes.extend(run.notes + _guard_notes(phase, guard))
            raise
        with self.stages.stage("snapshot"):
            await recorder.snapshot(None, None)
        with self.stages.stage("consent api"):
            await run.consent_api.settle()
        site.notes.extend(run.notes + _guard_notes(phase, guard))
        return run.result()

    async def _start_page(self, site: _SiteCrawl, run: PhaseRun) -> tuple[_Outcome, Page | None]:
        """The start URL (left open) and, when discovering, its sitemap."""
        outcome, page = await self._visit(
            run, Target(site.start_url, 0), asyncio.Semaphore(1), start=True
        )
        if outcome.visit is None and not site.phases:
            why = outcome.skips[0] if outcome.skips else None
            detail = f"{why.reason.value}: {why.detail}" if why else "unknown error"
            raise ScanFailedError(f"cannot reach {site.start_url} ({detail})")
        run.add(outcome)
        if page is not None and site.plan is None and self.settings.sitemap:
            with self.stages.stage("sitemap"):
                sitemap = await self._sitemap(page, site.start_url)
            outcome.links = [(u, "") for u in sitemap] + outcome.links
        if self.progress:
            self.progress(run.phase.value, 1, self.settings.max_pages)
        return outcome, page

    async def _start_work(
        self, run: PhaseRun, page: Page, url: str, level: list[Target]
    ) -> list[PageVisit]:
        """On the start page: the banner, the interaction and dwell, the routes of `level`."""
        with self.stages.stage("banner"):
            run.banner = await self._banner(page, run.phase)
        await self._begin_dwell(run, page, url)
        with self.stages.stage("routes"):
            return await self._follow_routes(run, level)

    async def _begin_dwell(self, run: PhaseRun, page: Page, url: str) -> None:
        """The start page after its banner: interaction, quiet, snapshot; then left open."""
        since = time.monotonic()
        await self._interact(page)
        with self.stages.stage("quiet"):
            await run.recorder.settle(page, max_s=2.0)
        with self.stages.stage("snapshot"):
            await run.recorder.snapshot(page, url)
        run.dwelling = (page, url, since + self.settings.dwell)

    async def _end_dwell(self, run: PhaseRun) -> None:
        """Keep the start page open until its dwell is over, then record it and close it."""
        if run.dwelling is None:
            return
        page, url, until = run.dwelling
        run.dwelling = None
        wait = min(until, self._deadline) - time.monotonic()
        if wait > 0:
            with self.stages.stage("dwell wait"):
                await asyncio.sleep(wait)
        with self.stages.stage("quiet"):
            await run.recorder.settle(page, max_s=1.0)
        with self.stages.stage("snapshot"):
            await run.recorder.snapshot(page, url)
        with self.stages.stage("close"):
            await _quiet(page.close())
        run.recorder.detach(page)

    async def _follow_routes(self, run: PhaseRun, targets: list[Target]) -> list[PageVisit]:
        """On the start page, click the links to `targets` that the site's router takes.

        Single-page apps load route trackers on `history.pushState`, not on a URL load: each
        route reached by a click is recorded as a visit (`navigation: click`) and the crawler
        waits for its requests. The same targets are loaded by URL too. A site whose first
        links are plain costs `_ROUTE_PROBES` cancelled clicks.
        """
        if run.dwelling is None:
            return []
        page, _url, _until = run.dwelling
        state = run.recorder.page_state(page)
        visits: list[PageVisit] = []
        routed = probes = 0
        for target in targets:
            if not routed and probes >= _ROUTE_PROBES:
                return visits
            t0 = time.monotonic()
            try:
                how = await page.evaluate(_ROUTE_JS, target.url)
            except PlaywrightError:
                return visits
            if how == "absent":
                continue
            probes += 1
            if how != "routed":
                continue
            routed += 1
            if state is not None:
                state.url = target.url  # what the route sets is attributed to the route
            await run.recorder.settle(page, max_s=2.0)
            await run.recorder.snapshot(page, target.url)
            visits.append(
                PageVisit(
                    url=target.url,
                    final_url=page.url,
                    title=(await _quiet(page.title(), None) or None),
                    depth=target.depth,
                    load_ms=round((time.monotonic() - t0) * 1000, 1),
                    navigation=Navigation.CLICK,
                )
            )
        return visits

    async def _interact(self, page: Page) -> None:
        """A visitor's first interaction: the mouse moves, a key, a scroll down and back up."""
        width, height = self.options.viewport
        with self.stages.stage("interact"):
            # Sent at once: one round trip's wait instead of three. A page that navigated or
            # closed meanwhile has nothing more to interact with: its errors are dropped.
            results = await asyncio.gather(
                page.mouse.move(width / 2, height / 2),
                page.keyboard.press("Shift"),
                page.evaluate(_SCROLL_JS),
                return_exceptions=True,
            )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, PlaywrightError):
                raise result

    async def _banner(self, page: Page, phase: Phase) -> Banner:
        timeout = min(self.settings.banner_timeout, max(0.5, self._deadline - time.monotonic()))
        try:
            if phase is Phase.NONE:
                return await consent.detect_banner(page, timeout_s=timeout)
            return await consent.handle_banner(page, phase, timeout_s=timeout)
        except PlaywrightError as exc:
            return Banner(
                action=phase, status=BannerStatus.FAILED, detail=f"banner: {skip_reason(exc)[1]}"
            )

    def _level(
        self,
        site: _SiteCrawl,
        links: list[tuple[str, str]],
        depth: int,
        seen: set[str],
        planned: int,
    ) -> list[Target]:
        """The targets of the next level, within the depth and page budget; marked as seen."""
        if depth > self.settings.max_depth:
            return []
        targets = order_links(
            links,
            site=site.site,
            depth=depth,
            seen=seen,
            seed=self.settings.seed,
            allowed=self.settings.url_allowed,
        )[: max(0, self.settings.max_pages - planned)]
        seen.update(t.url for t in targets)
        return targets

    async def _discover(
        self, site: _SiteCrawl, run: PhaseRun, level: list[Target], seen: set[str]
    ) -> None:
        """Breadth-first, level by level, deterministic; the visited targets become the plan."""
        plan = [Target(site.start_url, 0)]
        depth = 1
        while level:
            links: list[tuple[str, str]] = []
            for target, outcome in zip(level, await self._visit_many(run, level), strict=True):
                plan.append(target)
                run.add(outcome)
                links.extend(outcome.links)
                if target.policy_kind and outcome.html is not None:
                    site.policy_html[target.url] = outcome.html
            depth += 1
            level = self._level(site, links, depth, seen, len(plan))
        site.plan = plan

    async def _visit_many(self, run: PhaseRun, targets: list[Target]) -> list[_Outcome]:
        """Visit `targets`, N loading at a time; the outcomes come back in the targets' order."""
        loading = asyncio.Semaphore(self.settings.concurrency)
        open_pages = asyncio.Semaphore(2 * self.settings.concurrency)
        done = 0

        async def one(target: Target) -> _Outcome:
            nonlocal done
            async with open_pages:
                if time.monotonic() >= self._deadline:
                    skip = SkippedPage(
                        url=target.url, reason=SkipReason.BUDGET, detail="the scan timeout ran out"
                    )
                    return _Outcome(skips=[skip])
                outcome, _ = await self._visit(run, target, loading)
                done += 1
                if self.progress:
                    self.progress(run.phase.value, done + 1, len(targets) + 1)
                return outcome

        return list(await asyncio.gather(*(one(t) for t in targets)))

    async def _visit(
        self, run: PhaseRun, target: Target, loading: asyncio.Semaphore, *, start: bool = False
    ) -> tuple[_Outcome, Page | None]:
        """Visit one page; never raises for the page's own failures.

        Holds a `loading` slot until `load`. The start page is returned open, not interacted
        with yet (its banner comes first); the others are interacted with and closed.
        """
        recorder = run.recorder
        outcome = _Outcome()
        timeout_s = max(0.5, min(self.settings.page_timeout, self._deadline - time.monotonic()))
        with self.stages.stage("open page"):
            page = await run.context.new_page()
        with self.stages.stage("open page"):
            state = await recorder.attach(page)
        state.url = target.url
        events: list[str] = []
        download: list[str] = []

        def on_dialog(dialog: Dialog) -> None:
            events.append(f"dialog {dialog.type} dismissed on {target.url}")
            self._background(dialog.dismiss())

        def on_popup(popup: Page) -> None:
            events.append(f"popup closed on {target.url}")
            self._background(popup.close())

        def on_download(d: Download) -> None:
            download.append(d.url)
            self._background(d.cancel())

        page.on("dialog", on_dialog)
        page.on("popup", on_popup)
        page.on("download", on_download)
        t0 = time.monotonic()
        try:
            async with loading:
                refused = await self._refused(target.url)
                if refused is not None:
                    raise NavigationError(target.url, SkipReason.OTHER.value, refused)
                loading_since = time.perf_counter()
                response = await asyncio.wait_for(
                    page.goto(target.url, wait_until="domcontentloaded", timeout=timeout_s * 1000),
                    timeout=timeout_s + 2,
                )
                if response is None:
                    raise NavigationError(target.url, SkipReason.OTHER.value, "no response")
                if state.document_too_large:
                    raise NavigationError(target.url, SkipReason.TOO_LARGE.value, "body too large")
                remaining = timeout_s - (time.monotonic() - t0)
                try:
                    await page.wait_for_load_state("load", timeout=max(100.0, remaining * 1000))
                except PlaywrightTimeoutError:
                    outcome.skips.append(
                        SkippedPage(
                            url=target.url,
                            reason=SkipReason.TIMEOUT,
                            detail="load event never fired: partial result recorded",
                        )
                    )
                self.stages.add("load", time.perf_counter() - loading_since)
            load_ms = round((time.monotonic() - t0) * 1000, 1)
            if not start:
                await self._interact(page)
            with self.stages.stage("quiet"):
                await recorder.settle(page, max_s=min(2.0, max(0.1, remaining)))
            with self.stages.stage("links"):
                # The headers Chromium reported with the response: no round trip to the browser.
                ctype = response.headers.get("content-type", "").lower()
            status = response.status
            title = None
            if any(t in ctype for t in _HTML_TYPES) or not ctype:
                with self.stages.stage("links"):
                    found = await _quiet(page.evaluate(_LINKS_JS), None)
                if found:
                    title = str(found[0])
                    outcome.links = [(str(h), str(t)) for h, t in found[1]]
                if target.policy_kind:
                    outcome.html = await _quiet(page.content(), None)
            else:
                outcome.skips.append(
                    SkippedPage(url=target.url, reason=SkipReason.NOT_HTML, detail=ctype[:100])
                )
            outcome.visit = PageVisit(
                url=target.url,
                final_url=page.url,
                status=status,
                title=(title or None) and title[:300],
                depth=target.depth,
                load_ms=load_ms,
            )
            if status >= 400:
                outcome.skips.append(
                    SkippedPage(
                        url=target.url, reason=SkipReason.HTTP_ERROR, detail=f"HTTP {status}"
                    )
                )
            with self.stages.stage("snapshot"):
                await recorder.snapshot(page, target.url)
        except (PlaywrightError, NavigationError, TimeoutError) as exc:
            reason, detail = skip_reason(exc)
            if download:
                reason, detail = SkipReason.DOWNLOAD, f"download of {download[0][:200]}"
            elif state.document_too_large:
                reason = SkipReason.TOO_LARGE
                detail = f"document larger than {self.settings.max_body_bytes} bytes"
            outcome.skips.append(SkippedPage(url=target.url, reason=reason, detail=detail))
            await _quiet(recorder.snapshot(None, target.url), None)
        outcome.notes.extend(events[:5])
        if len(events) > 5:
            outcome.notes.append(f"... and {len(events) - 5} more dialogs/popups on {target.url}")
        if start and outcome.visit is not None and not page.is_closed():
            return outcome, page
        with self.stages.stage("close"):
            await _quiet(page.close(), None)
        recorder.detach(page)
        return outcome, None

    async def _refused(self, url: str) -> str | None:
        """Why a page may not be visited, nor a request of the browser sent (the guard asks
        at every request): its host is a private address that neither `--allow-private` nor
        `--resolve` allowed (the start URL's rule, for every page: a sub-domain of the site
        whose name resolves to the LAN is not visited). Decided once per host."""
        settings = self.settings
        host = urlsplit(url).hostname or ""
        if settings.allow_private or not host:
            return None
        if host not in self._refused_hosts:
            # a host given to --resolve goes where the operator chose
            why = None if settings.resolved(host) else await _why_private(host)
            self._refused_hosts[host] = why and f"{why} (--allow-private to scan it)"
        return self._refused_hosts[host]

    def _background(self, awaitable: Awaitable[object]) -> None:
        """Fire-and-forget browser calls (dismiss a dialog, close a popup), kept referenced."""
        task = asyncio.ensure_future(_quiet(awaitable))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sitemap(self, page: Page, start_url: str) -> list[str]:
        """`/sitemap.xml`, fetched by the start page itself.

        Through Chromium's network stack, so --resolve and the TLS options apply (Playwright's
        `context.request` uses its own HTTP client, which ignores the host-resolver rules).
        """
        url = sitemap_url(start_url)
        body = await _quiet(page.evaluate(_SITEMAP_JS, url), "")
        return sitemap_locs(str(body), url) if body else []


async def _quiet(awaitable: Awaitable[T], default: T | None = None) -> T | None:
    """Await a best-effort browser call (the page may be gone): errors become `default`."""
    try:
        return await awaitable
    except (PlaywrightError, TimeoutError):
        return default


def _autoconsent_version() -> str | None:
    try:
        return package_version("duckduckgo-autoconsent-py")
    except PackageNotFoundError:
        return None


def _guard_notes(phase: Phase, guard: PrivateAddressGuard | None) -> list[str]:
    return [f"{phase.value}: {line}" for line in guard.notes()] if guard is not None else []
