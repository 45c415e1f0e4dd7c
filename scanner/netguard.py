"""Keeps a scan's browser off private addresses, whatever the pages ask for.

The crawler refuses a page whose host is a private address before it navigates, but a public
page can still make Chromium reach one: an image, a script, a frame or a worker's fetch with a
private host, or a redirect to one (Playwright's routing never sees the hops of a redirect).
So every request of the profile's browser is paused by a browser-wide CDP ``Fetch``
interceptor (it sees redirect hops, out-of-process frames and workers alike) and failed when
the crawler's own rule refuses its host: a non-public IP literal or ``localhost``, or a name
that resolves to a non-public address, unless ``--allow-private`` or a ``--resolve`` entry
names it. Not installed when the settings can refuse nothing (``--allow-private``, or
``--resolve '*:...'``, which sends every host where the operator chose): it costs a round
trip per request (measured in BENCHMARKS.md).

A name is looked up once per scan (the crawler caches the answer); Chromium looks it up again
when it connects, so a name whose DNS answer changes in between (rebinding) is not caught here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession
from playwright.async_api import Error as PlaywrightError

#: Only requests that reach a host are checked (``data:``, ``blob:`` and the like reach none).
_NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")


class PrivateAddressGuard:
    """Fails the requests of one browser whose host ``refused(url)`` gives a reason for."""

    def __init__(self, refused: Callable[[str], Awaitable[str | None]]) -> None:
        self._refused = refused
        self._session: CDPSession | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        #: host -> (why, the first URL refused there), in the order they were met
        self.refused: dict[str, tuple[str, str]] = {}

    async def install(self, context: BrowserContext) -> None:
        browser = context.browser
        if browser is None:  # Playwright gives persistent contexts their browser; be explicit
            raise RuntimeError("the profile has no browser to guard")
        session = await browser.new_browser_cdp_session()
        session.on("Fetch.requestPaused", self._paused)
        await session.send(
            "Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}
        )
        self._session = session

    def notes(self, limit: int = 5) -> list[str]:
        """One line per refused host (the first ``limit``), for the scan's notes."""
        lines = [
            f"requests to {host} refused ({why}), first {url[:200]}"
            for host, (why, url) in list(self.refused.items())[:limit]
        ]
        if len(self.refused) > limit:
            lines.append(f"... and requests to {len(self.refused) - limit} more private hosts")
        return lines

    def _paused(self, event: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._decide(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _decide(self, event: dict[str, Any]) -> None:
        session = self._session
        request_id = event.get("requestId")
        if session is None or request_id is None:
            return
        url = str((event.get("request") or {}).get("url") or "")
        why: str | None
        try:
            why = await self._refused(url) if url.startswith(_NETWORK_SCHEMES) else None
        except Exception as exc:  # a request nobody answers would hang its page: refuse it
            why = f"not checked: {type(exc).__name__}"
        try:
            if why is None:
                await session.send("Fetch.continueRequest", {"requestId": request_id})
                return
            self.refused.setdefault(_host_of(url), (why, url))
            await session.send(
                "Fetch.failRequest", {"requestId": request_id, "errorReason": "AccessDenied"}
            )
        except PlaywrightError:
            pass  # the request, its page or the browser is gone


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or url[:100]
    except ValueError:  # Chromium sends canonical URLs; a note must not fail on another
        return url[:100]
