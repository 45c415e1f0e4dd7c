"""What a site's banner tells our consent API during a phase: its choices and the receipts.

When the scanned site loads our banner (`consent_api/static/banner.js`) or an adapter, the
browser fetches `GET {api}/v1/sites/{key}/config` and, on a click, posts the choice to
`POST {api}/v1/sites/{key}/consents`; the API answers with a receipt (`consent_id`, `seq`,
`recorded_at`, `hash`, `checkpoint`) or an error (`{"error": {"code", ...}}`).
`ConsentApiWatcher` listens to the phase's browser context for those two requests and keeps
what they carried (`ConsentApiUse` on the phase). Everything in them is controlled by the
scanned site: parsed defensively, sizes capped, never evaluated.

The parsing is plain functions (`parse_post`, `parse_config`), tested without a browser.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Request
from playwright.async_api import Error as PlaywrightError

from scanner.model import ConsentApiUse, ConsentPost

__all__ = ["ConsentApiWatcher", "api_call", "parse_config", "parse_post"]

_PATH = re.compile(r"^/v1/sites/(?P<key>[A-Za-z0-9_-]{1,128})/(?P<kind>consents|config)/?$")
MAX_BODY = 65536
MAX_CATEGORIES = 64
_TEXT = 200


def api_call(url: str, method: str) -> tuple[str, str, str] | None:
    """`(kind, api origin, site key)` when a request is a banner's call to the consent API:
    kind `post` (a choice) or `config`; None for anything else."""
    parts = urlsplit(url)
    match = _PATH.match(parts.path)
    if match is None or parts.scheme not in ("http", "https"):
        return None
    kind = match["kind"]
    if kind == "consents" and method == "POST":
        return "post", f"{parts.scheme}://{parts.netloc}", match["key"]
    if kind == "config" and method == "GET":
        return "config", f"{parts.scheme}://{parts.netloc}", match["key"]
    return None


def _json(raw: str | bytes | None) -> Any:
    if raw is None or len(raw) > MAX_BODY:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _text(value: Any) -> str | None:
    return value[:_TEXT] if isinstance(value, str) else None


def _choices(value: Any) -> dict[str, bool]:
    if not isinstance(value, dict):
        return {}
    out = {}
    for key, flag in list(value.items())[:MAX_CATEGORIES]:
        if isinstance(key, str) and isinstance(flag, bool):
            out[key[:_TEXT]] = flag
    return out


def parse_post(
    post_data: str | bytes | None,
    status: int | None,
    body: bytes | str | None,
    page: str | None,
    failure: str | None = None,
) -> ConsentPost:
    """A consent POST and its answer: what the banner sent, the receipt or the API's error."""
    sent = _json(post_data)
    sent = sent if isinstance(sent, dict) else {}
    answer = _json(body)
    answer = answer if isinstance(answer, dict) else {}
    error = failure
    if status is not None and not 200 <= status < 300:
        detail = answer.get("error")
        code = detail.get("code") if isinstance(detail, dict) else None
        error = _text(code) or f"HTTP {status}"
    receipt = answer if status is not None and 200 <= status < 300 else {}
    seq = receipt.get("seq")
    return ConsentPost(
        page=_text(page),
        consent_id=_text(sent.get("consent_id")) or _text(receipt.get("consent_id")),
        action=_text(sent.get("action")),
        choices=_choices(sent.get("choices")),
        status=status,
        error=error,
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        hash=_text(receipt.get("hash")),
        recorded_at=_text(receipt.get("recorded_at")),
    )


def parse_config(body: bytes | str | None) -> tuple[list[str], list[str]]:
    """The site's category ids and the required ones, from the banner's `/config` answer."""
    config = _json(body)
    categories = config.get("categories") if isinstance(config, dict) else None
    ids: list[str] = []
    required: list[str] = []
    for item in categories[:MAX_CATEGORIES] if isinstance(categories, list) else []:
        cid = _text(item.get("id")) if isinstance(item, dict) else None
        if cid is None or cid in ids:
            continue
        ids.append(cid)
        if item.get("required") is True:
            required.append(cid)
    return ids, required


@dataclass
class _Api:
    categories: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    posts: list[tuple[int, ConsentPost]] = field(default_factory=list)


class ConsentApiWatcher:
    """Listens to one phase's browser context for the banner's calls to the consent API."""

    def __init__(self, context: BrowserContext) -> None:
        self._apis: dict[tuple[str, str], _Api] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._order = 0
        context.on("requestfinished", self._on_finished)
        context.on("requestfailed", self._on_failed)

    def _api(self, api: str, key: str) -> _Api:
        return self._apis.setdefault((api, key), _Api())

    def _on_finished(self, request: Request) -> None:
        call = api_call(request.url, request.method)
        if call is None:
            return
        self._order += 1
        task = asyncio.ensure_future(self._read(request, *call, self._order))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_failed(self, request: Request) -> None:
        call = api_call(request.url, request.method)
        if call is None or call[0] != "post":
            return
        self._order += 1
        post = parse_post(
            _post_data(request), None, None, _page(request), request.failure or "no answer"
        )
        self._api(call[1], call[2]).posts.append((self._order, post))

    async def _read(self, request: Request, kind: str, api: str, key: str, order: int) -> None:
        status: int | None = None
        body: bytes | None = None
        failure = None
        try:
            response = await request.response()
            if response is not None:
                status = response.status
                body = await response.body()
        except PlaywrightError as exc:  # the page went away before the body was read
            failure = str(exc).splitlines()[0][:_TEXT] if str(exc) else "body unavailable"
        seen = self._api(api, key)
        if kind == "config":
            if status == 200 and not seen.categories:
                seen.categories, seen.required = parse_config(body)
            return
        seen.posts.append(
            (order, parse_post(_post_data(request), status, body, _page(request), failure))
        )

    async def settle(self, timeout_s: float = 5.0) -> None:
        """Wait (bounded) for the answers still being read."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)

    def use(self) -> ConsentApiUse | None:
        """The API the banner used in this phase (the one it posted to, else the one it asked
        its configuration from); None when the site does not talk to our consent API."""
        if not self._apis:
            return None
        (api, key), seen = max(self._apis.items(), key=lambda item: len(item[1].posts))
        return ConsentApiUse(
            api=api,
            site_key=key,
            categories=seen.categories,
            required=seen.required,
            posts=[post for _, post in sorted(seen.posts, key=lambda p: p[0])],
        )


def _post_data(request: Request) -> str | None:
    try:
        return request.post_data
    except (PlaywrightError, UnicodeDecodeError):
        return None


def _page(request: Request) -> str | None:
    try:
        return request.frame.url or None
    except PlaywrightError:
        return None
