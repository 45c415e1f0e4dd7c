"""Engines for the product database, and SQLite's write discipline.

SQLite runs in WAL mode with the driver in autocommit so that we emit ``BEGIN`` ourselves:
writers use ``BEGIN IMMEDIATE`` (the write lock is taken before anything is read, so two
processes can never build on the same state) after queueing on a lock file. PostgreSQL needs
none of this: its writers lock rows.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from database.settings import DatabaseSettings


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: DatabaseSettings) -> Engine:
    """An engine for ``settings.url``: SQLite files get WAL, the pragmas below and the writer
    queue; PostgreSQL gets a pool of ``pool_size`` (plus as many overflow) connections."""
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        database = str(url.database)
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _SQLITE[database] = settings
        _sqlite_events(engine, settings)
        return engine
    # No pool_pre_ping (a round trip per checkout); stale connections are recycled instead.
    return create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_recycle=1800,
    )


def _wal_mode(connection: sqlite3.Connection, timeout: float = 30.0) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while the file is busy. The first connection
    to a new file switches it, which needs the file alone, and SQLite answers "database is
    locked" at once when the switch meets another connection opening it (the busy handler is
    not called for that lock): workers starting together on a new database failed so. Once
    switched, WAL is the file's mode and the pragma only reads it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _pragmas(connection: sqlite3.Connection, settings: DatabaseSettings) -> None:
    _wal_mode(connection)
    connection.execute(f"PRAGMA synchronous={settings.sqlite_synchronous.value}")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=30000")
    # Checkpoints run in a background thread (see _Checkpointer), never inside a request; the
    # log file is cut back to this size whenever a checkpoint empties it.
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute(f"PRAGMA journal_size_limit={settings.wal_limit_mb * 1024 * 1024}")


def _sqlite_events(engine: Engine, settings: DatabaseSettings) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        _pragmas(dbapi_connection, settings)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


class _WriterQueue:
    """Queues SQLite writers on a lock file before ``BEGIN IMMEDIATE``.

    SQLite's own busy handler polls with sleeps of 1 to 100 ms, which makes a writer wait far
    longer than the write it waits for (a fraction of a millisecond). Here a writer takes a
    thread lock (flock is shared by the threads of one process), then the file lock: when
    another process holds it, the writer first tries again for up to :attr:`SPIN` seconds,
    giving its core to any other runnable task between two tries (``sched_yield``), then
    sleeps about as long as the queue is usually held (:attr:`held`, a running average) between
    tries, up to :attr:`POLLS` times, then blocks in ``flock`` until it is its turn.

    Each step was measured with two gunicorn workers appending (BENCHMARKS.md, "Consent API
    under load"): blocking at once cost more than the short sleeps (each wait a sleep in the
    kernel and a wake-up sent by the other worker's unlock; +5 to +21 % stored/s with the
    sleeps), and the sleeps more than trying again without sleeping (a sleep idles the core
    and overshoots the write it waits for; +11 to +14 % stored/s with the tries, over fourteen
    pairs of runs). A writer held up longer than :attr:`SPIN` (a checkpoint under the queue, a large
    batch) stops taking the core.
    ``BEGIN IMMEDIATE`` stays the actual guarantee.
    """

    #: how long a writer tries the file lock again without sleeping (s): ~10 usual holds
    SPIN = 0.002
    #: tries of the file lock, each after a sleep, before a writer blocks until its turn
    POLLS = 20
    #: bounds of a sleep between two tries (seconds)
    PAUSE = (0.00005, 0.001)

    def __init__(self, database: str) -> None:
        self.database = database
        self.path = database + "-writer.lock"
        self.wal = Path(database + "-wal")
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0
        settings = _SQLITE.get(database)
        #: past this size, the writer that just committed truncates the log itself (see
        #: :meth:`bound_wal`); the background checkpointer normally keeps it far below
        self.hard_limit = 2 * (settings.wal_limit_mb if settings else 64) * 1024 * 1024
        self.commits = 0
        #: this process's checkpointer, while it runs (it ends after a while without writes)
        self.checkpointer: _Checkpointer | None = None
        self.last_write = 0.0
        #: how long the queue is held, on average over the last holds of this process (s)
        self.held = 0.0002

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self.fd is None or self.pid != os.getpid():  # re-open after a fork
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
                self.checkpointer = None  # the parent's thread is not in this process
            self.last_write = time.monotonic()
            if self.checkpointer is None:
                self.checkpointer = _Checkpointer(self, _SQLITE.get(self.database))
                self.checkpointer.start()
            self._lock_file(self.fd)
            taken = time.perf_counter()
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
                self.held += (time.perf_counter() - taken - self.held) / 16

    def _lock_file(self, fd: int) -> None:
        if self._try_lock(fd):
            return
        until = time.perf_counter() + self.SPIN
        while time.perf_counter() < until:
            os.sched_yield()
            if self._try_lock(fd):
                return
        low, high = self.PAUSE
        pause = min(high, max(low, self.held))
        for _ in range(self.POLLS):
            time.sleep(pause)
            if self._try_lock(fd):
                return
        fcntl.flock(fd, fcntl.LOCK_EX)

    @staticmethod
    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def bound_wal(self, execute: Callable[[str], object]) -> None:
        """Called by a writer after its commit, once it has left the queue: the background
        checkpointer keeps the log short, but it is a thread that a loaded machine may not
        schedule for a while; if the log has passed twice the limit, this writer takes the
        queue again and truncates it now. One stat every 16 commits of the process (a system
        call per commit showed as ~1 % of a post's instructions; a count races harmlessly
        between threads), outside the queue (the time a writer holds the queue is time the
        others may wait)."""
        self.commits += 1
        if self.commits % 16:
            return
        try:
            size = self.wal.stat().st_size
        except OSError:
            return
        if size > self.hard_limit:
            with self.hold():
                execute("PRAGMA wal_checkpoint(TRUNCATE)")


class _Checkpointer(threading.Thread):
    """Copies the WAL back into the database twice a second, and keeps the WAL short.

    SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages and makes
    that request wait for an fsync of the database file, so one daemon thread per process and
    database does it instead. A PASSIVE checkpoint never blocks anyone, but under sustained
    writes it never quite catches up (frames arrive while it copies), and SQLite only starts
    the log over once a checkpoint has copied all of it: the log would grow until the hard
    limit. So when the log holds more than a quarter of ``wal_limit_mb`` after a PASSIVE
    checkpoint, the thread takes the writer queue for a second one, which has only the last
    moment's frames to copy (a few milliseconds, measured: 2-12 ms where a TRUNCATE of the full
    log took 110-180 ms); the next writer then starts the log over from its beginning. A short
    log also keeps every page look-up in the WAL index short. Past ``wal_limit_mb`` (a thread
    that a loaded machine did not schedule), a TRUNCATE checkpoint under the queue empties the
    log and cuts the file.

    The thread ends after ``idle`` seconds without a write in its process (a last PASSIVE
    checkpoint first), and when the database file is deleted; the next writer starts another.
    """

    #: seconds without a write after which the thread ends
    idle = 30.0

    def __init__(
        self, queue: _WriterQueue, settings: DatabaseSettings | None, interval: float = 0.5
    ) -> None:
        super().__init__(name=f"sqlite-checkpoint:{queue.database}", daemon=True)
        self.queue = queue
        self.interval = interval
        self.limit = (settings.wal_limit_mb if settings else 64) * 1024 * 1024
        self.restart_at = self.limit // 4

    def run(self) -> None:
        try:
            self._watch()
        finally:  # ended (idle, the file deleted, or it could not open it): the next writer
            with self.queue.thread_lock:  # starts another
                if self.queue.checkpointer is self:
                    self.queue.checkpointer = None

    def _watch(self) -> None:
        database = self.queue.database
        wal = Path(database + "-wal")
        try:
            connection = sqlite3.connect(database, timeout=30, isolation_level=None)
            page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
        except sqlite3.Error:
            return
        last = time.monotonic()
        while Path(database).exists():  # a deleted database (tests) ends the thread
            time.sleep(0.05)  # the size is watched often (a stat), checkpoints run less often
            if time.monotonic() - self.queue.last_write > self.idle and self._retire(connection):
                break
            try:
                if wal.exists() and wal.stat().st_size > self.limit:
                    with self.queue.hold():
                        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    last = time.monotonic()
                elif time.monotonic() - last >= self.interval:
                    self._checkpoint(connection, page_size)
                    last = time.monotonic()
            except (sqlite3.Error, OSError):
                continue
        connection.close()

    def _retire(self, connection: sqlite3.Connection) -> bool:
        """Copy the log back a last time and leave the queue without a checkpointer, unless a
        write came meanwhile (checked under the queue's thread lock, which every writer takes
        first: no writer can find the old thread in place after it has ended)."""
        with suppress(sqlite3.Error):
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        with self.queue.thread_lock:
            if time.monotonic() - self.queue.last_write <= self.idle:
                return False
            if self.queue.checkpointer is self:
                self.queue.checkpointer = None
            return True

    def _checkpoint(self, connection: sqlite3.Connection, page_size: int) -> None:
        _, frames, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames * page_size > self.restart_at:
            with self.queue.hold():  # the frames written since: the log is then all copied
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")


_SQLITE: dict[str, DatabaseSettings] = {}
_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def _queue(database: str) -> _WriterQueue:
    queue = _QUEUES.get(database)  # every write asks: no lock (and no new queue) once made
    if queue is None:
        with _QUEUES_LOCK:
            queue = _QUEUES.setdefault(database, _WriterQueue(database))
    return queue


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: on SQLite serialised with every other writer of the database
    (writer queue, then ``BEGIN IMMEDIATE``); on PostgreSQL an ordinary transaction, in which
    the caller locks the rows it builds on."""
    if not is_sqlite(engine):
        with engine.begin() as conn:
            yield conn
        return
    queue = _queue(str(engine.url.database))
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with queue.hold(), conn.begin():
            yield conn
        queue.bound_wal(conn.connection.driver_connection.execute)  # type: ignore[union-attr]


_RAW = threading.local()


def _raw_sqlite(database: str) -> sqlite3.Connection:
    """This thread's own driver connection for a hot path: checking a connection out of
    SQLAlchemy's pool and running its begin hooks cost more than a small write itself."""
    connections: dict[tuple[int, str], sqlite3.Connection] = _RAW.__dict__.setdefault("c", {})
    key = (os.getpid(), database)
    connection = connections.get(key)
    if connection is None:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        _pragmas(connection, _SQLITE.get(database) or DatabaseSettings(f"sqlite:///{database}"))
        connections[key] = connection
    return connection


@contextmanager
def sqlite_write_cursor(engine: Engine) -> Iterator[sqlite3.Cursor]:
    """A driver cursor inside ``BEGIN IMMEDIATE``, after the writer queue; commits on
    success, rolls back on any exception."""
    database = str(engine.url.database)
    queue = _queue(database)
    connection = _raw_sqlite(database)
    with queue.hold():
        cursor = connection.cursor()
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
    queue.bound_wal(connection.execute)


@functools.lru_cache(maxsize=16)
def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_autocommit(engine: Engine) -> Iterator[Any]:
    """This thread's own psycopg connection in autocommit, for a hot path whose one statement
    is its transaction: a pool checkout (and SQLAlchemy resetting the isolation level at
    check-in) costs more than such a statement. A connection that failed is closed, and the
    next call opens a fresh one (a restarted server, a dropped connection)."""
    import psycopg

    connections: dict[tuple[int, str], Any] = _RAW.__dict__.setdefault("pg", {})
    conninfo = _conninfo(engine.url)
    key = (os.getpid(), conninfo)
    connection = connections.get(key)
    if connection is None or connection.closed:
        connection = psycopg.connect(conninfo, autocommit=True)
        connections[key] = connection
    try:
        yield connection
    except psycopg.OperationalError:
        connections.pop(key, None)
        connection.close()
        raise
