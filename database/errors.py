"""Errors of the database layer, and the driver errors that mean "unavailable, retry"."""

from __future__ import annotations

import sqlite3

import sqlalchemy.exc

#: seconds the web apps ask a client to wait (``Retry-After``) while the database is unavailable
RETRY_AFTER_UNAVAILABLE = 5


class DatabaseError(Exception):
    """Base of every error raised by the database package."""


class DatabaseConfigError(DatabaseError):
    """A database setting cannot be used (the message names the setting and what it accepts)."""


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What the database raises when it cannot be reached or used right now (server down or
    restarting, connections refused or terminated, pool exhausted, SQLite locked past its
    timeout): nothing was stored, the same request may succeed later. The consent API and the
    dashboard answer each with 503 and ``Retry-After``.

    A function, not a constant: psycopg is imported when an app registers its handlers, never
    by a command that only uses SQLite (``database`` is imported by every CLI of the product).
    """
    import psycopg

    return (
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.TimeoutError,
        psycopg.OperationalError,
        sqlite3.OperationalError,
    )
