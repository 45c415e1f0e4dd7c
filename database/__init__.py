"""The product database: one URL, one engine factory, one Alembic environment.

``consent_api``, ``audits`` and ``dashboard`` import this package; it imports none of them.

    settings = DatabaseSettings.from_environment(url_or_none)   # --db, else the environment
    engine = make_engine(settings)
    upgrade(engine)                                             # every branch to its head

A package that owns tables registers its migrations in :data:`database.migrate.BRANCHES`
(see :mod:`database.migrate` for the few rules).
"""

from __future__ import annotations

from database.engine import (
    is_sqlite,
    make_engine,
    postgres_autocommit,
    sqlite_write_cursor,
    write_transaction,
)
from database.errors import (
    RETRY_AFTER_UNAVAILABLE,
    DatabaseConfigError,
    DatabaseError,
    unavailable_errors,
)
from database.migrate import (
    BRANCHES,
    Branch,
    alembic_config,
    current_revisions,
    head_revisions,
    pending,
    upgrade,
    version_locations,
)
from database.prepared import PreparedStatement
from database.settings import (
    DatabaseSettings,
    SqliteSync,
    config_bool,
    config_int,
    data_dir,
    default_database_url,
    described_url,
    normalise_url,
)

__all__ = [
    "BRANCHES",
    "RETRY_AFTER_UNAVAILABLE",
    "Branch",
    "DatabaseConfigError",
    "DatabaseError",
    "DatabaseSettings",
    "PreparedStatement",
    "SqliteSync",
    "alembic_config",
    "config_bool",
    "config_int",
    "current_revisions",
    "data_dir",
    "default_database_url",
    "described_url",
    "head_revisions",
    "is_sqlite",
    "make_engine",
    "normalise_url",
    "pending",
    "postgres_autocommit",
    "sqlite_write_cursor",
    "unavailable_errors",
    "upgrade",
    "version_locations",
    "write_transaction",
]
