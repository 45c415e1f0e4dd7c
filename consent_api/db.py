"""Engines and migrations.

SQLite runs in WAL mode with the driver in autocommit so that we emit ``BEGIN`` ourselves:
appends to the ledger use ``BEGIN IMMEDIATE`` (the write lock is taken before the chain head is
read, so two gunicorn workers can never chain onto the same head). PostgreSQL takes
``SELECT ... FOR UPDATE`` on the site row instead (see :mod:`consent_api.ledger`).
"""

from __future__ import annotations

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
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


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
