"""`cookie-audit dashboard-demo`: the demo shop's history, made by the product's own machinery.

Run by ``make run`` after ``cookie-audit demo``, on the product's database:

1. the bundled demo shop is registered as the audit ``tea-demo`` (paused: its pages only exist
   while a demo serves them), linked to the consent-API site "Tea demo shop";
2. run A goes through the audits' embedded runner (claim, store, what changed, the declaration
   published to the consent site). Its scan is the one ``cookie-audit demo`` has just made of the
   same shop with the same settings (``results/demo/scan.json``, when it is a complete scan of
   the demo URL at most an hour old that no run holds yet), handed to the runner instead of
   scanning the shop a second time; without such a file the runner scans;
3. run B: the runner scans the shop after its plugin update (the Meta pixel loads before any
   choice, what ``cookie-audit demo --serve --plugin-update`` serves), so "what changed" and the
   alert's wording have something to say;
4. visitors answer the banner: their choices and impressions are POSTed to the consent API as
   ``banner.js`` posts them, through the API's whole WSGI stack (validation, ledger), so the
   consent statistics count real ledger records.

Each ``make run`` adds two runs (plain, then updated) and more visitors.
"""

from __future__ import annotations

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, select

from audits import AuditInputError, AuditNotFoundError, AuditStore, build_spec
from audits.records import RunInfo
from audits.runner import Runner
from audits.settings import load_settings
from consent_api.sites import SITES, create_site
from scanner.config import ScanSettings
from scanner.model import Scan

AUDIT = "tea-demo"
SITE_NAME = "Tea demo shop"
ORIGIN = "https://www.tea-demo.test"
#: a scan of the demo older than this is not reused as run A
FRESH = timedelta(hours=1)


def fresh_demo_scan(path: Path | None, now: datetime | None = None) -> Scan | None:
    """The scan ``cookie-audit demo`` just wrote, if it is a complete, recent scan of the demo
    shop in every consent phase (what the audit itself would have scanned); else None."""
    from scanner.demo.site import DEMO_URL
    from scanner.model import Phase

    if path is None or not path.is_file():
        return None
    scan = Scan.model_validate_json(path.read_text("utf-8"))
    now = now or datetime.now(UTC)
    complete = {p.name for p in scan.phases} == set(Phase) and not scan.interrupted
    recent = scan.finished_at is not None and now - scan.finished_at <= FRESH
    return scan if scan.target == DEMO_URL and complete and recent else None


def _stored_already(engine: Engine, scan: Scan) -> bool:
    """Whether a run holds this very document (`dashboard-demo` run twice after one demo)."""
    import hashlib

    from audits.models import DocumentRow

    digest = hashlib.sha256(scan.model_dump_json().encode()).hexdigest()
    with engine.connect() as conn:
        found = conn.execute(select(DocumentRow.run_id).where(DocumentRow.sha256 == digest))
        return found.first() is not None


def _consent_site(engine: Engine) -> str:
    from database import write_transaction

    with write_transaction(engine) as conn:
        key = conn.execute(select(SITES.c.site_key).where(SITES.c.name == SITE_NAME)).scalar()
        if key is None:
            key = create_site(conn, {"name": SITE_NAME, "origins": [ORIGIN]}).site_key
    return str(key)


def _audit(store: AuditStore, site_key: str, resolve: tuple[str, ...]) -> None:
    """Register (or bring back) the audit; its `--resolve` points at this demo's local web."""
    from scanner.demo.site import DEMO_URL

    spec = {
        "name": AUDIT,
        "url": DEMO_URL,
        "every": "weekly",
        "consent_site": site_key,
        "paused": True,  # the demo shop only exists while a demo serves it
        "resolve": list(resolve),
        "ignore_https_errors": True,
    }
    try:
        store.find(AUDIT)
    except AuditNotFoundError:  # new, or removed earlier: `add` brings its history back
        store.add(build_spec(spec))
    else:
        store.edit(AUDIT, {k: v for k, v in spec.items() if k != "name"})


def _run(store: AuditStore, scan: Scan | None) -> RunInfo:
    """One run of the audit now (what `audit run tea-demo` does), scanned by the runner or,
    with ``scan``, handed the scan the demo has just made."""

    async def handed_over(settings: ScanSettings) -> Scan:
        assert scan is not None
        return scan

    runner = Runner(store, scan=handed_over if scan is not None else None)
    run = store.create_run(AUDIT)
    result = runner.execute(run.id, retry=False)
    if result.run is None:
        raise AuditInputError(f"{AUDIT}: run #{run.number} did not finish ({result.reason})")
    return result.run


def visitors(app: Flask, site_key: str, count: int, seed: int) -> int:
    """``count`` visitors answer the banner: impressions and choices POSTed to the consent API
    (through the app's WSGI stack) as banner.js sends them. Returns the records stored."""
    client = app.test_client()
    headers = {"Origin": ORIGIN}
    base = f"/v1/sites/{site_key}"
    config = client.get(f"{base}/config", headers=headers).get_json()
    optional = [c["id"] for c in config["categories"] if not c["required"]]
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    stored = 0

    def post(consent_id: str, action: str, choices: dict[str, bool], lang: str, gpc: bool) -> None:
        nonlocal stored
        body = {
            "consent_id": consent_id,
            "action": action,
            "choices": choices,
            "policy_version": config["policy_version"],
            "banner_revision": config["banner_revision"],
            "language": lang,
            "page_url": f"{ORIGIN}/",
            "client_ts": int((now + timedelta(milliseconds=stored)).timestamp() * 1000),
        }
        response = client.post(
            f"{base}/consents",
            data=json.dumps(body),
            content_type="text/plain;charset=UTF-8",
            headers={**headers, **({"Sec-GPC": "1"} if gpc else {})},
        )
        if response.status_code not in (200, 201):
            raise AuditInputError(f"the consent API refused a demo choice: {response.get_data()!r}")
        stored += 1

    for _ in range(count):
        lang, consent_id, r = rnd.choice(("en", "fr")), str(uuid.uuid4()), rnd.random()
        if r < 0.05:  # Global Privacy Control: no banner shown, refused by the signal
            post(consent_id, "gpc", {c: False for c in optional}, lang, gpc=True)
            continue
        client.post(f"{base}/impressions", headers=headers)
        if r < 0.45:
            post(consent_id, "accept_all", {c: True for c in optional}, lang, gpc=False)
        elif r < 0.8:
            post(consent_id, "reject_all", {c: False for c in optional}, lang, gpc=False)
        elif r < 0.95:
            picked = {c: rnd.random() < 0.5 for c in optional}
            post(consent_id, "custom", picked, lang, gpc=False)
        else:  # accepted, then changed their mind
            post(consent_id, "accept_all", {c: True for c in optional}, lang, gpc=False)
            post(consent_id, "withdraw", {c: False for c in optional}, lang, gpc=False)
    return stored


def run_demo(app: Flask, scan_json: Path | None, count: int = 60) -> str:
    """Add the demo's two runs and ``count`` visitors to the database of ``app`` (the composed
    app: consent API and dashboard)."""
    from scanner.demo.server import LocalWeb
    from scanner.demo.site import PLUGIN_UPDATE
    from scanner.demo.site import SITES as DEMO_SITES

    engine: Engine = app.extensions["consent_api"].engine
    site_key = _consent_site(engine)
    store = AuditStore(engine, load_settings(database_url=engine.url.render_as_string(False)))
    given = fresh_demo_scan(scan_json)
    if given is not None and _stored_already(engine, given):
        given = None  # handed over before: this run scans
    lines, number = [], 0
    with LocalWeb(DEMO_SITES) as web, ThreadPoolExecutor(1) as thread:
        _audit(store, site_key, web.resolve)
        # runs in a thread of its own: the runner starts an event loop, and the caller may
        # already run one (Playwright's, in the tests)
        for updated, scan in ((False, given), (True, None)):
            PLUGIN_UPDATE["on"] = updated
            try:
                run = thread.submit(_run, store, scan).result()
            finally:
                PLUGIN_UPDATE["on"] = False
            how = "the demo's scan handed over" if scan is not None else "scanned"
            shop = "after the plugin update" if updated else "as shipped"
            lines.append(f"{AUDIT} #{run.number} ({shop}, {how}): {run.state.value}")
            number = run.number
    stored = visitors(app, site_key, count, seed=number)  # other visitors each time
    lines.append(f"{stored} visitor choices recorded by the consent API ({SITE_NAME})")
    return "\n".join(lines)
