"""The product's one database setting, and where the database lives by default.

One URL for the whole product (consent ledger, audits, accounts): ``--db URL`` on a command,
else ``COOKIE_AUDIT_DATABASE_URL``, else one SQLite file in the product's data folder,
``$COOKIE_AUDIT_DATA_DIR`` or ``$XDG_DATA_HOME/cookie-audit`` (``~/.local/share/cookie-audit``),
named ``cookie-audit.db``: the folder the knowledge base's user layer already uses, outside any
checkout or virtualenv so that reinstalling never loses the ledger.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from database.errors import DatabaseConfigError

ENV_URL = "COOKIE_AUDIT_DATABASE_URL"
DATABASE_FILE = "cookie-audit.db"


class SqliteSync(StrEnum):
    """``PRAGMA synchronous`` for SQLite. NORMAL in WAL mode survives a process crash
    (``kill -9``) but may lose the last commits on power loss; FULL survives both."""

    NORMAL = "NORMAL"
    FULL = "FULL"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The product's data folder (read when called, never at import)."""
    env = os.environ if environ is None else environ
    if env.get("COOKIE_AUDIT_DATA_DIR"):
        return Path(env["COOKIE_AUDIT_DATA_DIR"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "cookie-audit"


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{data_dir(environ) / DATABASE_FILE}"


def described_url(value: object) -> str:
    """What an error may say of a database URL: its scheme, never the rest (a password)."""
    if not isinstance(value, str) or not value.strip():
        return "nothing" if not value else "no URL"
    scheme, sep, _ = value.strip().partition("://")
    if not sep or not scheme.replace("+", "").replace("-", "").isalnum():
        return "something that is not a URL"
    return f"a {scheme}:// URL"


def normalise_url(value: Any, field: str = "DATABASE_URL") -> str:
    """Check a database URL: ``sqlite:///PATH`` or ``postgresql[+psycopg]://...`` (psycopg 3)."""
    accepted = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
    got = described_url(value)
    if not isinstance(value, str) or not value.strip():
        raise DatabaseConfigError(f"{field}: expected {accepted}, got {got}")
    text = value.strip()
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseConfigError(f"{field}: expected {accepted}, got {got}") from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "postgresql":
        if driver not in {"psycopg", "psycopg2"} and "+" in url.drivername:
            raise DatabaseConfigError(f"{field}: PostgreSQL needs the psycopg driver, got {got}")
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        if url.drivername != "sqlite":
            raise DatabaseConfigError(f"{field}: expected {accepted}, got {got}")
        if not url.database or url.database == ":memory:":
            raise DatabaseConfigError(
                f"{field}: SQLite needs a file (sqlite:///PATH): several processes share it"
            )
        return text
    raise DatabaseConfigError(f"{field}: expected {accepted}, got {got}")


def config_bool(name: str, value: Any, error: type[Exception] = DatabaseConfigError) -> bool:
    """A boolean setting: a bool, or 1/true/yes/on, 0/false/no (any case); else `error`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no"}:
        return value.lower() in {"1", "true", "yes", "on"}
    raise error(f"{name}: expected a boolean (true/false), got {value!r}")


def config_int(
    name: str, value: Any, minimum: int, error: type[Exception] = DatabaseConfigError
) -> int:
    """An integer setting >= `minimum`: an int or a decimal string (not a bool); else `error`."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise error(f"{name}: expected an integer >= {minimum}, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise error(f"{name}: expected an integer >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise error(f"{name}: expected an integer >= {minimum}, got {number}")
    return number


@dataclasses.dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """How to reach and tune the product database.

    ``wal_limit_mb`` bounds SQLite's write-ahead log: past a quarter of it the background
    checkpointer has the log started over, past it the log is truncated (also the
    ``journal_size_limit``).
    """

    url: str
    sqlite_synchronous: SqliteSync = SqliteSync.NORMAL
    pool_size: int = 5
    wal_limit_mb: int = 64

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> DatabaseSettings:
        """From a mapping with the keys ``DATABASE_URL``, ``SQLITE_SYNCHRONOUS``,
        ``DB_POOL_SIZE``, ``SQLITE_WAL_LIMIT_MB`` (missing ones take their defaults; a missing
        URL is :func:`default_database_url`)."""
        url = config.get("DATABASE_URL") or default_database_url(environ)
        sync = str(config.get("SQLITE_SYNCHRONOUS") or "NORMAL").upper()
        if sync not in SqliteSync.__members__:
            raise DatabaseConfigError(f"SQLITE_SYNCHRONOUS: expected NORMAL or FULL, got {sync!r}")
        return cls(
            url=normalise_url(url),
            sqlite_synchronous=SqliteSync(sync),
            pool_size=config_int("DB_POOL_SIZE", config.get("DB_POOL_SIZE", 5), 1),
            wal_limit_mb=config_int(
                "SQLITE_WAL_LIMIT_MB", config.get("SQLITE_WAL_LIMIT_MB", 64), 1
            ),
        )

    @classmethod
    def from_environment(
        cls, url: str | None = None, environ: Mapping[str, str] | None = None
    ) -> DatabaseSettings:
        """For commands: ``url`` (``--db``) wins over ``COOKIE_AUDIT_*`` variables."""
        env = os.environ if environ is None else environ
        prefix = "COOKIE_AUDIT_"
        keys = ("DATABASE_URL", "SQLITE_SYNCHRONOUS", "DB_POOL_SIZE", "SQLITE_WAL_LIMIT_MB")
        config: dict[str, Any] = {k: env[prefix + k] for k in keys if env.get(prefix + k)}
        if url:
            config["DATABASE_URL"] = url
        return cls.from_config(config, env)
