"""Typed settings of the consent API, read once when the app is created.

Flask's ``app.config`` is a loose dict (defaults, then ``COOKIE_AUDIT_*`` environment variables,
then the mapping given to :func:`consent_api.create_app`); :func:`load_settings` turns it into
one frozen :class:`Settings` and fails at start with a message naming the bad field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from consent_api.errors import ConfigError


class SqliteSync(StrEnum):
    """``PRAGMA synchronous`` for SQLite. NORMAL in WAL mode survives a process crash
    (``kill -9``) but may lose the last commits on power loss; FULL survives both."""

    NORMAL = "NORMAL"
    FULL = "FULL"


DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: sqlite file consent.db in the instance folder
    "AUTO_MIGRATE": True,
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "MAX_CONTENT_LENGTH": 16 * 1024,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_PUBLIC": "1200 per minute",
    "RATELIMIT_ADMIN": "120 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REPLAY_WINDOW_SECONDS": 30.0,
    "PAGE_URL_MAX_LENGTH": 2048,
    "USER_AGENT_MAX_LENGTH": 512,
    "API_BASE": None,  # None: the URL the request came in on
    "PROXY_FIX_X_FOR": 0,
    "DB_POOL_SIZE": 5,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    auto_migrate: bool
    sqlite_synchronous: SqliteSync
    max_content_length: int
    ratelimit_enabled: bool
    ratelimit_public: str
    ratelimit_admin: str
    ratelimit_storage_uri: str
    replay_window_seconds: float
    page_url_max_length: int
    user_agent_max_length: int
    api_base: str | None
    proxy_fix_x_for: int
    db_pool_size: int


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no"}:
        return value.lower() in {"1", "true", "yes", "on"}
    raise ConfigError(f"{name}: expected a boolean (true/false), got {value!r}")


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {number}")
    return number


def _float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{name}: expected a number >= 0, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a number >= 0, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"{name}: expected a number >= 0, got {number}")
    return number


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def load_settings(config: Mapping[str, Any], default_database_url: str) -> Settings:
    """Validate ``config`` (Flask's app.config) into :class:`Settings`."""
    url = config.get("DATABASE_URL") or default_database_url
    url = _str("DATABASE_URL", url)
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"DATABASE_URL: expected sqlite:///PATH or postgresql+psycopg://..., got {url!r}"
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    sync = str(config.get("SQLITE_SYNCHRONOUS", "NORMAL")).upper()
    if sync not in SqliteSync.__members__:
        raise ConfigError(f"SQLITE_SYNCHRONOUS: expected NORMAL or FULL, got {sync!r}")
    api_base = config.get("API_BASE")
    if api_base is not None:
        api_base = _str("API_BASE", api_base).rstrip("/")
    from limits import parse_many

    for field in ("RATELIMIT_PUBLIC", "RATELIMIT_ADMIN"):
        value = _str(field, config.get(field))
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(
                f"{field}: expected a limit like '600 per minute', got {value!r}"
            ) from None
    return Settings(
        database_url=url,
        auto_migrate=_bool("AUTO_MIGRATE", config.get("AUTO_MIGRATE")),
        sqlite_synchronous=SqliteSync(sync),
        max_content_length=_int("MAX_CONTENT_LENGTH", config.get("MAX_CONTENT_LENGTH"), 1024),
        ratelimit_enabled=_bool("RATELIMIT_ENABLED", config.get("RATELIMIT_ENABLED")),
        ratelimit_public=str(config.get("RATELIMIT_PUBLIC")),
        ratelimit_admin=str(config.get("RATELIMIT_ADMIN")),
        ratelimit_storage_uri=_str("RATELIMIT_STORAGE_URI", config.get("RATELIMIT_STORAGE_URI")),
        replay_window_seconds=_float("REPLAY_WINDOW_SECONDS", config.get("REPLAY_WINDOW_SECONDS")),
        page_url_max_length=_int("PAGE_URL_MAX_LENGTH", config.get("PAGE_URL_MAX_LENGTH"), 16),
        user_agent_max_length=_int(
            "USER_AGENT_MAX_LENGTH", config.get("USER_AGENT_MAX_LENGTH"), 16
        ),
        api_base=api_base,
        proxy_fix_x_for=_int("PROXY_FIX_X_FOR", config.get("PROXY_FIX_X_FOR"), 0),
        db_pool_size=_int("DB_POOL_SIZE", config.get("DB_POOL_SIZE"), 1),
    )
