"""The crawler: visit a site in each consent phase and record what it leaves behind.

The frontier is discovered level by level (depth 0 = the start URLs, then sitemap.xml and the
links of each level), each level ordered deterministically (policy links first, then a seeded
shuffle of the sorted candidates) and visited N pages at a time. The next level is built from
the finished level in frontier order, never in completion order, so two scans with the same
seed visit the same pages in the same order whatever the concurrency.

Phase `none` discovers the pages; `reject` and `accept` visit the same list, so the three
phases compare like for like. Each phase is a fresh browser profile.

Every failure of a page becomes a `SkippedPage`; Playwright's errors are translated in one
place (`skip_reason`). Ctrl-C (task cancellation) ends the crawl with what was recorded.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urldefrag, urljoin, urlsplit

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

from scanner import __version__
from scanner.browser import browser_version, fresh_profile, visitor_user_agent
from scanner.config import ScanSettings
from scanner.consent_capture import ConsentApiWatcher
from scanner.errors import NavigationError, ScanFailedError
from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    PageVisit,
    Phase,
    PhaseResult,
    Scan,
    SkippedPage,
    SkipReason,
    ToolInfo,
)
from scanner.recorder import RECORDER_ARGS, PhaseRecorder, registrable_domain

T = TypeVar("T")
ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)

_LINKS_JS = """() => [document.title,
  Array.from(document.querySelectorAll('a[href]')).slice(0, 2000)
  .map(a => [a.href, (a.innerText || a.getAttribute('aria-label') || '').trim().slice(0, 200)])]"""

_LOC = re.compile(r"<(?:\w+:)?loc>\s*([^<]{1,2000}?)\s*</(?:\w+:)?loc>")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class CrawlResult:
    """The unclassified Scan plus the policy pages' HTML (kept in memory, never in scan.json)."""

    scan: Scan
    policy_html: dict[str, str] = field(default_factory=dict)


@dataclass
class _Target:
    url: str
    depth: int
    policy_kind: str | None = None


@dataclass
class _Outcome:
    visit: PageVisit | None = None
    skips: list[SkippedPage] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    html: str | None = None
    notes: list[str] = field(default_factory=list)
    sitemap: list[str] = field(default_factory=list)


def skip_reason(exc: BaseException) -> tuple[SkipReason, str]:
    """The one place where Playwright's and Chromium's errors become a skip reason."""
    if isinstance(exc, NavigationError):
        return SkipReason(exc.reason), exc.detail
    if isinstance(exc, PlaywrightTimeoutError | TimeoutError):
        return SkipReason.TIMEOUT, "page did not load in time"
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    checks: tuple[tuple[str, SkipReason], ...] = (
        ("ERR_NAME_NOT_RESOLVED", SkipReason.DNS),
        ("ERR_NAME_RESOLUTION_FAILED", SkipReason.DNS),
        ("ERR_CERT", SkipReason.TLS),
        ("ERR_SSL", SkipReason.TLS),
        ("ERR_BAD_SSL", SkipReason.TLS),
        ("ERR_TOO_MANY_REDIRECTS", SkipReason.REDIRECT_LOOP),
        ("ERR_CONNECTION", SkipReason.CONNECTION),
        ("ERR_ADDRESS_UNREACHABLE", SkipReason.CONNECTION),
        ("ERR_EMPTY_RESPONSE", SkipReason.CONNECTION),
        ("ERR_TIMED_OUT", SkipReason.TIMEOUT),
        ("Download is starting", SkipReason.DOWNLOAD),
        ("crashed", SkipReason.CRASH),
        ("Target closed", SkipReason.CRASH),
        ("has been closed", SkipReason.CRASH),
        ("ERR_FILE_TOO_BIG", SkipReason.TOO_LARGE),
    )
    for needle, reason in checks:
        if needle in message:
            return reason, message[:300]
    return SkipReason.OTHER, message[:300]


def _policy_kind(url: str, text: str) -> str | None:
    try:
        from scanner.policy import policy_link_kind
    except ImportError:  # the policy package is not there: no prioritisation
        return None
    return policy_link_kind(url, text)


def normalise_url(url: str) -> str:
    return urldefrag(url)[0]


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
        self._notes: list[str] = []

    async def crawl(self, start_url: str) -> CrawlResult:
        settings = self.settings
        start_url = normalise_url(start_url)
        site = registrable_domain(urlsplit(start_url).hostname or "")
        started = datetime.now(UTC)
        t0 = time.monotonic()
        self._deadline = t0 + settings.scan_timeout
        version = await browser_version(self.playwright, self.options)
        user_agent = visitor_user_agent(version)
        phases: list[PhaseResult] = []
        notes: list[str] = []
        self._notes = notes
        policy_html: dict[str, str] = {}
        plan: list[_Target] | None = None
        interrupted = False
        try:
            for phase in settings.phases:
                if time.monotonic() >= self._deadline:
                    notes.append(f"phase {phase.value} not run: the scan timeout ran out")
                    break
                result, plan = await self._phase(
                    phase, start_url, site, user_agent, plan, policy_html, notes, phases
                )
                phases.append(result)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            interrupted = True
            notes.append("interrupted (Ctrl-C): the scan holds what was recorded until then")
        finished = datetime.now(UTC)
        scan = Scan(
            target=start_url,
            site=site,
            options=settings.as_options(),
            tool=ToolInfo(version=__version__, autoconsent_version=_autoconsent_version()),
            browser=BrowserInfo(
                version=version,
                executable=self.options.executable,
                user_agent=user_agent,
            ),
            started_at=started,
            finished_at=finished,
            duration_s=round(time.monotonic() - t0, 3),
            interrupted=interrupted,
            phases=phases,
            policy_pages=sorted(policy_html),
            notes=notes,
        )
        return CrawlResult(scan=scan, policy_html=policy_html)

    async def _phase(
        self,
        phase: Phase,
        start_url: str,
        site: str,
        user_agent: str,
        plan: list[_Target] | None,
        policy_html: dict[str, str],
        notes: list[str],
        done_phases: list[PhaseResult],
    ) -> tuple[PhaseResult, list[_Target]]:
        settings = self.settings
        started = datetime.now(UTC)
        async with fresh_profile(self.playwright, self.options, user_agent) as context:
            recorder = PhaseRecorder(
                context,
                site,
                keep_values=settings.keep_values,
                max_body_bytes=settings.max_body_bytes,
            )
            await recorder.install()
            consent_api = ConsentApiWatcher(context)
            visits: list[PageVisit] = []
            skips: list[SkippedPage] = []
            banner = Banner(action=phase, status=BannerStatus.NOT_ATTEMPTED, detail="not reached")

            def result() -> PhaseResult:
                return PhaseResult(
                    name=phase,
                    banner=banner,
                    pages=list(visits),
                    skipped=list(skips),
                    cookies=recorder.cookies(),
                    storage=recorder.storage(),
                    third_party_hosts=recorder.third_party_hosts(),
                    consent_api=consent_api.use(),
                    started_at=started,
                    finished_at=datetime.now(UTC),
                )

            try:
                # First page: the start URL, then the banner.
                first = _Target(start_url, 0)
                outcome, page = await self._visit(context, recorder, first, keep_open=True)
                if outcome.visit is None and not done_phases:
                    why = outcome.skips[0] if outcome.skips else None
                    detail = f"{why.reason.value}: {why.detail}" if why else "unknown error"
                    raise ScanFailedError(f"cannot reach {start_url} ({detail})")
                visits.extend([outcome.visit] if outcome.visit else [])
                skips.extend(outcome.skips)
                notes.extend(f"{phase.value}: {n}" for n in outcome.notes)
                if page is not None:
                    if plan is None and settings.sitemap:
                        outcome.sitemap = await self._sitemap(page, start_url)
                    banner = await self._banner(page, phase)
                    if banner.status == BannerStatus.SUCCEEDED:
                        await recorder.settle(page, max_s=2.0)
                    await recorder.snapshot(page, start_url)
                    await page.close()
                    recorder.detach(page)
                if self.progress:
                    self.progress(phase.value, 1, settings.max_pages)

                if plan is None:
                    plan = [first]
                    await self._discover(
                        context, recorder, plan, outcome, visits, skips, policy_html, phase
                    )
                else:
                    await self._run_plan(context, recorder, plan[1:], visits, skips, phase)
            except asyncio.CancelledError:
                await _quiet(recorder.snapshot(None, None))
                done_phases.append(result())
                raise
            await recorder.snapshot(None, None)
            await consent_api.settle()
            return result(), plan

    async def _banner(self, page: Page, phase: Phase) -> Banner:
        timeout = min(self.settings.banner_timeout, max(0.5, self._deadline - time.monotonic()))
        try:
            from scanner import consent
        except ImportError:
            return Banner(
                action=phase,
                status=BannerStatus.NOT_ATTEMPTED,
                detail="scanner.consent is not installed: banner not handled",
            )
        try:
            if phase is Phase.NONE:
                return await consent.detect_banner(page, timeout_s=timeout)
            return await consent.handle_banner(page, phase, timeout_s=timeout)
        except PlaywrightError as exc:
            return Banner(
                action=phase, status=BannerStatus.FAILED, detail=f"banner: {skip_reason(exc)[1]}"
            )

    async def _discover(
        self,
        context: BrowserContext,
        recorder: PhaseRecorder,
        plan: list[_Target],
        first_outcome: _Outcome,
        visits: list[PageVisit],
        skips: list[SkippedPage],
        policy_html: dict[str, str],
        phase: Phase,
    ) -> None:
        """Breadth-first, level by level, deterministic; fills `plan` with what was visited."""
        settings = self.settings
        seen = {plan[0].url}
        level_links: list[tuple[str, str]] = list(first_outcome.links)
        if first_outcome.html is not None and plan[0].policy_kind:
            policy_html[plan[0].url] = first_outcome.html
        sitemap = first_outcome.sitemap
        depth = 1
        level_links = [(u, "") for u in sitemap] + level_links
        while depth <= settings.max_depth and len(plan) < settings.max_pages:
            targets = self._order(level_links, depth, seen)
            if not targets:
                break
            targets = targets[: settings.max_pages - len(plan)]
            outcomes = await self._visit_many(context, recorder, targets, phase)
            level_links = []
            for target, outcome in zip(targets, outcomes, strict=True):
                plan.append(target)
                if outcome.visit:
                    visits.append(outcome.visit)
                skips.extend(outcome.skips)
                level_links.extend(outcome.links)
                if target.policy_kind and outcome.html is not None:
                    policy_html[target.url] = outcome.html
            depth += 1

    def _order(self, links: list[tuple[str, str]], depth: int, seen: set[str]) -> list[_Target]:
        site = None
        candidates: dict[str, str] = {}
        for href, text in links:
            url = normalise_url(href)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or url in seen or url in candidates:
                continue
            if not self.settings.url_allowed(url):
                continue
            candidates[url] = text
        start_site = self._site
        out = []
        for url in sorted(candidates):
            host = urlsplit(url).hostname or ""
            if registrable_domain(host) != start_site:
                continue
            out.append(url)
        del site
        rng = random.Random(f"{self.settings.seed}:{depth}")
        rng.shuffle(out)
        targets = [_Target(u, depth, _policy_kind(u, candidates[u])) for u in out]
        targets.sort(key=lambda t: t.policy_kind is None)  # stable: policy links first
        for t in targets:
            seen.add(t.url)
        return targets

    @property
    def _site(self) -> str:
        return registrable_domain(urlsplit(self.settings.urls[0]).hostname or "")

    async def _run_plan(
        self,
        context: BrowserContext,
        recorder: PhaseRecorder,
        targets: list[_Target],
        visits: list[PageVisit],
        skips: list[SkippedPage],
        phase: Phase,
    ) -> None:
        outcomes = await self._visit_many(context, recorder, targets, phase)
        for outcome in outcomes:
            if outcome.visit:
                visits.append(outcome.visit)
            skips.extend(outcome.skips)

    async def _visit_many(
        self,
        context: BrowserContext,
        recorder: PhaseRecorder,
        targets: list[_Target],
        phase: Phase,
    ) -> list[_Outcome]:
        sem = asyncio.Semaphore(self.settings.concurrency)
        done = 0

        async def one(target: _Target) -> _Outcome:
            nonlocal done
            async with sem:
                if time.monotonic() >= self._deadline:
                    return _Outcome(
                        skips=[
                            SkippedPage(
                                url=target.url,
                                reason=SkipReason.BUDGET,
                                detail="the scan timeout ran out",
                            )
                        ]
                    )
                outcome, _ = await self._visit(context, recorder, target)
                self._notes.extend(f"{phase.value}: {n}" for n in outcome.notes)
                done += 1
                if self.progress:
                    self.progress(phase.value, done + 1, len(targets) + 1)
                return outcome

        return list(await asyncio.gather(*(one(t) for t in targets)))

    async def _visit(
        self,
        context: BrowserContext,
        recorder: PhaseRecorder,
        target: _Target,
        *,
        keep_open: bool = False,
    ) -> tuple[_Outcome, Page | None]:
        """Visit one page; never raises for the page's own failures."""
        outcome = _Outcome()
        timeout_s = max(0.5, min(self.settings.page_timeout, self._deadline - time.monotonic()))
        page = await context.new_page()
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
            await recorder.settle(page, max_s=min(2.0, max(0.1, remaining)))
            ctype = (await response.header_value("content-type") or "").lower()
            status = response.status
            title = None
            if any(t in ctype for t in _HTML_TYPES) or not ctype:
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
                load_ms=round((time.monotonic() - t0) * 1000, 1),
            )
            if status >= 400:
                outcome.skips.append(
                    SkippedPage(
                        url=target.url, reason=SkipReason.HTTP_ERROR, detail=f"HTTP {status}"
                    )
                )
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
        if keep_open and outcome.visit is not None and not page.is_closed():
            return outcome, page
        await _quiet(page.close(), None)
        recorder.detach(page)
        return outcome, None

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
        parts = urlsplit(start_url)
        url = f"{parts.scheme}://{parts.netloc}/sitemap.xml"
        script = """async (url) => {
          const ctl = new AbortController(); setTimeout(() => ctl.abort(), 5000);
          try { const r = await fetch(url, {signal: ctl.signal, credentials: 'omit'});
                if (!r.ok) return '';
                const t = await r.text(); return t.length > 5000000 ? '' : t; }
          catch (e) { return ''; } }"""
        body = await _quiet(page.evaluate(script, url), "")
        if not body:
            return []
        # A regular expression, not an XML parser: the body is untrusted (no entity expansion).
        locs = [html.unescape(m.strip()) for m in _LOC.findall(str(body))]
        return [urljoin(url, loc) for loc in locs if loc][:1000]


async def _quiet(awaitable: Awaitable[T], default: T | None = None) -> T | None:
    """Await a best-effort browser call (the page may be gone): errors become `default`."""
    try:
        return await awaitable
    except (PlaywrightError, TimeoutError):
        return default


def _autoconsent_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("duckduckgo-autoconsent-py")
    except Exception:
        return None
