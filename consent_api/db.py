"""Engines and migrations.

SQLite runs in WAL mode with the driver in autocommit so that we emit ``BEGIN`` ourselves:
appends to the ledger use ``BEGIN IMMEDIATE`` (the write lock is taken before the chain head is
read, so two gunicorn workers can never chain onto the same head). PostgreSQL takes
``SELECT ... FOR UPDATE`` on the site row instead (see :mod:`consent_api.ledger`).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from consent_api.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")

#: PostgreSQL advisory lock id that serialises concurrent migrations (several workers start).
MIGRATION_LOCK = 0x636F6E73


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_events(engine, settings.sqlite_synchronous.value)
        _SQLITE_SYNC[str(url.database)] = settings.sqlite_synchronous.value
        return engine
    # No pool_pre_ping (a round trip per checkout); stale connections are recycled instead.
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
    )


def _sqlite_events(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Checkpoints run in a background thread (see _Checkpointer), not inside a request.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


class _WriterQueue:
    """Queues SQLite writers on a lock file before ``BEGIN IMMEDIATE``.

    SQLite's own busy handler polls with sleeps of up to 100 ms, which makes the slowest
    appends wait far longer than the write itself; a blocking ``flock`` (plus a thread lock,
    since flock is shared by threads of one process) wakes the next writer as soon as the
    previous one commits. ``BEGIN IMMEDIATE`` stays the actual guarantee.
    """

    def __init__(self, path: str) -> None:
        self.path = path + "-writer.lock"
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self.fd is None or self.pid != os.getpid():  # re-open after a fork
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
                _Checkpointer(self.path.removesuffix("-writer.lock")).start()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


class _Checkpointer(threading.Thread):
    """Copies the WAL back into the database every second (PASSIVE: never blocks writers).

    SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages and
    makes that request wait for an fsync of the database file: the slowest requests of a
    benchmark were exactly those. One daemon thread per process and database does it instead.
    """

    def __init__(self, database: str, interval: float = 1.0) -> None:
        super().__init__(name=f"sqlite-checkpoint:{database}", daemon=True)
        self.database = database
        self.interval = interval

    def run(self) -> None:
        import sqlite3
        import time

        try:
            connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        except sqlite3.Error:
            return
        while Path(self.database).exists():  # a deleted database (tests) ends the thread
            time.sleep(self.interval)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                continue
        connection.close()


_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction, serialised with every other writer of the database (SQLite) or
    left to row locks taken inside it (PostgreSQL)."""
    if not is_sqlite(engine):
        with engine.begin() as conn:
            yield conn
        return
    database = engine.url.database
    queue = None
    if database and database != ":memory:":
        with _QUEUES_LOCK:
            queue = _QUEUES.setdefault(database, _WriterQueue(database))
    with queue.hold() if queue else _nothing(), engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def _nothing() -> Iterator[None]:
    yield


_SQLITE_SYNC: dict[str, str] = {}
_RAW = threading.local()


def _raw_sqlite(database: str) -> sqlite3.Connection:
    """This thread's own driver connection for the append hot path: checking a connection
    out of SQLAlchemy's pool and running its begin hooks cost more than the append itself."""
    connections: dict[tuple[int, str], sqlite3.Connection] = _RAW.__dict__.setdefault("c", {})
    key = (os.getpid(), database)
    connection = connections.get(key)
    if connection is None:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={_SQLITE_SYNC.get(database, 'NORMAL')}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connections[key] = connection
    return connection


@contextmanager
def sqlite_append_cursor(engine: Engine) -> Iterator[sqlite3.Cursor]:
    """A driver cursor inside ``BEGIN IMMEDIATE``, after the writer queue; commits on success,
    rolls back on any exception."""
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the append hot path needs a database file")
    with _QUEUES_LOCK:
        queue = _QUEUES.setdefault(database, _WriterQueue(database))
    with queue.hold():
        cursor = _raw_sqlite(database).cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")
        finally:
            cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.set_main_option("sqlalchemy.url", connection.engine.url.render_as_string(False))
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations, serialised against other processes doing the same."""
    with engine.connect() as connection:
        if is_sqlite(connection):
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if not is_sqlite(connection):
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
