"""The overview, a site, what changed, run reports and audit management, through the test
client on a real SQLite database seeded with runs stored by the audits' own store."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from dashboard.accounts import Role
from tests.dashboard.conftest import Browser, engine_of
from tests.dashboard.history_seed import add_audit, add_run, audit_store
from tests.reports.sample_scans import HOSTILE, before_after, hostile_scan


@pytest.fixture
def seeded(app: Flask, people: dict[Role, str]) -> Flask:
    engine = engine_of(app)
    old, new = before_after()
    add_audit(engine, "boutique", "https://www.boutique-exemple.fr/", every="weekly")
    add_run(engine, "boutique", old)
    add_run(engine, "boutique", new)
    add_audit(engine, "hostile", "https://evil.example/", every="daily")
    add_run(engine, "hostile", hostile_scan())
    add_audit(engine, "fresh", "https://www.fresh.test/")
    return app


def signed_in(app: Flask, role: Role) -> Browser:
    names = {Role.VIEWER: "vera", Role.EDITOR: "eddie", Role.ADMIN: "ada"}
    browser = Browser(app.test_client())
    assert browser.login(names[role]).status_code == 303
    return browser


def test_overview_rows_sort_and_filter(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.VIEWER)
    page = browser.get("/").get_data(as_text=True)
    assert "3 of 3 sites" in page
    names = re.findall(r'<a href="/dashboard/sites/([^"]+)">', page)
    assert names == ["boutique", "hostile", "fresh"] or names[0] in {"boutique", "hostile"}
    boutique = page.split('/dashboard/sites/boutique"')[1].split("</tr>")[0]
    assert 'class="badge changed"' in boutique  # Hotjar in, pixel out since the previous run
    assert "Not run yet" in page
    assert '<svg class="spark"' in page
    by_name = browser.get("/?sort=name").get_data(as_text=True)
    assert re.findall(r'<a href="/dashboard/sites/([^"]+)">', by_name) == [
        "boutique",
        "fresh",
        "hostile",
    ]
    only_changed = browser.get("/?changed=1").get_data(as_text=True)
    assert "1 of 3 sites" in only_changed
    never = browser.get("/?verdict=never").get_data(as_text=True)
    assert re.findall(r'<a href="/dashboard/sites/([^"]+)">', never) == ["fresh"]
    found = browser.get("/?q=EVIL.example").get_data(as_text=True)
    assert re.findall(r'<a href="/dashboard/sites/([^"]+)">', found) == ["hostile"]
    assert browser.get("/?sort=nonsense").status_code == 200


def test_site_page_timeline_runs_findings_and_inventory(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.VIEWER)
    response = browser.get("/sites/boutique")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ["Runs over time", "Cookies by category per run", "Findings by severity per run",
                 'id="cookie-table"', 'id="findings"', "report.html", "report.pdf", "report.csv",
                 "report.json", "/dashboard/sites/boutique/compare"]:  # fmt: skip
        assert text in page, text
    assert browser.get("/sites/boutique?phase=accept").status_code == 200
    assert browser.get("/sites/boutique?phase=later").status_code == 422
    assert browser.get("/sites/nope").status_code == 404


def test_what_changed_between_two_runs(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.VIEWER)
    response = browser.get("/sites/boutique/compare?from=1&to=2")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "what changed from run #1 to run #2" in page
    assert "_hjSessionUser" in page or "hotjar" in page.lower()
    assert browser.get("/sites/boutique/compare?from=1&to=9").status_code == 404
    assert browser.get("/sites/boutique/compare?from=x&to=2").status_code == 422


def test_run_reports_in_every_format(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.VIEWER)
    html = browser.get("/sites/boutique/runs/2/report.html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    csp = html.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "'sha256-" in csp
    csv_ = browser.get("/sites/boutique/runs/2/report.csv")
    assert csv_.mimetype == "text/csv" and "attachment" in csv_.headers["Content-Disposition"]
    assert csv_.get_data(as_text=True).lstrip("\ufeff").startswith("site,phase,name")
    doc = browser.get("/sites/boutique/runs/2/report.json")
    assert json.loads(doc.get_data(as_text=True))["site"] == "boutique-exemple.fr"
    assert browser.get("/sites/boutique/runs/2/report.exe").status_code == 404
    assert browser.get("/sites/boutique/runs/7/report.html").status_code == 404
    # past the column's integer range: SQLite raised OverflowError (a 500)
    huge = "9" * 30
    assert browser.get(f"/sites/boutique/runs/{huge}/report.html").status_code == 404
    assert browser.get(f"/sites/boutique/runs/{2**31}/report.csv").status_code == 404
    assert browser.get(f"/sites/boutique/compare?from=1&to={huge}").status_code == 404


def test_a_pdf_without_chromium_is_503_not_500(
    seeded: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printing a PDF needs Chromium on the server: without it the page says so (503) and the
    other formats still answer; it was an unhandled BrowserNotFoundError (500)."""
    monkeypatch.setenv("COOKIE_AUDIT_CHROMIUM", "/nonexistent/chromium")
    browser = signed_in(seeded, Role.VIEWER)
    pdf = browser.get("/sites/boutique/runs/2/report.pdf")
    assert pdf.status_code == 503, pdf.status_code
    assert "PDF" in pdf.get_data(as_text=True)
    assert browser.get("/sites/boutique/runs/2/report.html").status_code == 200


def test_a_hostile_site_shows_as_text(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.VIEWER)
    for path in ["/", "/sites/hostile"]:
        page = browser.get(path).get_data(as_text=True)
        assert HOSTILE not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page or path == "/"
        assert "<script>alert" not in page


def test_editor_manages_audits(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.EDITOR)
    assert browser.get("/manage/").status_code == 200
    form = {
        "name": "newsite",
        "url": "https://www.newsite.test/",
        "every": "daily",
        "max_pages": "5",
        "phases": ["none", "reject"],
        "lang": "fr",
        "min_severity": "high",
        "consent_site": "",
        "alerts": "webhook:https://hooks.example.com/T0KEN?secret=abc",
    }
    created = browser.post("/manage/new", form, token_from="/manage/new")
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    audit = audit_store(engine_of(seeded)).find("newsite")
    assert audit.spec.every == "daily" and [p.value for p in audit.spec.phases] == [
        "none",
        "reject",
    ]
    edit_page = browser.get("/manage/newsite/edit").get_data(as_text=True)
    assert "abc" not in edit_page  # the webhook's secret stays hidden
    shown = re.search(r'<textarea id="alerts"[^>]*>([^<]*)</textarea>', edit_page)
    assert shown is not None
    form.update(every="weekly", alerts=shown.group(1).replace("&amp;", "&"))
    saved = browser.post("/manage/newsite/edit", form, token_from="/manage/newsite/edit")
    assert saved.status_code == 303
    audit = audit_store(engine_of(seeded)).find("newsite")
    assert audit.spec.every == "weekly" and audit.spec.alerts[0].endswith("secret=abc")
    bad = browser.post("/manage/newsite/edit", {**form, "every": "every blue moon"},
                       token_from="/manage/newsite/edit")  # fmt: skip
    assert bad.status_code == 422 and "every" in bad.get_data(as_text=True)
    for action in ["pause", "resume", "run", "remove"]:
        response = browser.post(f"/manage/boutique/{action}", token_from="/manage/")
        assert response.status_code == 303, action
    runs = audit_store(engine_of(seeded))
    assert runs.find("boutique", removed=True).removed


#: the shape of a real consent API admin key (`ca_` + 16 hex + `_` + secret)
LITERAL_KEY = "ca_0123456789abcdef_" + "s3cr3t" * 6


def test_editor_sets_changes_and_clears_the_consent_api_readback(seeded: Flask) -> None:
    browser = signed_in(seeded, Role.EDITOR)
    store = audit_store(engine_of(seeded))
    form = {
        "name": "readback",
        "url": "https://www.readback.test/",
        "every": "daily",
        "max_pages": "3",
        "phases": ["none", "reject", "accept"],
        "lang": "en",
        "min_severity": "medium",
        "consent_site": "",
        "alerts": "",
        "consent_api": "https://consent.readback.test",
        "consent_api_key": "env:READBACK_ADMIN_KEY",
    }
    created = browser.post("/manage/new", form, token_from="/manage/new")
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    spec = store.find("readback").spec
    assert (spec.consent_api, spec.consent_api_key) == (
        "https://consent.readback.test",
        "env:READBACK_ADMIN_KEY",
    )
    site = browser.get("/sites/readback").get_data(as_text=True)
    assert "https://consent.readback.test" in site and "env:READBACK_ADMIN_KEY" in site
    edit_page = browser.get("/manage/readback/edit").get_data(as_text=True)
    assert 'value="env:READBACK_ADMIN_KEY"' in edit_page
    assert 'value="https://consent.readback.test"' in edit_page

    def edit(**changes: str) -> Any:
        form.update(changes)
        return browser.post("/manage/readback/edit", form, token_from="/manage/readback/edit")

    assert edit(every="weekly").status_code == 303  # another change keeps both
    assert store.find("readback").spec.consent_api_key == "env:READBACK_ADMIN_KEY"
    changed = edit(consent_api="https://api.readback.test/", consent_api_key="file:/run/key")
    assert changed.status_code == 303
    spec = store.find("readback").spec
    assert (spec.consent_api, spec.consent_api_key) == (
        "https://api.readback.test/",
        "file:/run/key",
    )

    for pasted in (LITERAL_KEY, "env:" + LITERAL_KEY, f"file:/keys/{LITERAL_KEY}"):
        for path in ("/manage/readback/edit", "/manage/new"):
            refused = browser.post(
                path, {**form, "name": "other", "consent_api_key": pasted}, token_from=path
            )
            page = refused.get_data(as_text=True)
            assert refused.status_code == 422, (pasted, path)
            assert "this is a key itself" in page
            assert "0123456789abcdef" not in page and "s3cr3t" not in page  # never echoed
    assert store.find("readback").spec.consent_api_key == "file:/run/key"
    assert [a.name for a in store.list_audits()].count("other") == 0

    for half in ({"consent_api_key": ""}, {"consent_api": ""}):
        refused = browser.post(
            "/manage/readback/edit", {**form, **half}, token_from="/manage/readback/edit"
        )
        assert refused.status_code == 422, half
        assert "consent_api and consent_api_key go together" in refused.get_data(as_text=True)
    assert store.find("readback").spec.consent_api == "https://api.readback.test/"

    assert edit(consent_api="", consent_api_key="").status_code == 303
    spec = store.find("readback").spec
    assert (spec.consent_api, spec.consent_api_key) == (None, None)
    assert "consent records read back" not in browser.get("/sites/readback").get_data(as_text=True)


def manage_urls(app: Flask) -> list[tuple[str, str]]:
    dashboard = app.extensions["dashboard_app"]
    out = []
    for rule in dashboard.url_map.iter_rules():
        if not rule.endpoint.startswith("manage."):
            continue
        path = "/dashboard" + rule.rule.replace("<name>", "boutique")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    return out


def test_a_viewer_guessing_admin_urls_gets_403(seeded: Flask) -> None:
    urls = manage_urls(seeded)
    assert len(urls) >= 8  # list, new (GET, POST), edit (GET, POST), pause, resume, run, remove
    viewer = signed_in(seeded, Role.VIEWER)
    for method, path in urls:
        if method == "GET":
            response: Any = viewer.client.get(path, base_url="https://dash.test")
        else:
            response = viewer.post(path.removeprefix("/dashboard"), {"name": "x"}, token_from="/")
        assert response.status_code == 403, (method, path, response.status_code)
    # nothing changed
    assert not audit_store(engine_of(seeded)).find("boutique").paused
    page = viewer.get("/sites/boutique").get_data(as_text=True)
    assert "/manage/" not in page and "Manage audits" not in page


def test_overview_pages_of_one_hundred(app: Flask, people: dict[Role, str]) -> None:
    from dashboard import overview

    engine = engine_of(app)
    for i in range(3):
        add_audit(engine, f"site{i}", f"https://www.site{i}.test/")
    rows = overview.select_rows(
        overview.build_rows(
            [(audit_store(engine).find(f"site{i}"), None, []) for i in range(3)], {}
        ),
        sort="name",
    )
    page, number, pages = overview.page_of(rows, 2, size=2)
    assert [r.name for r in page] == ["site2"] and (number, pages) == (2, 2)
    assert overview.page_of(rows, 9, size=2)[1] == 2 and overview.page_of(rows, 0, size=2)[1] == 1
    browser = signed_in(app, Role.VIEWER)
    html = browser.get("/?page=abc").get_data(as_text=True)
    assert "3 of 3 sites" in html and 'class="pager"' not in html


def test_overview_pager_keeps_only_its_own_arguments(app: Flask, people: dict[Role, str]) -> None:
    """The pager's links carried every query argument into ``url_for``: ``?_method=POST``
    answered 500 and ``_anchor``/``_external`` steered the link."""
    engine = engine_of(app)
    for i in range(101):
        add_audit(engine, f"site{i:03}", f"https://www.site{i}.test/")
    browser = signed_in(app, Role.VIEWER)
    for query in ("_method=POST", "_external=1&_scheme=http", "_anchor=top", "page=1&colour=red"):
        response = browser.get(f"/?{query}&sort=name&q=site")
        assert response.status_code == 200, query
        pager = re.findall(r'href="([^"]*)" rel="next"', response.get_data(as_text=True))
        assert pager == ["/dashboard/?page=2&amp;q=site&amp;sort=name"], (query, pager)
