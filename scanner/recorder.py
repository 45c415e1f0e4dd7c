"""Record what a phase of a scan leaves in the browser, and who put it there.

* HTTP cookies: a CDP session per page (`Network.responseReceivedExtraInfo`) lists every
  Set-Cookie header of every response, blocked ones included with the reason; the response URL
  is the setter. The pages run with site isolation off (see `RECORDER_ARGS`) so cross-site
  iframes (a YouTube embed) share the page's process and their responses reach that session.
* JS cookies: an init script wraps the `document.cookie` setter and `cookieStore.set` and
  reports the written string with the calling script's URL (from `new Error().stack`) through
  an exposed binding.
* What Chrome actually stores: `context.cookies()` after each page and at the end of the phase.
  The lifetime the site *requested* is kept beside the stored one (Chrome caps at 400 days).
* Storage keys per origin in every frame reachable, and third-party hosts with request counts.

CDP and Playwright camelCase dicts become our records in one function each
(`cookie_from_playwright`, `scanner.setcookie.parse_set_cookie`). A Set-Cookie header Chromium
refuses (a Domain of another site, SameSite=None without Secure...) is kept with its reasons as
a `BlockedCookie`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Frame, Page
from playwright.async_api import Error as PlaywrightError

from scanner.domains import registrable_domain
from scanner.hops import HopLog
from scanner.model import (
    BlockedCookie,
    Cookie,
    Party,
    SetByKind,
    StorageEntry,
    StorageKind,
    ThirdPartyHost,
)
from scanner.setcookie import SetCookie, content_length, parse_set_cookie
from scanner.values import describe_value

#: Chromium flags the recorder needs: cross-site iframes in the page's own process, so one CDP
#: session per page sees every response (and its Set-Cookie headers) of every frame.
RECORDER_ARGS: tuple[str, ...] = (
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
)

BINDING = "__cookieAuditCookieWrite"

INIT_SCRIPT = rf"""
(() => {{
  if (window.__cookieAuditInstalled) return;
  window.__cookieAuditInstalled = true;
  const report = window['{BINDING}'];
  const caller = () => {{
    const stack = String(new Error().stack || '').split('\n').slice(2);
    for (const line of stack) {{
      const m = line.match(/(https?:\/\/[^\s)]+?)(:\d+)?(:\d+)?\)?\s*$/);
      if (m) return m[1];
    }}
    return '';
  }};
  const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (desc && desc.set) {{
    Object.defineProperty(Document.prototype, 'cookie', {{
      configurable: true, enumerable: desc.enumerable,
      get() {{ return desc.get.call(this); }},
      set(v) {{
        try {{ report && report(String(v), caller(), location.href); }} catch (e) {{}}
        return desc.set.call(this, v);
      }},
    }});
  }}
  if (window.cookieStore && window.CookieStore) {{
    const orig = CookieStore.prototype.set;
    CookieStore.prototype.set = function (a, b) {{
      try {{
        let s;
        if (typeof a === 'object') {{
          s = a.name + '=' + (a.value || '');
          if (a.domain) s += '; domain=' + a.domain;
          if (a.path) s += '; path=' + a.path;
          if (a.expires) s += '; expires=' + new Date(a.expires).toUTCString();
        }} else {{ s = a + '=' + b; }}
        report && report(s, caller(), location.href);
      }} catch (e) {{}}
      return orig.apply(this, arguments);
    }};
  }}
}})();
"""

_STORAGE_JS = """() => {
  const out = {origin: location.origin, local: [], session: []};
  try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);
        out.local.push([k, String(localStorage.getItem(k) ?? '')]); } } catch (e) {}
  try { for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i);
        out.session.push([k, String(sessionStorage.getItem(k) ?? '')]); } } catch (e) {}
  return out;
}"""


@dataclass
class Setter:
    """Who wrote a cookie, and the lifetime it asked for."""

    url: str
    kind: SetByKind
    requested_lifetime_days: float | None
    page: str | None = None


def cookie_from_playwright(
    raw: dict[str, Any],
    *,
    site: str,
    setter: Setter | None,
    first_seen_page: str | None,
    first_seen_at: float,
    keep_values: bool,
) -> Cookie:
    """Playwright's `context.cookies()` item -> our Cookie (the one place that reads it)."""
    domain = str(raw["domain"])
    expires_ts = float(raw.get("expires", -1))
    session = expires_ts <= 0
    same_site = raw.get("sameSite")
    partition = str(raw.get("partitionKey") or "")
    # Chromium's ancestor chain bit (Playwright passes it through as it stores it)
    cross_site = raw.get("_crHasCrossSiteAncestor")
    return Cookie(
        name=str(raw["name"]),
        domain=domain,
        path=str(raw.get("path") or "/"),
        host_only=not domain.startswith("."),
        expires=None if session else datetime.fromtimestamp(expires_ts, UTC),
        lifetime_days=None if session else round((expires_ts - first_seen_at) / 86400, 4),
        requested_lifetime_days=setter.requested_lifetime_days if setter else None,
        http_only=bool(raw.get("httpOnly", False)),
        secure=bool(raw.get("secure", False)),
        same_site=str(same_site) if same_site else None,
        partitioned=bool(partition),
        partition_site=partition or None,
        partition_cross_site=bool(cross_site) if partition and cross_site is not None else None,
        party=Party.FIRST if registrable_domain(domain) == site else Party.THIRD,
        set_by=setter.url if setter else None,
        set_by_kind=setter.kind if setter else SetByKind.UNKNOWN,
        first_seen_page=first_seen_page,
        value=describe_value(str(raw.get("value", "")), keep=keep_values),
    )


@dataclass
class _PageState:
    url: str
    inflight: set[str] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    document_too_large: bool = False


@dataclass
class PhaseRecorder:
    """Everything one phase observes; one per browser context."""

    context: BrowserContext
    site: str
    keep_values: bool = False
    max_body_bytes: int = 20_000_000
    setters: dict[tuple[str, str], Setter] = field(default_factory=dict)
    _blocked: dict[tuple[str, str, str], BlockedCookie] = field(default_factory=dict)
    _seen: dict[tuple[str, str, str, str, bool], tuple[str | None, float]] = field(
        default_factory=dict
    )
    _last_cookies: list[dict[str, Any]] = field(default_factory=list)
    _storage: dict[tuple[str, StorageKind, str], StorageEntry] = field(default_factory=dict)
    _hosts: dict[str, list[Any]] = field(default_factory=dict)
    _pages: dict[Page, _PageState] = field(default_factory=dict)
    _tasks: set[asyncio.Future[Any]] = field(default_factory=set)

    async def install(self) -> None:
        await self.context.expose_binding(BINDING, self._on_js_cookie)
        await self.context.add_init_script(INIT_SCRIPT)

    # --- JS cookies ------------------------------------------------------------------------

    def _on_js_cookie(self, source: dict[str, Any], text: str, script: str, href: str) -> None:
        parsed = parse_set_cookie(text, href or "https://unknown.invalid/", time.time())
        if parsed is None:
            return
        page = source.get("page")
        page_url = self._page_url(page) if page is not None else None
        self._remember(
            parsed,
            Setter(script or href, SetByKind.SCRIPT, parsed.requested_lifetime_days, page_url),
        )

    def _page_url(self, page: Any) -> str | None:
        state = self._pages.get(page)
        return state.url if state else None

    def _remember(self, parsed: SetCookie, setter: Setter) -> None:
        key = (parsed.name, parsed.domain)
        old = self.setters.get(key)
        if old is None:
            self.setters[key] = setter
        elif setter.requested_lifetime_days is not None:
            old.requested_lifetime_days = setter.requested_lifetime_days

    # --- pages -----------------------------------------------------------------------------

    async def attach(self, page: Page) -> _PageState:
        """CDP session on the page: Set-Cookie headers, requests, in-flight count."""
        state = _PageState(url=page.url)
        self._pages[page] = state
        hops: HopLog[dict[str, Any]] = HopLog()  # which URL answered which response
        session = await self.context.new_cdp_session(page)

        def will_send(ev: dict[str, Any]) -> None:
            rid = ev["requestId"]
            url = ev["request"]["url"]
            redirect = ev.get("redirectResponse") or {}
            cached = bool(redirect.get("fromDiskCache") or redirect.get("fromServiceWorker"))
            state.inflight.add(rid)
            state.last_activity = time.monotonic()
            self._count_host(url, str(ev.get("type", "Other")), state.url)
            for answered_by, waiting in hops.sent(rid, url, cached_redirect=cached):
                set_cookies(answered_by, waiting)

        def received(ev: dict[str, Any]) -> None:
            resp = ev["response"]
            length = content_length(resp.get("headers", {}))
            if ev.get("type") == "Document" and length and length > self.max_body_bytes:
                state.document_too_large = True

        def done(ev: dict[str, Any]) -> None:
            state.inflight.discard(ev["requestId"])
            state.last_activity = time.monotonic()

        def extra_info(ev: dict[str, Any]) -> None:
            for url, event in hops.answered(ev["requestId"], ev):
                set_cookies(url, event)

        def set_cookies(url: str, ev: dict[str, Any]) -> None:
            now = time.time()
            blocked = {
                str(b.get("cookieLine") or ""): [str(r) for r in b.get("blockedReasons") or []]
                for b in ev.get("blockedCookies") or []
            }
            for name, value in (ev.get("headers") or {}).items():
                if name.lower() != "set-cookie":
                    continue
                for line in str(value).split("\n"):
                    parsed = parse_set_cookie(line, url, now)
                    if parsed is None:
                        continue
                    reasons = blocked.get(line)
                    if reasons:
                        self._blocked.setdefault(
                            (parsed.name, parsed.domain, url),
                            BlockedCookie(
                                name=parsed.name,
                                domain=parsed.domain,
                                set_by=url,
                                reasons=reasons,
                                page=state.url,
                            ),
                        )
                        continue
                    self._remember(
                        parsed,
                        Setter(url, SetByKind.HTTP, parsed.requested_lifetime_days, state.url),
                    )

        session.on("Network.requestWillBeSent", will_send)
        session.on("Network.responseReceived", received)
        session.on("Network.loadingFinished", done)
        session.on("Network.loadingFailed", done)
        session.on("Network.responseReceivedExtraInfo", extra_info)
        await session.send("Network.enable")
        return state

    def _count_host(self, url: str, rtype: str, page_url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return
        host = parts.hostname.lower()
        if registrable_domain(host) == self.site:
            return
        entry = self._hosts.get(host)
        if entry is None:
            self._hosts[host] = [1, page_url, {rtype.lower()}]
        else:
            entry[0] += 1
            entry[2].add(rtype.lower())

    async def settle(self, page: Page, quiet_s: float = 0.1, max_s: float = 2.0) -> None:
        """Wait until the page's requests are done and `quiet_s` passed without one, bounded.

        The quiet is counted from the call at the earliest: requests an interaction just
        triggered may not have been reported yet.
        """
        state = self._pages.get(page)
        if state is None:
            return
        start = time.monotonic()
        deadline = start + max_s
        while time.monotonic() < deadline:
            quiet_since = max(state.last_activity, start)
            if not state.inflight and time.monotonic() - quiet_since >= quiet_s:
                return
            await asyncio.sleep(0.025)

    def page_state(self, page: Page) -> _PageState | None:
        return self._pages.get(page)

    def detach(self, page: Page) -> None:
        self._pages.pop(page, None)

    # --- snapshots -------------------------------------------------------------------------

    async def snapshot(self, page: Page | None, page_url: str | None) -> None:
        """Cookies as stored now (and storage of the page's frames), first-seen bookkeeping."""
        if page is not None:
            await self._storage_of(page, page_url)
        try:
            cookies = await self.context.cookies()
        except PlaywrightError:
            return
        now = time.time()
        for raw in cookies:
            key = _identity(raw)
            if key not in self._seen:
                self._seen[key] = (page_url, now)
        self._last_cookies = [dict(c) for c in cookies]

    async def _storage_of(self, page: Page, page_url: str | None) -> None:
        """localStorage and sessionStorage of every frame, read all at once, in frame order."""
        frames: list[Frame] = list(page.frames)
        reads = await asyncio.gather(
            *(asyncio.wait_for(frame.evaluate(_STORAGE_JS), timeout=2) for frame in frames),
            return_exceptions=True,
        )
        for data in reads:
            if isinstance(data, BaseException):
                if isinstance(data, PlaywrightError | TimeoutError):
                    continue  # a frame that went away or never answers has nothing to read
                raise data
            origin = str(data.get("origin") or "")
            if not origin or origin == "null":
                continue
            for kind, items in (
                (StorageKind.LOCAL, data["local"]),
                (StorageKind.SESSION, data["session"]),
            ):
                for key, value in items:
                    ident = (origin, kind, str(key))
                    if ident not in self._storage:
                        self._storage[ident] = StorageEntry(
                            origin=origin,
                            kind=kind,
                            key=str(key),
                            value=describe_value(str(value), keep=self.keep_values),
                            first_seen_page=page_url,
                        )

    def cookies(self) -> list[Cookie]:
        out = []
        for raw in self._last_cookies:
            name, domain = str(raw["name"]), str(raw["domain"])
            first_page, first_at = self._seen.get(_identity(raw), (None, time.time()))
            setter = self.setters.get((name, domain.lstrip(".").lower()))
            if setter is not None and setter.page:
                first_page = setter.page  # where it was written beats where it was noticed
            out.append(
                cookie_from_playwright(
                    raw,
                    site=self.site,
                    setter=setter,
                    first_seen_page=first_page,
                    first_seen_at=first_at,
                    keep_values=self.keep_values,
                )
            )
        out.sort(key=lambda c: (c.domain.lstrip("."), c.name, c.path, *c.key[3:]))
        return out

    def blocked_cookies(self) -> list[BlockedCookie]:
        return [self._blocked[k] for k in sorted(self._blocked)]

    def storage(self) -> list[StorageEntry]:
        return sorted(self._storage.values(), key=lambda s: (s.origin, s.kind.value, s.key))

    def third_party_hosts(self) -> list[ThirdPartyHost]:
        return [
            ThirdPartyHost(
                host=host,
                registrable_domain=registrable_domain(host),
                requests=count,
                first_seen_page=first,
                resource_types=sorted(types),
            )
            for host, (count, first, types) in sorted(self._hosts.items())
        ]


def _identity(raw: Mapping[str, object]) -> tuple[str, str, str, str, bool]:
    """A stored cookie's identity: name, domain, path and partition (CHIPS: top-level site and
    cross-site ancestor bit)."""
    path = str(raw.get("path") or "/")
    partition = str(raw.get("partitionKey") or "")
    cross_site = bool(partition and raw.get("_crHasCrossSiteAncestor"))
    return (str(raw["name"]), str(raw["domain"]), path, partition, cross_site)
