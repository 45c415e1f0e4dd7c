"""The dashboard's database: the product's one database (:mod:`database`); the ``accounts``
tables are the branch of that name in ``dashboard/migrations/versions``."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

import database
from database import DatabaseSettings

#: Where the accounts branch kept its revision before the shared Alembic environment existed.
INTERIM_VERSION_TABLE = "alembic_version_accounts"


def make_engine(database_url: str) -> Engine:
    """The product's engine setup (SQLite WAL and pragmas; PostgreSQL pool)."""
    return database.make_engine(DatabaseSettings.from_config({"DATABASE_URL": database_url}))


def upgrade(engine: Engine) -> None:
    """Apply every branch's migrations (accounts included), serialised between processes."""
    _adopt_interim_version_table(engine)
    database.upgrade(engine)


def _adopt_interim_version_table(engine: Engine) -> None:
    """A database migrated while the accounts branch had its own version table: move its
    revision into the shared ``alembic_version`` so the tables are not created twice."""
    if INTERIM_VERSION_TABLE not in inspect(engine).get_table_names():
        return
    with database.write_transaction(engine) as conn:
        tables = set(inspect(conn).get_table_names())
        if INTERIM_VERSION_TABLE not in tables:
            return
        rows = conn.execute(text("SELECT version_num FROM alembic_version_accounts")).scalars()
        revisions = list(rows)
        if "alembic_version" not in tables:
            conn.execute(
                text(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
                    " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
            )
        for revision in revisions:
            conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
        conn.execute(text("DROP TABLE alembic_version_accounts"))
