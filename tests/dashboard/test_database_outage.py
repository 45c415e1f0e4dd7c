"""Against a real PostgreSQL server: while the database is away every dashboard page answers
503 with ``Retry-After`` (a page saying so, never the 500 page), and once it is back the same
signed-in browser carries on (the test's own database refuses new connections and its open
ones are terminated, as in a restart or failover)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from audits import AuditSettings, AuditStore, StoreUnavailableError
from dashboard.accounts import Role
from dashboard.errors import ConfigError
from dashboard.settings import DEFAULTS, load_settings
from dashboard.web.state import audit_store, history
from database import RETRY_AFTER_UNAVAILABLE
from tests.dashboard.conftest import Browser, add_user, close_app, engine_of, make_app
from tests.dashboard.history_seed import add_audit
from tests.scratch_db import set_reachable


@pytest.mark.postgres
def test_pages_are_503_while_the_database_is_away_and_recover(
    postgres_url: str, outage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(outage_url)
    try:
        add_user(app, "eddie", Role.EDITOR)
        add_audit(engine_of(app), "boutique", "https://www.boutique-exemple.fr/")
        browser = Browser(app.test_client())
        assert browser.login("eddie").status_code == 303
        assert browser.get("/sites/boutique").status_code == 200  # a pooled connection is open
        database = make_url(outage_url).database
        assert database

        set_reachable(postgres_url, database, reachable=False)
        with caplog.at_level(logging.WARNING, logger="dashboard"):
            # the open connection dies, then new ones are refused
            for path in ("/sites/boutique", "/", "/manage/", "/manage/boutique/edit"):
                response = browser.get(path)
                page = response.get_data(as_text=True)
                assert response.status_code == 503, (path, page[:1000])
                assert response.headers["Retry-After"] == str(RETRY_AFTER_UNAVAILABLE)
                assert "The database is unavailable. Retry in a few seconds." in page
                assert "Error 503" in page and "Sign out" not in page
            stranger = Browser(app.test_client())
            assert stranger.login("eddie").status_code == 503  # signing in needs it too
        assert any("database unavailable" in r.getMessage() for r in caplog.records)
        # no 500 logged by the dashboard (other apps' threads of this test process may log)
        assert not any(
            r.levelno >= logging.ERROR and r.name.startswith("dashboard") for r in caplog.records
        )

        set_reachable(postgres_url, database, reachable=True)
        back = browser.get("/sites/boutique")  # still signed in: the session was kept
        assert back.status_code == 200 and "Sign out" in back.get_data(as_text=True)
        assert stranger.login("eddie").status_code == 303
    finally:
        close_app(app)


@pytest.mark.postgres
def test_a_page_gives_up_after_its_own_short_retry_not_the_runs_30_s(
    postgres_url: str, outage_url: str
) -> None:
    """The audits' history and store retry a lost database for as long as their caller says:
    a page for DB_RETRY_SECONDS (here 0: one attempt, then the 503's StoreUnavailableError),
    a scheduled run for the audits' db_retry_s."""
    app = make_app(outage_url, DB_RETRY_SECONDS=0)
    dashboard = app.extensions["dashboard_app"]
    engine = engine_of(app)
    attempts: list[int] = []
    event.listen(engine, "do_connect", lambda *_: attempts.append(1))
    database = make_url(outage_url).database
    assert database
    try:
        add_audit(engine, "boutique", "https://www.boutique-exemple.fr/")
        set_reachable(postgres_url, database, reachable=False)
        engine.dispose()  # the pooled connections died with the database: connect anew
        attempts.clear()
        with dashboard.test_request_context("/dashboard/"):
            with pytest.raises(StoreUnavailableError, match="unavailable for 0 s"):
                history().latest_runs()
            with pytest.raises(StoreUnavailableError, match="unavailable for 0 s"):
                audit_store().list_audits()
        assert len(attempts) == 2  # one each: no retry past the page's budget
        runs = AuditStore(engine, AuditSettings(database_url=outage_url, db_retry_s=45))
        assert runs.retry_s == 45  # a scheduled run's store keeps the long retry
    finally:
        set_reachable(postgres_url, database, reachable=True)
        close_app(app)


def test_pages_retry_a_short_while_by_default() -> None:
    settings = load_settings({"DATABASE_URL": "sqlite:///x.db"} | DEFAULTS, "sqlite:///x.db")
    assert settings.db_retry_seconds == 2.0
    for bad in (-1, "soon", 61, True):
        with pytest.raises(ConfigError, match="DB_RETRY_SECONDS"):
            load_settings({**DEFAULTS, "DB_RETRY_SECONDS": bad}, "sqlite:///x.db")


@pytest.mark.postgres
def test_a_page_that_fails_after_the_account_was_read_is_drawn_for_nobody(
    postgres_url: str, outage_url: str
) -> None:
    """The account is read (sessions are not locked), then the audits' table is: the page's
    query waits lock_timeout, gives up (DB_RETRY_SECONDS=0) and the 503 is drawn for nobody,
    without asking the database for the account again; the session is kept."""
    app = make_app(f"{outage_url}?options=-c%20lock_timeout%3D200", DB_RETRY_SECONDS=0)
    try:
        add_user(app, "eddie", Role.EDITOR)
        add_audit(engine_of(app), "boutique", "https://www.boutique-exemple.fr/")
        browser = Browser(app.test_client())
        assert browser.login("eddie").status_code == 303
        locker = create_engine(make_url(outage_url))
        with locker.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE audits IN ACCESS EXCLUSIVE MODE"))
            response = browser.get("/sites/boutique")
            page = response.get_data(as_text=True)
            assert response.status_code == 503, page[:1000]
            assert "Error 503" in page and "Sign out" not in page and "eddie" not in page
        locker.dispose()
        back = browser.get("/sites/boutique")  # the lock is gone; still signed in
        assert back.status_code == 200 and "Sign out" in back.get_data(as_text=True)
    finally:
        close_app(app)
