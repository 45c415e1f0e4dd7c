"""The app's state and its database, in one place (as flaskr's ``db.py``).

The engine and the migrations come from the product's :mod:`database` package; this module
only attaches them to a Flask app and hands them to the blueprints.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine

import database
from consent_api.settings import Settings


@dataclass(frozen=True, slots=True)
class State:
    """What the blueprints need from the app: settings and the engine."""

    settings: Settings
    engine: Engine


def init_app(app: Flask, settings: Settings) -> State:
    """Create the engine, migrate every branch of the product database when ``auto_migrate``
    (serialised between processes, so several gunicorn workers may start at once)."""
    engine = database.make_engine(settings.database)
    if settings.auto_migrate:
        database.upgrade(engine)
    value = State(settings, engine)
    app.extensions["consent_api"] = value
    return value


def state() -> State:
    value = current_app.extensions["consent_api"]
    assert isinstance(value, State)
    return value


def engine() -> Engine:
    return state().engine
