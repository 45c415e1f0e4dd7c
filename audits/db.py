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
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
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
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise AuditInputError(f"database: not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 5, "check_same_thread": False})
        _sqlite_events(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_recycle=1800)


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


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
