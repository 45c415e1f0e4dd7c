"""Fixtures of the dashboard tests: the composed app (consent API + dashboard) on a fresh
database, users of each role, and a test client that signs in through the real login form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard import accounts, create_app
from dashboard.accounts import Role
from database import write_transaction

# fixtures, shared: the scratch PostgreSQL database, and the check that every app a test starts
# is closed with its checkpoint thread
from tests.consent_api.conftest import (  # noqa: F401
    no_checkpoint_thread_outlives_its_test,
    pg_database,
)

PASSWORD = "correct horse battery staple"
BASE = "https://dash.test"

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(database_url: str, **config: Any) -> Flask:
    """The composed app without the consent API's checkpoint thread (a test that wants it sets
    CHECKPOINT_INTERVAL_SECONDS): a thread outliving its test signs chains that later tests
    tamper with, and logs errors into their output. Close it with `close_app`."""
    return create_app(
        {
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": False,
            "CHECKPOINT_INTERVAL_SECONDS": 0,
            **config,
        }
    )


def close_app(app: Flask) -> None:
    """Stop what the app factory started (the checkpoint thread, if any) and close the engine."""
    app.extensions["consent_api"].close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cookie-audit.db'}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    yield app
    close_app(app)


def engine_of(app: Flask) -> Any:
    return app.extensions["consent_api"].engine


def add_user(app: Flask, name: str, role: Role, password: str = PASSWORD) -> None:
    with write_transaction(engine_of(app)) as conn:
        accounts.add_user(conn, name, password, role)


@dataclass
class Browser:
    """A test client speaking HTTPS (the session cookie is Secure) that fills real forms."""

    client: FlaskClient

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get("/dashboard" + path, base_url=BASE, **kwargs)

    def csrf(self, path: str = "/login") -> str:
        page = self.get(path).get_data(as_text=True)
        match = CSRF.search(page)
        assert match, page[:500]
        return match.group(1)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, token: bool = True, **kw: Any
    ) -> Any:
        form = dict(data or {})
        if token and "csrf_token" not in form:
            form["csrf_token"] = self.csrf(kw.pop("token_from", "/login"))
        headers = {"Referer": f"{BASE}/dashboard{path}", **kw.pop("headers", {})}
        return self.client.post(
            "/dashboard" + path, data=form, base_url=BASE, headers=headers, **kw
        )

    def login(self, name: str, password: str = PASSWORD) -> Any:
        return self.post("/login", {"username": name, "password": password})


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def people(app: Flask) -> dict[Role, str]:
    names = {Role.VIEWER: "vera", Role.EDITOR: "eddie", Role.ADMIN: "ada"}
    for role, name in names.items():
        add_user(app, name, role)
    return names
