"""Fixtures of the audits' tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL: one randomly named, migrated database per session (and pytest-xdist worker),
emptied before each test and dropped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from audits import AuditSettings, AuditStore, History
from audits.db import make_engine, upgrade
from audits.models import Base
from tests.scratch_db import scratch_database


def _migrated_database(postgres_url: str, prefix: str) -> Iterator[str]:
    with scratch_database(postgres_url, prefix) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def pg_session_url(postgres_url: str) -> Iterator[str]:
    yield from _migrated_database(postgres_url, "cookie_audit_audits")


@pytest.fixture(scope="module")
def module_database(postgres_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database of its own for one test module (worker processes share
    it with the test for the whole module, so it is never emptied under them)."""
    yield from _migrated_database(postgres_url, "cookie_audit_module")


@pytest.fixture
def pg_url(pg_session_url: str) -> str:
    """The session's database, emptied (TRUNCATE is much faster than a new database)."""
    engine = create_engine(pg_session_url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return pg_session_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audits.db'}"
    url = request.getfixturevalue("pg_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
def settings(database_url: str) -> AuditSettings:
    return AuditSettings(database_url=database_url, db_retry_s=5.0, heartbeat_s=1.0)


@pytest.fixture
def store(settings: AuditSettings) -> Iterator[AuditStore]:
    store = AuditStore.open(settings)
    yield store
    store.close()


@pytest.fixture
def history(store: AuditStore) -> History:
    return History(store.engine)
