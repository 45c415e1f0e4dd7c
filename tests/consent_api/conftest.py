"""Fixtures for the consent API: the same tests run on SQLite and on PostgreSQL.

PostgreSQL gets one fresh database per test session (``cookie_audit_test_<random>``, dropped at
the end), so parallel pytest workers never share tables. Every test registers its own sites
(random keys), so tests sharing that database do not see each other's records.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from consent_api import create_app
from consent_api.checkpoints import CheckpointScheduler
from consent_api.db import State
from consent_api.sites import create_admin_key, create_site
from tests.scratch_db import scratch_database

ORIGIN = "https://www.shop.test"


def _checkpoint_threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if t.name == CheckpointScheduler.THREAD_NAME and t.is_alive()
    }


@pytest.fixture(autouse=True)
def no_checkpoint_thread_outlives_its_test() -> Iterator[None]:
    """Every app a test starts with checkpoints at an interval is closed by the test or its
    fixtures: a thread left running signs chains that later tests tamper with, and logs the
    errors of a deleted database into their output."""
    before = _checkpoint_threads()
    yield
    left = _checkpoint_threads() - before
    assert not left, f"{len(left)} checkpoint thread(s) still running after the test"


@pytest.fixture(scope="session")
def pg_database(postgres_url: str) -> Iterator[str]:
    with scratch_database(postgres_url, "cookie_audit_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'consent.db'}"
    url = request.getfixturevalue("pg_database")
    assert isinstance(url, str)
    return url


#: One signing key for the test session (a key file outside the database, as in production).
KEY_FILE = Path(tempfile.mkdtemp(prefix="ledger-key-")) / "ledger-signing-key.pem"


def make_app(database_url: str, **config: Any) -> Flask:
    return create_app(
        {
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": False,
            "SIGNING_KEY_FILE": str(KEY_FILE),
            "CHECKPOINT_INTERVAL_SECONDS": 0,
            **config,
        }
    )


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    yield app
    app.extensions["consent_api"].close()


def engine_of(app: Flask) -> Any:
    state = app.extensions["consent_api"]
    assert isinstance(state, State)
    return state.engine


@dataclass
class Api:
    """A test client plus one registered site and keys for it."""

    app: Flask
    client: FlaskClient
    site_key: str
    site_admin_key: str
    global_key: str
    origin: str = ORIGIN
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return engine_of(self.app)

    def body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "consent_id": str(uuid.uuid4()),
            "choices": {"analytics": True, "marketing": False},
            "action": "custom",
            "policy_version": "1",
            "banner_revision": 1,
            "language": "fr-FR",
            "page_url": "https://www.shop.test/products",
        }
        body.update(overrides)
        return body

    @property
    def state(self) -> State:
        value = self.app.extensions["consent_api"]
        assert isinstance(value, State)
        return value

    def post(
        self,
        body: Any,
        *,
        site_key: str | None = None,
        client: FlaskClient | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = {"Origin": self.origin, **kwargs.pop("headers", {})}
        return (client or self.client).post(
            f"/v1/sites/{site_key or self.site_key}/consents", json=body, headers=headers, **kwargs
        )

    def admin(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {key or self.site_admin_key}"}
        return self.client.open(f"/v1/admin{path}", method=method, headers=headers, **kwargs)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM consent_records r JOIN sites s ON s.id = r.site_id"
                        " WHERE s.site_key = :k"
                    ),
                    {"k": self.site_key},
                ).scalar_one()
            )


def register(app: Flask, **settings: Any) -> tuple[str, str, str]:
    data = {"name": "Shop", "origins": [ORIGIN], **settings}
    with engine_of(app).begin() as conn:
        site = create_site(conn, data)
        site_key_admin = create_admin_key(conn, site.id, "test site")
        global_key = create_admin_key(conn, None, "test global")
    return site.site_key, site_key_admin, global_key


@pytest.fixture
def api(app: Flask) -> Api:
    site_key, site_admin, global_key = register(app)
    return Api(app, app.test_client(), site_key, site_admin, global_key)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, checked on every failure path."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict), body
    assert {"code", "message", "status"} <= set(error)
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert error["code"].replace("_", "").isalpha() and error["code"].islower()
    if code is not None:
        assert error["code"] == code
    return error


def ts(offset_seconds: float = 0) -> str:
    """A client_ts near the server's time (ISO 8601, UTC)."""
    moment = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    return moment.isoformat().replace("+00:00", "Z")
