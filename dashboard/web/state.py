"""What the views need from the app: settings and the engine (flaskr's ``db.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Connection, Engine

from audits import AuditSettings, AuditStore, History
from dashboard.settings import Settings
from database import write_transaction


@dataclass(frozen=True)
class State:
    settings: Settings
    engine: Engine


def state() -> State:
    value = current_app.extensions["dashboard"]
    assert isinstance(value, State)
    return value


def history() -> History:
    """The audits' history for a request: a lost database is retried for DB_RETRY_SECONDS
    (short: a person is waiting), then the page is a 503."""
    current = state()
    return History(current.engine, retry_s=current.settings.db_retry_seconds)


def audit_store() -> AuditStore:
    """The audits' store for a request, with the same short retry as `history`."""
    current = state()
    return AuditStore(
        current.engine,
        AuditSettings(database_url=current.settings.database_url),
        retry_s=current.settings.db_retry_seconds,
    )


@contextmanager
def reading() -> Iterator[Connection]:
    with state().engine.connect() as conn:
        yield conn


@contextmanager
def writing() -> Iterator[Connection]:
    """One write transaction (on SQLite serialised with every other writer of the file)."""
    with write_transaction(state().engine) as conn:
        yield conn
