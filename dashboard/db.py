"""The dashboard's database: the product's one database (the consent ledger's), its engine and
the ``accounts`` migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from consent_api.db import is_sqlite
from consent_api.db import make_engine as _make_engine
from consent_api.settings import DEFAULTS, load_settings

MIGRATIONS = Path(__file__).with_name("migrations")

#: PostgreSQL advisory lock id serialising concurrent migrations of the accounts branch
MIGRATION_LOCK = 0x64617368


def make_engine(database_url: str) -> Engine:
    """The same engine setup as the consent API (SQLite WAL and pragmas; PostgreSQL pool)."""
    settings = load_settings({**DEFAULTS, "DATABASE_URL": database_url}, database_url)
    return _make_engine(settings)


def upgrade(engine: Engine) -> None:
    """Apply the accounts migrations, serialised against other processes doing the same."""
    with engine.connect() as connection:
        if is_sqlite(connection):
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if not is_sqlite(connection):
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "accounts@head")
