"""The declaration from audit run to policy page, for real: an audit linked to a consent-API
site scans the fixture shop (real Chromium), its run publishes the declaration in the product's
one database, the consent API (served over HTTPS on loopback) serves it, and the API's
`declaration.js` renders it into a policy page on another origin in real Chromium, in French,
naming the cookies that the banner's categories do not cover. A page on an origin the site did
not register gets nothing (CORS), and keeps its own text.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright

from audits import AuditSettings, AuditStore, History, RunState, build_spec
from audits.publish import publish_to_consent_site
from audits.runner import Outcome, Runner
from consent_api.db import State
from consent_api.sites import DEFAULT_CATEGORIES, create_site
from scanner.browser import find_chromium, launch_args
from scanner.demo.server import LocalWeb
from tests.consent_api.conftest import make_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POLICY_HOST = "www.policy-page.test"
OTHER_HOST = "www.elsewhere.test"
API_HOST = "consent.policy-page.test"


def policy_page(site_key: str) -> Flask:
    page = Flask("policy-page")

    @page.get("/privacy")
    def privacy() -> str:
        return (
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
            "<title>Politique de cookies</title></head><body><h1>Cookies</h1>"
            "<div data-cookie-declaration><p id='own'>Liste à venir.</p></div>"
            f"<script src='https://{API_HOST}/declaration.js' data-site-key='{site_key}' "
            f"data-api='https://{API_HOST}' data-lang='fr' defer></script></body></html>"
        )

    return page


@pytest.fixture
def consent_api(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'cookie-audit.db'}")
    yield app
    state = app.extensions["consent_api"]
    assert isinstance(state, State)
    state.close()


def test_a_run_publishes_and_the_policy_page_shows_it(
    consent_api: Flask, local_web: LocalWeb, tmp_path: Path
) -> None:
    state = consent_api.extensions["consent_api"]
    assert isinstance(state, State)
    categories = [c for c in DEFAULT_CATEGORIES if c["id"] in {"necessary", "analytics"}]
    with state.engine.begin() as conn:
        site = create_site(
            conn,
            {"name": "Shop", "origins": [f"https://{POLICY_HOST}"], "categories": categories},
        )
    store = AuditStore.open(
        AuditSettings(database_url=f"sqlite:///{tmp_path / 'cookie-audit.db'}", heartbeat_s=1.0)
    )
    try:
        name = store.add(
            build_spec(
                {
                    "name": f"shop-{secrets.token_hex(2)}",
                    "url": "https://www.shop.test/",
                    "max_pages": 1,
                    "depth": 0,
                    "phases": "none",
                    "resolve": list(local_web.resolve),
                    "ignore_https_errors": True,
                    "consent_site": site.site_key,
                }
            )
        ).name
        result = Runner(store).execute(store.create_run(name).id)
        assert result.outcome is Outcome.FINISHED and result.run is not None
        run = result.run
        assert run.state is RunState.SUCCEEDED, run.error
        assert run.declaration == "published"
        history = History(store.engine)
        scan = history.scan(run.id)
        # a key that names no site is said on the run, not raised
        assert publish_to_consent_site(store.engine, "pk_nope", scan, audit=name, run=1) == (
            "unknown site"
        )
    finally:
        store.close()
    names = {c.name for c in scan.cookies}
    assert names, "the fixture shop sets cookies before any choice"

    sites = {
        POLICY_HOST: policy_page(site.site_key).wsgi_app,
        OTHER_HOST: policy_page(site.site_key).wsgi_app,
        API_HOST: consent_api.wsgi_app,
    }
    with LocalWeb(sites) as web, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=find_chromium(p),
            args=launch_args(resolve=web.resolve),
        )
        try:
            page = browser.new_page(ignore_https_errors=True)
            with page.expect_response(lambda r: "/declaration?" in r.url) as served:
                page.goto(f"https://{POLICY_HOST}/privacy")
            response = served.value
            assert response.status == 200
            body = response.json()
            assert body["source"] == f"audit {name} run #1"
            fr = body["document"]["fr"]
            assert body["document"]["en"]["lang"] == "en" and fr["lang"] == "fr"
            page.wait_for_selector("section.cookie-declaration")
            shown = page.locator("section.cookie-declaration")
            assert shown.get_attribute("lang") == "fr"
            assert page.locator("#own").count() == 0  # the page's own text was replaced
            headings = shown.locator("th").all_inner_texts()
            assert {"Nom", "Fournisseur", "Finalité", "Durée de vie", "Déposé par"} <= set(headings)
            assert set(shown.locator("td code").all_inner_texts()) == names
            assert shown.locator("h3").all_inner_texts() == [c["label"] for c in fr["categories"]]
            outside = fr["not_in_banner"]
            assert outside is not None
            warning = page.locator(".cookie-declaration-warning")
            if outside:
                assert all(n in warning.inner_text() for n in outside)
            else:
                assert warning.count() == 0

            other = browser.new_page(ignore_https_errors=True)
            with other.expect_event(
                "requestfailed", lambda r: "/declaration?" in r.url
            ) as refused:  # the API answers 403 without CORS headers: the browser drops it
                other.goto(f"https://{OTHER_HOST}/privacy")
            assert refused.value.failure is not None
            other.wait_for_load_state("networkidle")
            assert other.locator("#own").inner_text() == "Liste à venir."
            assert other.locator("section.cookie-declaration").count() == 0
        finally:
            browser.close()
