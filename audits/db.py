"""Engine, migrations and transactions of the audits' store.

SQLite runs in WAL mode with the driver in autocommit so that we emit `BEGIN` ourselves:
every write transaction is `BEGIN IMMEDIATE` (the write lock is taken first, so two writers
never deadlock upgrading a read lock), reads are plain `BEGIN`. PostgreSQL uses its defaults.

A database that is locked or briefly down is retried (`retrying`): the unit of work is run
again from its start, with exponential backoff, for `db_retry_s` seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

import database
from audits.errors import AuditInputError, StoreUnavailableError

P = ParamSpec("P")
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """The product's engine (`database.make_engine`: WAL and pragmas on SQLite); a URL it
    cannot use is bad input (exit 2, one line), not a traceback."""
    try:
        return database.make_engine(database.DatabaseSettings.from_environment(url))
    except database.DatabaseConfigError as exc:
        raise AuditInputError(str(exc)) from None


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def transient(exc: BaseException) -> bool:
    """Locked SQLite, a PostgreSQL that went away or refused us: worth trying again."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def retrying(seconds: float) -> Retrying:
    return Retrying(
        retry=retry_if_exception(transient),
        stop=stop_after_delay(seconds),
        wait=wait_exponential_jitter(multiplier=0.1, max=3.0, jitter=0.1),
        reraise=False,
    )


def run_retrying(seconds: float, work: Callable[[], T]) -> T:
    """`work()` again from the start while the database is locked or down."""
    try:
        for attempt in retrying(seconds):
            with attempt:
                return work()
    except RetryError as exc:
        last = exc.last_attempt.exception()
        raise StoreUnavailableError(
            f"database unavailable for {seconds:.0f} s: {_short(last)}"
        ) from last
    raise AssertionError("unreachable")  # pragma: no cover


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0][:200]


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction (SQLite: BEGIN IMMEDIATE); commits on success."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind=conn, expire_on_commit=False) as session, session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(bind=engine, expire_on_commit=False) as session, session.begin():
        yield session


def upgrade(engine: Engine) -> None:
    """Apply the product's migrations (every branch, the audits' included), serialised against
    other processes doing the same (see :func:`database.upgrade`)."""
    database.upgrade(engine)
