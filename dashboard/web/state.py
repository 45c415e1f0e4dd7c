"""What the views need from the app: settings and the engine (flaskr's ``db.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Connection, Engine

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


@contextmanager
def reading() -> Iterator[Connection]:
    with state().engine.connect() as conn:
        yield conn


@contextmanager
def writing() -> Iterator[Connection]:
    """One write transaction (on SQLite serialised with every other writer of the file)."""
    with write_transaction(state().engine) as conn:
        yield conn
