"""Consent statistics equal counts made directly on the ledger (records posted through the
real consent API, SQLite and PostgreSQL), stay equal as records arrive and after a purge."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import text

from consent_api.sites import create_admin_key, create_site
from dashboard import consent_stats
from dashboard.accounts import Role
from dashboard.consent_stats import ACTIONS, Period, Split
from database import write_transaction
from tests.dashboard.conftest import Browser, add_user, close_app, make_app

ORIGIN = "https://www.shop.test"
LANGS = ["fr-FR", "en", "de", None]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, database_url: str) -> str:
    if request.param == "sqlite":
        return database_url
    url = request.getfixturevalue("pg_database")
    assert isinstance(url, str)
    return url


@pytest.fixture
def stats_app(any_db: str) -> Iterator[Flask]:
    app = make_app(any_db)
    yield app
    close_app(app)


def register(app: Flask) -> tuple[int, str, str]:
    with write_transaction(app.extensions["consent_api"].engine) as conn:
        site = create_site(conn, {"name": "Shop", "origins": [ORIGIN]})
        key = create_admin_key(conn, site.id, "test")
    return site.id, site.site_key, key


def choice(rng: random.Random) -> dict[str, Any]:
    action = rng.choice(["accept_all", "reject_all", "custom", "custom", "withdraw"])
    analytics = rng.random() < 0.5
    choices = {
        "accept_all": {"analytics": True, "marketing": True},
        "reject_all": {"analytics": False, "marketing": False},
        "custom": {"analytics": analytics, "marketing": not analytics},
        "withdraw": {"analytics": False, "marketing": False},
    }[action]
    return {"action": action, "choices": choices}


def post_many(
    app: Flask, site_key: str, admin_key: str, n: int, rng: random.Random, revision: int = 1
) -> None:
    client = app.test_client()
    if revision != 1:
        patched = client.patch(
            f"/v1/admin/sites/{site_key}",
            json={"banner_revision": revision, "policy_version": str(revision)},
            headers={"Authorization": f"Bearer {admin_key}"},
        )
        assert patched.status_code == 200, patched.get_data(as_text=True)
    for _ in range(n):
        body = {
            "consent_id": str(uuid.uuid4()),
            **choice(rng),
            "policy_version": str(revision),
            "banner_revision": revision,
            "page_url": f"{ORIGIN}/",
        }
        lang = rng.choice(LANGS)
        if lang:
            body["language"] = lang
        response = client.post(
            f"/v1/sites/{site_key}/consents", json=body, headers={"Origin": ORIGIN}
        )
        assert response.status_code == 201, response.get_data(as_text=True)


def direct_counts(app: Flask, site_id: int) -> dict[str, Any]:
    """What an auditor counts with SQL on the ledger itself."""
    engine = app.extensions["consent_api"].engine
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT action, choices, banner_revision, policy_version, language"
                " FROM consent_records WHERE site_id = :s"
            ),
            {"s": site_id},
        ).all()
    actions = Counter(r[0] for r in rows)
    granted: Counter[str] = Counter()
    denied: Counter[str] = Counter()
    for r in rows:
        for cat, value in json.loads(r[1]).items():
            (granted if value else denied)[cat] += 1
    return {
        "records": len(rows),
        "actions": actions,
        "granted": granted,
        "denied": denied,
        "revision": Counter(str(r[2]) for r in rows),
        "policy": Counter(r[3] for r in rows),
        "language": Counter(r[4] or "" for r in rows),
        "by_action_language": Counter((r[4] or "", r[0]) for r in rows),
    }


def read(app: Flask, site_id: int, site_key: str, period: Period = Period.DAY) -> Any:
    engine = app.extensions["consent_api"].engine
    with write_transaction(engine) as conn:
        consent_stats.refresh(conn, site_id)
    today = datetime.now(UTC).date()
    with engine.connect() as conn:
        return consent_stats.site_stats(conn, site_key, today - timedelta(days=30), today, period)


def assert_equal(stats: Any, direct: dict[str, Any]) -> None:
    assert stats.total.records == direct["records"]
    assert {a: stats.total.actions[a] for a in ACTIONS} == {
        a: direct["actions"][a] for a in ACTIONS
    }
    for cat in ("analytics", "marketing"):
        assert stats.total.granted.get(cat, 0) == direct["granted"][cat]
        assert stats.total.denied.get(cat, 0) == direct["denied"][cat]
    for split, key in [
        (Split.REVISION, "revision"),
        (Split.POLICY, "policy"),
        (Split.LANGUAGE, "language"),
    ]:
        assert {k: c.records for k, c in stats.splits[split]} == dict(direct[key])
    for lang, counts in stats.splits[Split.LANGUAGE]:
        for action in ACTIONS:
            assert counts.actions[action] == direct["by_action_language"][(lang, action)]
    assert sum(c.records for _, c in stats.periods) == direct["records"]


def test_statistics_equal_direct_counts_as_records_arrive(stats_app: Flask) -> None:
    rng = random.Random(7)
    site_id, site_key, admin_key = register(stats_app)
    empty = read(stats_app, site_id, site_key)
    assert empty.total.records == 0 and empty.total.acceptance is None
    post_many(stats_app, site_key, admin_key, 60, rng)
    assert_equal(read(stats_app, site_id, site_key), direct_counts(stats_app, site_id))
    # more records, a new banner revision and policy: only the new ones are added
    post_many(stats_app, site_key, admin_key, 45, rng, revision=2)
    stats = read(stats_app, site_id, site_key, Period.WEEK)
    assert_equal(stats, direct_counts(stats_app, site_id))
    assert {k for k, _ in stats.splits[Split.REVISION]} == {"1", "2"}
    # reading again counts nothing twice
    assert_equal(read(stats_app, site_id, site_key), direct_counts(stats_app, site_id))


def test_a_purge_rebuilds_the_site_rollup(stats_app: Flask) -> None:
    rng = random.Random(8)
    site_id, site_key, admin_key = register(stats_app)
    post_many(stats_app, site_key, admin_key, 30, rng)
    read(stats_app, site_id, site_key)
    engine = stats_app.extensions["consent_api"].engine
    with engine.begin() as conn:  # what a purge past retention does to the oldest records
        conn.execute(
            text("DELETE FROM consent_records WHERE site_id = :s AND seq <= 10"), {"s": site_id}
        )
    assert_equal(read(stats_app, site_id, site_key), direct_counts(stats_app, site_id))
    assert read(stats_app, site_id, site_key).total.records == 20


def test_sites_do_not_mix(stats_app: Flask) -> None:
    rng = random.Random(9)
    a_id, a_key, a_admin = register(stats_app)
    b_id, b_key, b_admin = register(stats_app)
    post_many(stats_app, a_key, a_admin, 12, rng)
    post_many(stats_app, b_key, b_admin, 5, rng)
    assert read(stats_app, a_id, a_key).total.records == 12
    assert read(stats_app, b_id, b_key).total.records == 5


def test_page_and_csv(app: Flask) -> None:
    rng = random.Random(10)
    site_id, site_key, admin_key = register(app)
    post_many(app, site_key, admin_key, 25, rng)
    add_user(app, "vera", Role.VIEWER)
    browser = Browser(app.test_client())
    browser.login("vera")
    page = browser.get(f"/consent/{site_key}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    direct = direct_counts(app, site_id)
    assert f"<strong>{direct['records']}</strong> <span>choices recorded</span>" in html
    response = browser.get(f"/consent/{site_key}/stats.csv?period=week")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sum(int(r["records"]) for r in rows) == direct["records"]
    assert sum(int(r["accept_all"]) for r in rows) == direct["actions"]["accept_all"]
    assert set(rows[0]) >= {"week", "impressions", "analytics_opt_in_rate", "marketing_granted"}
    by_lang = browser.get(f"/consent/{site_key}/stats.csv?split=language")
    lang_rows = list(csv.DictReader(io.StringIO(by_lang.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["language"]: int(r["records"]) for r in lang_rows} == dict(direct["language"])
    # no personal data: no consent id, page URL or user agent anywhere
    for text_ in (html, response.get_data(as_text=True), by_lang.get_data(as_text=True)):
        assert "consent_id" not in text_ and ORIGIN not in text_
    for bad in [
        "?from=2026-13-01",
        "?from=2026-12-02&to=2026-12-01",
        "?period=year",
        "?from=2020-01-01&to=2026-01-01",
    ]:
        assert browser.get(f"/consent/{site_key}{bad}").status_code == 422, bad
    assert browser.get(f"/consent/{site_key}/stats.csv?split=colour").status_code == 422
    assert browser.get("/consent/pk_nope").status_code == 404


def test_query_arguments_never_steer_the_links(app: Flask) -> None:
    """The page's CSV links keep the range it shows, nothing else: a query argument named like
    one of ``url_for``'s (``_method``, ``_external``, ``_scheme``, ``_anchor``) or like the
    link's own (``site_key``, ``split``) was passed through and answered 500 or built an
    absolute ``http://`` link."""
    _, site_key, _ = register(app)
    add_user(app, "vera", Role.VIEWER)
    browser = Browser(app.test_client())
    browser.login("vera")
    hostile = [
        "?_method=POST",
        "?site_key=pk_other",
        "?split=language",
        "?_external=1&_scheme=http",
        "?_anchor=x",
        "?colour=red",
    ]
    for query in hostile:
        response = browser.get(f"/consent/{site_key}{query}&period=week")
        assert response.status_code == 200, query
        links = re.findall(r'href="([^"]*stats\.csv[^"]*)"', response.get_data(as_text=True))
        assert links, query
        for link in links:
            assert link.startswith(f"/dashboard/consent/{site_key}/stats.csv?"), (query, link)
            args = parse_qs(urlsplit(unescape(link)).query)
            assert args["period"] == ["week"] and "#" not in link, (query, link)
            assert set(args) <= {"period", "split"}, (query, link)


def test_stats_csv_neutralises_formulas(app: Flask) -> None:
    """A policy version is any text the site's admin key sets; split by it, the CSV must not
    hand a spreadsheet a formula (the reports' CSV rule: a leading quote)."""
    _, site_key, admin_key = register(app)
    client = app.test_client()
    formula = '=HYPERLINK("https://evil.test","x")'
    patched = client.patch(
        f"/v1/admin/sites/{site_key}",
        json={"policy_version": formula},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    body = {"action": "accept_all", "choices": {"analytics": True, "marketing": True}}
    posted = client.post(
        f"/v1/sites/{site_key}/consents",
        json={
            **body,
            "consent_id": str(uuid.uuid4()),
            "policy_version": formula,
            "banner_revision": 1,
        },
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201, posted.get_data(as_text=True)
    add_user(app, "vera", Role.VIEWER)
    browser = Browser(app.test_client())
    browser.login("vera")
    response = browser.get(f"/consent/{site_key}/stats.csv?split=policy_version")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + formula], rows
