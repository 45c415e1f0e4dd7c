"""`cookie-audit dashboard-demo`: history and consent records for the dashboard's first look.

Run by ``make run`` after ``cookie-audit demo``: on the product's database it registers the
bundled demo shop as an audit (``tea-demo``, paused: its pages only exist while a demo runs)
linked to a consent-API site, stores the demo scan just made as a run, scans the shop again
after a change (a YouTube video embedded before consent, so "what changed" has something to
say), and lets simulated visitors answer the real banner (``banner.js`` from the local consent
API) in real Chromium, so the consent statistics show real ledger records. Run again, it adds
one more run (alternating the change) and more visitors.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, select

from audits import AuditInputError, AuditNotFoundError, AuditSettings, AuditStore, build_spec
from consent_api.sites import SITES, create_site, get_site
from scanner.model import Scan

AUDIT = "tea-demo"
SITE_NAME = "Tea demo shop"
API_HOST = "consent.tea-demo.test"
VISITOR_PATH = "/welcome"
#: the change between two runs: a video embedded before any consent (YouTube sets cookies)
VIDEO = b'<iframe title="Our tea video" src="https://www.youtube.com/embed/teatime"></iframe>'

VISITOR_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Tea demo shop</title><script src="https://{api}/banner.js" data-site-key="{key}"
data-api="https://{api}" defer></script></head><body><h1>Tea demo shop</h1></body></html>"""

#: a visitor's choices through the banner's own buttons (as in the dashboard's browser tests)
CLICKS = """async ([n, seed]) => {
  let x = seed;
  const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  const api = window.CookieAuditConsent;
  const by = (id) => document.getElementById(id);
  let b = null;
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) {
      api.show();
      b = {accept: by('ca-accept'), reject: by('ca-reject'), save: by('ca-save'),
           analytics: by('ca-cat-analytics')};
    }
    const r = rnd();
    if (r < 0.45) { b.accept.click(); }
    else if (r < 0.8) { b.reject.click(); }
    else if (r < 0.95) { if (rnd() < 0.5) { b.analytics.click(); } b.save.click(); }
    else { api.withdraw(); }
    await api.sent;
  }
}"""


def changed_shop(app: Callable[..., Any], with_video: bool, site_key: str) -> Any:
    """The demo shop, with the video or not, plus the page where visitors meet our banner."""
    from urllib.parse import parse_qs

    from markupsafe import escape

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == VISITOR_PATH:
            lang = parse_qs(environ.get("QUERY_STRING", "")).get("lang", ["en"])[0]
            page = VISITOR_PAGE.format(lang=escape(lang), api=API_HOST, key=escape(site_key))
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        if not with_video:
            return app(environ, start_response)  # type: ignore[no-any-return]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        if any(k.lower() == "content-type" and "html" in v for k, v in headers):
            body = body.replace(b"</h1>", b"</h1>" + VIDEO, 1)
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]

    return wsgi


def _consent_site(engine: Engine) -> str:
    from database import write_transaction

    origin = "https://www.tea-demo.test"
    with write_transaction(engine) as conn:
        key = conn.execute(select(SITES.c.site_key).where(SITES.c.name == SITE_NAME)).scalar()
        if key is None:
            key = create_site(conn, {"name": SITE_NAME, "origins": [origin]}).site_key
        get_site(conn, key)
    return str(key)


def _audit(store: AuditStore, site_key: str) -> int:
    from scanner.demo.site import DEMO_URL

    try:
        audit = store.find(AUDIT)
    except AuditNotFoundError:
        spec = build_spec(
            {
                "name": AUDIT,
                "url": DEMO_URL,
                "every": "weekly",
                "consent_site": site_key,
                "paused": True,  # the demo shop only exists while a demo runs
                "max_pages": 20,
            }
        )
        try:
            audit = store.add(spec)
        except AuditInputError:  # removed earlier: bring it back
            audit = store.find(AUDIT, removed=True)
    return audit.run_count


def _store_run(store: AuditStore, scan: Scan) -> int:
    run = store.create_run(AUDIT)
    claim = store.claim(run.id, f"demo@{os.uname().nodename}")
    if claim.run is None:
        raise AuditInputError(f"{AUDIT}: the demo run could not be claimed ({claim.reason})")
    info = store.finish(claim.run, scan)
    return info.number if info else run.number


async def _scan(resolve: tuple[str, ...], out_dir: Path) -> Scan:
    from playwright.async_api import async_playwright

    from scanner.config import ScanSettings
    from scanner.demo.site import DEMO_URL
    from scanner.pipeline import scan_site

    settings = ScanSettings(
        urls=(DEMO_URL,),
        out_dir=out_dir,
        resolve=resolve,
        ignore_https_errors=True,
        page_timeout=10.0,
        executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None,
    )
    async with async_playwright() as pw:
        output = await scan_site(pw, settings, DEMO_URL, out_dir)
    return output.scan


def _visitors(resolve: tuple[str, ...], site_key: str, choices: int) -> None:
    from playwright.sync_api import sync_playwright

    from scanner.browser import find_chromium, launch_args

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=find_chromium(pw, os.environ.get("COOKIE_AUDIT_CHROMIUM") or None),  # type: ignore[arg-type]  # sync or async alike
            args=launch_args(resolve=resolve),
        )
        try:
            for seed, lang in enumerate(("en", "fr"), start=1):
                context = browser.new_context(ignore_https_errors=True, locale=lang)
                page = context.new_page()
                page.goto(f"https://www.tea-demo.test{VISITOR_PATH}?lang={lang}")
                page.wait_for_function("() => window.CookieAuditConsent")
                page.evaluate("() => CookieAuditConsent.ready")
                page.evaluate(CLICKS, [choices, seed * 7 + choices])
                context.close()
        finally:
            browser.close()


def run_demo(app: Flask, scan_json: Path | None, out_dir: Path, choices: int = 30) -> str:
    """Add the demo's runs and visitors to the database of ``app`` (the composed app)."""
    from scanner.demo.server import LocalWeb
    from scanner.demo.site import DEMO_HOST
    from scanner.demo.site import SITES as DEMO_SITES

    engine: Engine = app.extensions["consent_api"].engine
    site_key = _consent_site(engine)
    store = AuditStore(engine, AuditSettings(database_url=str(engine.url)))
    runs = _audit(store, site_key)
    added: list[int] = []
    if runs == 0 and scan_json is not None and scan_json.is_file():
        added.append(_store_run(store, Scan.model_validate_json(scan_json.read_text("utf-8"))))
        runs = 1
    with_video = runs % 2 == 1  # alternate: the run after a plain one has the video
    shop = changed_shop(DEMO_SITES[DEMO_HOST], with_video, site_key)
    sites = {**DEMO_SITES, DEMO_HOST: shop, API_HOST: app.wsgi_app}
    with LocalWeb(sites) as web, ThreadPoolExecutor(1) as thread:
        resolve = tuple(web.resolve)
        # a thread of its own: the caller may already run an event loop (Playwright's)
        scan = thread.submit(lambda: asyncio.run(_scan(resolve, out_dir))).result()
        added.append(_store_run(store, scan))
        thread.submit(_visitors, resolve, site_key, choices).result()
    numbers = ", ".join(f"#{n}" for n in added)
    return f"{AUDIT}: run(s) {numbers} stored, {2 * choices} visitor choices recorded"
